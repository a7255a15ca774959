/// Writes findings reports: JSON (`Schemas/report.schema.json`) and a table a person reads.
public enum ReportWriter {
    /// Kronor as a JSON number: whole kronor as an integer, öre as two decimals.
    static func kronor(_ m: Money?) -> JSONOut {
        guard let m else { return .null }
        if let k = m.wholeKronor { return .int(k) }
        let sign = m.ore < 0 ? "-" : ""
        let a = m.ore.magnitude
        return .number("\(sign)\(a / 100).\(a % 100 < 10 ? "0" : "")\(a % 100)")
    }

    public static func json(_ r: FindingsReport) -> JSONOut {
        .object([
            ("file", .string(r.file)),
            ("valid", .bool(r.valid)),
            ("findings", .array(r.findings.map { f in
                .object([
                    ("code", .string(f.code)),
                    ("severity", .string(f.severity.rawValue)),
                    ("file", .optional(f.file)),
                    ("sheet", .optional(f.sheet)),
                    ("cell", .optional(f.cell)),
                    ("stated", kronor(f.stated)),
                    ("computed", kronor(f.computed)),
                    ("delta", kronor(f.delta)),
                    ("lines", .optional(f.lines)),
                    ("message", .string(f.message)),
                ])
            })),
            ("tables", .int(Int64(r.tables))),
        ])
    }

    /// A plain-text table: severity, where, code, stated / computed / delta, message.
    public static func text(_ r: FindingsReport) -> String {
        var out = "\(r.file): \(r.valid ? "valid" : "NOT valid") — \(r.errors) error\(r.errors == 1 ? "" : "s"), \(r.warnings) warning\(r.warnings == 1 ? "" : "s"), \(r.findings.count - r.errors - r.warnings) info; \(r.tables) table\(r.tables == 1 ? "" : "s")\n"
        guard !r.findings.isEmpty else { return out }
        let rows = r.findings.map { f -> [String] in
            [f.severity.rawValue, f.location, f.code,
             f.stated.map { $0.description } ?? "", f.computed.map { $0.description } ?? "", f.delta.map { $0.description } ?? "", f.message]
        }
        let head = ["severity", "where", "code", "stated", "computed", "delta", "message"]
        var widths = head.map(\.count)
        for row in rows { for (i, c) in row.enumerated() where i < 6 { widths[i] = max(widths[i], c.count) } }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, c in
                i == 6 ? c : (i >= 3 && i <= 5 ? String(repeating: " ", count: widths[i] - c.count) + c : c + String(repeating: " ", count: widths[i] - c.count))
            }.joined(separator: "  ")
        }
        out += line(head) + "\n"
        for row in rows { out += line(row) + "\n" }
        return out
    }
}
