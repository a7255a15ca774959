/// Writes allocations: normalized JSON (`Schemas/allocation.schema.json`), a flat CSV, an xlsx
/// workbook (one sheet per rule, live SUM rows with cached values, optional bar chart), and the
/// arithmetic in words (`--explain`).
public enum AllocationWriter {
    // MARK: JSON

    public static func json(_ a: Allocation) -> JSONOut {
        var m: [(String, JSONOut)] = [
            ("kind", .string("allocation")),
            ("version", .int(1)),
            ("rules_file", .string(a.rulesFile)),
            ("population_file", .optional(a.populationFile)),
        ]
        if let p = a.population { m.append(("population", json(p))) }
        m.append(("rules", .array(a.rules.map(json))))
        return .object(m)
    }

    /// Where the population came from and the date it refers to.
    static func json(_ p: PopulationProvenance) -> JSONOut {
        .object([
            ("source", .string(p.source)),
            ("table_id", .optional(p.tableId)),
            ("reference_period", .optional(p.referencePeriod)),
            ("updated", .optional(p.updated)),
            ("periods", .array(p.periods.map { .string($0) })),
        ])
    }

    static func json(_ n: AllocationNode) -> JSONOut {
        .object([
            ("rule", .string(n.rule)),
            ("total", .int(n.total)),
            ("sum", .int(n.sum)),
            ("residual", .int(n.residual)),
            ("rounding", .string(n.rounding.rawValue)),
            ("tie_break", .string(n.tieBreak.rawValue)),
            ("recipients_label", .string(n.recipientsLabel)),
            ("key", .string(n.key)),
            ("basis_sum", .optional(n.basisSum)),
            ("keyed", .int(n.keyed)),
            ("recipients", .array(n.recipients.map { r in
                var m: [(String, JSONOut)] = [
                    ("code", .optional(r.code)),
                    ("name", .string(r.name)),
                    ("basis", .optional(r.basis)),
                    ("share", .optional(r.share)),
                    ("fixed", .int(r.fixed)),
                    ("quota", .string(r.quota.decimal())),
                    ("quota_exact", .string(r.quota.fraction)),
                    ("amount", .int(r.amount)),
                    ("rounding", .int(Int64(r.rounding))),
                ]
                if let members = r.members { m.append(("members", .array(members.map { .string($0) }))) }
                if let split = r.split { m.append(("split", json(split))) }
                return .object(m)
            })),
        ])
    }

    /// The same text as `json(a).text()`, written rule by rule so memory stays small.
    public static func writeJSON(_ a: Allocation, to sink: ByteSink) throws {
        guard !a.rules.isEmpty else { try sink.write(bytes: json(a).bytes()); return }
        try sink.write("{\n  \"kind\": \"allocation\",\n  \"version\": 1,\n  \"rules_file\": ")
        try sink.write(bytes: JSONOut.string(a.rulesFile).bytes(indent: 2))
        try sink.write(",\n  \"population_file\": ")
        try sink.write(bytes: JSONOut.optional(a.populationFile).bytes(indent: 2))
        if let p = a.population {
            try sink.write(",\n  \"population\": ")
            try sink.write(bytes: json(p).bytes(indent: 2))
        }
        try sink.write(",\n  \"rules\": [\n")
        for (i, n) in a.rules.enumerated() {
            try sink.write("    ")
            try sink.write(bytes: json(n).bytes(indent: 4))
            try sink.write(i + 1 < a.rules.count ? ",\n" : "\n")
        }
        try sink.write("  ]\n}\n")
    }

    // MARK: CSV

    public static let csvColumns = ["rule", "code", "name", "members", "basis", "share", "fixed", "quota", "quota_exact", "amount", "rounding"]

    /// One row per recipient and level (RFC 4180), nested levels after their parent's rows.
    public static func writeCSV(_ a: Allocation, to sink: ByteSink, delimiter: Character = ",", decimalComma: Bool = false) throws {
        let d = String(delimiter)
        func field(_ s: String) -> String { CSVText.field(s, delimiter) }
        try sink.write(csvColumns.joined(separator: d) + "\r\n")
        for top in a.rules {
            for n in top.levels {
                for r in n.recipients {
                    let cells = [n.rule, r.code ?? "", r.name, r.members?.joined(separator: " ") ?? "", r.basis.map(String.init) ?? "",
                                 r.share ?? "", String(r.fixed), decimalComma ? String(r.quota.decimal().map { $0 == "." ? "," : $0 }) : r.quota.decimal(), r.quota.fraction, String(r.amount), String(r.rounding)]
                    try sink.write(cells.map(field).joined(separator: d) + "\r\n")
                }
            }
        }
    }

