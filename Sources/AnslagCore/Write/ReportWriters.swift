/// CSV fields and amounts, the same in every CSV writer.
enum CSVText {
    /// RFC 4180: quoted when it holds the delimiter, a quote or a line break.
    static func field(_ s: String, _ delimiter: Character) -> String {
        s.contains(where: { $0 == delimiter || $0 == "\"" || $0 == "\n" || $0 == "\r" }) ? "\"" + s.replacingQuotes() + "\"" : s
    }

    /// Kronor: whole as an integer, öre with two decimals (a comma with `decimalComma`).
    static func kronor(_ m: Money?, decimalComma: Bool = false) -> String {
        guard let m else { return "" }
        if let k = m.wholeKronor { return String(k) }
        let a = m.ore.magnitude
        return (m.ore < 0 ? "-" : "") + "\(a / 100)\(decimalComma ? "," : ".")\(a % 100 < 10 ? "0" : "")\(a % 100)"
    }
}

/// Writes findings reports: JSON (`Schemas/report.schema.json`) and a table a person reads.
public enum ReportWriter {
    /// Kronor as a JSON number: whole kronor as an integer, öre as two decimals.
    static func kronor(_ m: Money?) -> JSONOut { m.map { .number(CSVText.kronor($0)) } ?? .null }

    public static func json(_ r: FindingsReport) -> JSONOut {
        .object([
            ("file", .string(r.file)),
            ("valid", .bool(r.valid)),
            ("findings", .array(r.findings.map { f in
                .object([
                    ("code", .string(f.code.rawValue)),
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
    public static func text(_ r: FindingsReport, language: Language = .en) -> String {
        let sv = language == .sv
        let counts = Messages.findingCounts(r, language)
        var out = sv
            ? "\(r.file): \(r.valid ? "giltig" : "INTE giltig") — \(counts); \(r.tables) tabell\(r.tables == 1 ? "" : "er")\n"
            : "\(r.file): \(r.valid ? "valid" : "NOT valid") — \(counts); \(r.tables) table\(r.tables == 1 ? "" : "s")\n"
        guard !r.findings.isEmpty else { return out }
        let rows = r.findings.map { f -> [String] in
            // In a batch, the file too.
            let file = f.file.flatMap { $0 == r.file ? nil : ($0.split(separator: "/").last.map(String.init) ?? $0) }
            let place = [file, f.location.isEmpty ? nil : f.location].compactMap { $0 }.joined(separator: " ")
            return [sv ? Messages.severity(f.severity, .sv) : f.severity.rawValue, place, f.code.rawValue,
             f.stated.map { $0.description } ?? "", f.computed.map { $0.description } ?? "", f.delta.map { $0.description } ?? "",
             sv ? Messages.render(f, .sv) : f.message]
        }
        let head = sv ? ["allvarlighet", "var", "kod", "angivet", "beräknat", "differens", "meddelande"]
                      : ["severity", "where", "code", "stated", "computed", "delta", "message"]
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

extension ReportWriter {
    public static let csvColumns = ["code", "severity", "file", "sheet", "cell", "stated", "computed", "delta", "lines", "message"]

    public static func writeCSV(_ r: FindingsReport, to sink: ByteSink, delimiter: Character = ",", decimalComma: Bool = false) throws {
        func field(_ s: String) -> String { CSVText.field(s, delimiter) }
        func amount(_ m: Money?) -> String { CSVText.kronor(m, decimalComma: decimalComma) }
        let d = String(delimiter)
        try sink.write(csvColumns.joined(separator: d) + "\r\n")
        for f in r.findings {
            let cells = [f.code.rawValue, f.severity.rawValue, f.file ?? "", f.sheet ?? "", f.cell ?? "", amount(f.stated), amount(f.computed), amount(f.delta), f.lines ?? "", f.message]
            try sink.write(cells.map(field).joined(separator: d) + "\r\n")
        }
    }

    /// The report as a workbook: one findings sheet (a report alone has no data sheets to
    /// link to; `anslag-import --report xlsx` writes the workbook with links and highlights).
    public static func writeXlsx(_ r: FindingsReport, to path: String, made: OutputProvenance? = nil) throws {
        let book = try XlsxWorkbook(path: path, title: "Fynd", subject: r.file)
        try writeFindingsSheet(r, into: book, sheetNames: [:], made: made)
        try book.close()
    }

    /// The provenance block of a findings sheet: how many findings of each kind (the title),
    /// the file they are about, the tool and the run date.
    static func provenance(_ report: FindingsReport, made: OutputProvenance?, language: Language = .sv) -> ProvenanceBlock {
        var block = ProvenanceBlock(title: "\(Messages.text(.findingsSheet, language)): \(Messages.findingCounts(report, language))", language: language)
        block.add(.provenanceFile, report.file)
        block.add(made: made)
        return block
    }

    /// The `Fynd` sheet: the provenance block, then one row per finding; the cell links to its
    /// sheet when `sheetNames` (input sheet → written sheet) has it.
    static func writeFindingsSheet(_ report: FindingsReport, into book: XlsxWorkbook, sheetNames: [String: String],
                                   language: Language = .sv, made: OutputProvenance? = nil) throws {
        let fs = try book.addSheet(Messages.text(.findingsSheet, language))
        let top = try provenance(report, made: made, language: language).write(on: fs)
        let heads: [TextKey] = [.severity, .code, .sheet, .cell, .stated, .computed, .difference, .lines, .message]
        try fs.header(heads.map { Messages.text($0, language) }, rows: report.findings.count, at: top)
        for (n, f) in XlsxAnnotator.ordered(report.findings).enumerated() {
            let r = top + n + 1
            try fs.write(r, 0, string: Messages.severity(f.severity, language), f.severity == .error ? .highlighted(.plain) : .plain)
            try fs.write(r, 1, string: f.code.rawValue)
            if let s = f.sheet { try fs.write(r, 2, string: s) }
            if let s = f.sheet, let c = f.cell, let target = sheetNames[s] {
                try fs.write(r, 3, link: "'\(target.replacingApostrophes())'!\(c)", text: c)
            } else if let c = f.cell { try fs.write(r, 3, string: c) }
            for (k, m) in [f.stated, f.computed, f.delta].enumerated() {
                guard let m else { continue }
                let style: XlsxWorkbook.Style = m.ore % 100 == 0 ? .kronor : .decimal
                try fs.write(r, 4 + k, number: Double(m.ore) / 100, k == 2 && f.severity != .info ? .highlighted(style) : style)
            }
            if let l = f.lines { try fs.write(r, 7, string: l) }
            try fs.write(r, 8, string: Messages.render(f, language))
        }
        fs.fitColumns()
        fs.boardPage(headerRows: 1, from: top)
    }
}
