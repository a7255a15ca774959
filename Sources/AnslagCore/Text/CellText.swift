/// Text forms of cell values shared by the JSON and CSV writers.
public enum CellText {
    /// Shortest text that reads back as the same Double: `3`, `0.1`, `1e-05`, `1.5e+20`.
    public static func number(_ d: Double) -> String {
        if d == d.rounded(.towardZero) && abs(d) < 1e15 { return String(Int64(d)) }
        return d.description
    }

    /// Seconds as an ISO 8601 duration: `PT48655.2S`.
    public static func duration(_ seconds: Double) -> String { "PT" + number(seconds) + "S" }
}
