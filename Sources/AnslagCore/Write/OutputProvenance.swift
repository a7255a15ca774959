/// Who wrote a workbook and when, for the provenance block of its sheets: the tool and its
/// version, and the run date (`SOURCE_DATE_EPOCH` when set, so that outputs are reproducible).
public struct OutputProvenance: Sendable, Equatable {
    public var tool: String
    public var version: String
    /// `2026-12-02`.
    public var runDate: String
    public init(tool: String, version: String, runDate: String) {
        self.tool = tool; self.version = version; self.runDate = runDate
    }

    /// The civil date (UTC) of `seconds` since 1970, `YYYY-MM-DD`.
    public static func date(secondsSince1970 seconds: Int64) -> String {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let (y, m, d) = SerialDate.civil(fromDays: Int(days))
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(y)-\(two(m))-\(two(d))"
    }
}