    // MARK: Explain

    /// The arithmetic per recipient, as a finance person checks it by hand.
    public static func explain(_ a: Allocation) -> String {
        var out = ""
        if let p = a.populationFile { out += "Population: \(p)\n" }
        if let p = a.population {
            out += "Reference period: \(p.referencePeriod ?? "not stated")\(p.updated.map { "; updated \($0)" } ?? "")\n"
        }
        for top in a.rules {
            for n in top.levels { out += explain(n) + "\n" }
        }
        return out
    }

    static func explain(_ n: AllocationNode) -> String {
        let k = Money.kronorText
        var lines: [String] = []
        lines.append("\(n.rule): \(k(n.total)) kr to \(n.recipientsLabel), \(n.key).")
        let method = n.rounding == .largestRemainder
            ? "largest remainder (every quota rounded down, the kronor left to the largest remainders; ties: \(n.tieBreak == .basisThenCode ? "larger basis first, then code" : "code"))"
            : "every quota rounded down; the residual is left unallocated"
        lines.append("  Rounding: \(method).")
        let fixedTotal = n.recipients.reduce(Int64(0)) { $0 + $1.fixed }
        if fixedTotal > 0 { lines.append("  Paid first (fixed amounts and bases): \(k(fixedTotal)) kr; split by the key: \(k(n.keyed)) kr.") }
        if let bs = n.basisSum { lines.append("  Basis sum: \(k(bs)).") }
        let width = n.recipients.map { ($0.code.map { "\($0) " } ?? "") + $0.name }.map(\.count).max() ?? 0
        for r in n.recipients {
            let label = (r.code.map { "\($0) " } ?? "") + r.name
            var text = "  " + label + String(repeating: " ", count: max(1, width - label.count + 2))
            if let b = r.basis, let bs = n.basisSum {
                let keyedQuota = Quota(whole: r.quota.whole - r.fixed, remainder: r.quota.remainder, denominator: r.quota.denominator)
                let shown = keyedQuota.decimal(places: 4)
                text += "\(k(n.keyed)) × \(k(b)) / \(k(bs)) = \(shown)\(keyedQuota.decimal(places: 5) == shown ? "" : "…")"
                text += " → \(k(keyedQuota.whole))"
                if r.rounding == 1 { text += " + 1" }
                if r.fixed > 0 { text += "; + \(k(r.fixed)) fixed" }
                text += " = \(k(r.amount)) kr"
            } else {
                text += "\(k(r.amount)) kr (fixed)"
            }
            if let m = r.members { text += "   [members: \(m.joined(separator: " "))]" }
            lines.append(text)
        }
        let ups = n.recipients.filter { $0.rounding == 1 }
        lines.append("  Sum: \(k(n.sum)) kr of \(k(n.total)) kr; residual \(k(n.residual)) kr.")
        if !ups.isEmpty {
            lines.append("  The \(ups.count) \(ups.count == 1 ? "krona" : "kronor") left after rounding down went to: \(ups.map { $0.code ?? $0.name }.joined(separator: ", ")).")
        }
        return lines.joined(separator: "\n")
    }

    // MARK: xlsx

    public static let xlsxColumns = ["Kod", "Mottagare", "Underlag", "Andel", "Fast belopp", "Kvot", "Belopp", "Avrundning"]

    /// The provenance block at the top of an allocation sheet: the rule and its total and key
    /// (the title), the rule file, the population and its reference period, the tool and the run date.
    static func provenance(_ a: Allocation, _ top: AllocationNode, made: OutputProvenance?) -> ProvenanceBlock {
        var block = ProvenanceBlock(title: "\(top.rule): \(Money.kronorText(top.total)) kr, \(Messages.keyText(top.key))")
        block.add(.provenanceRule, "\(top.rule) (\(a.rulesFile))")
        if let p = a.population {
            block.add(population: p)
        } else if let f = a.populationFile {
            block.add(.provenancePopulation, f)
        }
        block.add(made: made)
        return block
    }

    /// One sheet per rule; each level a block with a bold header, the recipients and a live
    /// `=SUM()` row (cached value written), then the rule's total and the residual.
    public static func writeXlsx(_ a: Allocation, to path: String, chart: Bool = false, made: OutputProvenance? = nil) throws {
        let rows = a.rules.reduce(0) { $0 + $1.levels.reduce(0) { $0 + $1.recipients.count } }
        let wb = try XlsxWorkbook(path: path, constantMemory: rows > 200_000, title: "Fördelning",
                                  subject: a.rules.map(\.rule).joined(separator: ", "))
        for top in a.rules {
            var sheet = AllocationSheet(book: wb, sheet: try wb.addSheet(top.rule), chart: chart)
            try sheet.provenance(provenance(a, top, made: made))
            for (level, n) in top.levels.enumerated() { try sheet.level(n, nested: level > 0) }
            sheet.finish(codes: top.levels.flatMap(\.recipients).compactMap(\.code))
        }
        try wb.close()
    }

