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

    /// The civil date (UTC) of `seconds` since 1970, `YYYY-MM-DD` (Howard Hinnant's days-to-civil).
    public static func date(secondsSince1970 seconds: Int64) -> String {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(y)-\(two(m))-\(two(d))"
    }
}