    /// For display only (the Kvot column): the amount itself is always the exact integer.
    static func quotaDouble(_ q: Quota) -> Double {
        Double(q.whole) + Double(q.remainder) / Double(q.denominator)
    }
}

/// One rule's sheet of an allocation workbook, written top down: the provenance block, then
/// each level's block (a title for nested levels, the header, the recipients, the live Summa,
/// the rule's total and the residual) with its chart beside it, each chart below the last.
struct AllocationSheet {
    let book: XlsxWorkbook
    let sheet: XlsxSheet
    let chart: Bool
    var row = 0
    var headerRow = 0
    var nextChartRow = 0

    init(book: XlsxWorkbook, sheet: XlsxSheet, chart: Bool) {
        self.book = book; self.sheet = sheet; self.chart = chart
    }

    mutating func provenance(_ block: ProvenanceBlock) throws {
        row = try block.write(on: sheet)
        headerRow = row
    }

    mutating func level(_ n: AllocationNode, nested: Bool) throws {
        let columns = AllocationWriter.xlsxColumns
        if nested {
            row += 1
            try sheet.write(row, 0, string: "\(n.rule): \(Money.kronorText(n.total)) kr, \(Messages.keyText(n.key))", .header)
            row += 1
            for (c, t) in columns.enumerated() { try sheet.write(row, c, string: t, .header) }
        } else {
            row = headerRow
            try sheet.header(columns, rows: n.recipients.count, at: headerRow)
        }
        row += 1
        let first = row
        for r in n.recipients { try recipient(r) }
        let last = row - 1
        try sheet.write(row, 1, string: "Summa", .header)
        try sheet.write(row, 6, formula: "=SUM(G\(first + 1):G\(last + 1))", cached: Double(n.sum), .kronor)
        try sheet.write(row, 7, formula: "=SUM(H\(first + 1):H\(last + 1))", cached: Double(n.recipients.reduce(0) { $0 + $1.rounding }), .integer)
        let sumRow = row
        row += 1
        try sheet.write(row, 1, string: "Totalt enligt regeln")
        try sheet.write(row, 6, number: Double(n.total), .kronor)
        row += 1
        try sheet.write(row, 1, string: "Rest (ej fördelat)")
        try sheet.write(row, 6, formula: "=G\(row)-G\(sumRow + 1)", cached: Double(n.residual), n.residual == 0 ? .kronor : .highlighted(.kronor))
        row += 1
        if chart { try levelChart(n, first: first, last: last) }
    }

    mutating func recipient(_ r: AllocatedRecipient) throws {
        if let code = r.code { try sheet.write(row, 0, string: code, .text) }
        try sheet.write(row, 1, string: r.name)
        if let b = r.basis { try sheet.write(row, 2, number: Double(b), .integer) }
        if let s = r.share { try sheet.write(row, 3, string: s, .text) }
        if r.fixed > 0 { try sheet.write(row, 4, number: Double(r.fixed), .kronor) }
        try sheet.write(row, 5, number: AllocationWriter.quotaDouble(r.quota), .decimal)
        try sheet.write(row, 6, number: Double(r.amount), .kronor)
        try sheet.write(row, 7, number: Double(r.rounding), .integer)
        row += 1
    }

    /// Every level its own chart, beside its block, each below the one before.
    mutating func levelChart(_ n: AllocationNode, first: Int, last: Int) throws {
        let at = max(first - 1, 1, nextChartRow)
        let covers = try book.addSizedChart(.bar, title: "\(n.rule): belopp per mottagare", on: sheet, categoryColumn: 1,
                                            series: [(name: "Belopp", column: 6)], firstRow: first, lastRow: last, anchor: (at, 9))
        nextChartRow = at + covers + 1
    }

    /// Widths and page: the code column as wide as the codes (the titles in it overflow to
    /// the right), never narrower than its head; the header row repeated on every page.
    func finish(codes: [String]) {
        sheet.fitColumns()
        sheet.setWidth(0, max(4.5, Double(codes.map(\.count).max() ?? 0) + 3))
        sheet.boardPage(headerRows: 1, from: headerRow)
    }
}
