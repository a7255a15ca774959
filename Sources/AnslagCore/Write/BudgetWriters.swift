/// Writes a normalized budget: JSON (`Schemas/budget.schema.json`), CSV (one row per line)
/// and what was recognised, in words (`anslag-import --explain`).
public enum BudgetWriter {
    public static func json(_ b: Budget) -> JSONOut {
        .object([
            ("kind", .string("budget")),
            ("version", .int(1)),
            ("file", .string(b.file)),
            ("sheets", .array(b.sheets.map { .object([("name", .string($0.name)), ("state", .string($0.state.rawValue))]) })),
            ("tables", .array(b.tables.map { t in
                .object([
                    ("sheet", .string(t.sheet)),
                    ("hidden", .bool(t.hidden)),
                    ("layout", .string(t.layout.rawValue)),
                    ("title", .optional(t.title)),
                    ("range", .string(t.range)),
                    ("unit", .string(t.unit.rawValue)),
                    ("unit_source", .optional(t.unitSource)),
                    ("header", .array(t.header.map { .object([("column", .string($0.column)), ("text", .string($0.text))]) })),
                    ("lines", .array(t.lines.map { l in
                        .object([
                            ("label", .string(l.label)),
                            ("amount", ReportWriter.kronor(l.amount)),
                            ("cell", .string(l.cell)),
                            ("role", .string(l.role.rawValue)),
                            ("year", l.year.map { .int(Int64($0)) } ?? .null),
                            ("area", .optional(l.area)),
                            ("key", .optional(l.key)),
                            ("sum_of", .optional(l.sumOf)),
                            ("text", .optional(l.text)),
                        ])
                    })),
                ])
            })),
        ])
    }

    public static func writeJSON(_ b: Budget, to sink: ByteSink) throws {
        try sink.write(bytes: json(b).bytes())
    }

    public static let csvColumns = ["sheet", "table", "cell", "role", "label", "year", "area", "key", "amount", "sum_of"]

    public static func writeCSV(_ b: Budget, to sink: ByteSink, delimiter: Character = ",", decimalComma: Bool = false) throws {
        let d = String(delimiter)
        func field(_ s: String) -> String {
            s.contains(where: { $0 == delimiter || $0 == "\"" || $0 == "\n" || $0 == "\r" }) ? "\"" + s.replacingQuotes() + "\"" : s
        }
        func amount(_ m: Money?) -> String {
            guard let m else { return "" }
            if let k = m.wholeKronor { return String(k) }
            let a = m.ore.magnitude
            return (m.ore < 0 ? "-" : "") + "\(a / 100)\(decimalComma ? "," : ".")\(a % 100 < 10 ? "0" : "")\(a % 100)"
        }
        try sink.write(csvColumns.joined(separator: d) + "\r\n")
        for t in b.tables {
            for l in t.lines {
                let cells = [t.sheet, t.range, l.cell, l.role.rawValue, l.label, l.year.map(String.init) ?? "", l.area ?? "", l.key ?? "", amount(l.amount), l.sumOf ?? ""]
                try sink.write(cells.map(field).joined(separator: d) + "\r\n")
            }
        }
    }

    /// Tables, their header and total cells and unit, and what each total was checked against.
    public static func explain(_ b: Budget, findings: [ReportFinding]) -> String {
        var out = "\(b.file): \(b.tables.count) table\(b.tables.count == 1 ? "" : "s") in \(b.sheets.count) sheet\(b.sheets.count == 1 ? "" : "s")\n"
        let bad = Set(findings.filter { $0.severity != .info }.compactMap { f in f.sheet.flatMap { s in f.cell.map { "'\(s.replacingApostrophes())'!\($0)" } } })
        for t in b.tables {
            out += "\n'\(t.sheet)'!\(t.range)\(t.hidden ? " (hidden sheet)" : ""): \(t.layout.rawValue)"
            if let title = t.title { out += ", \"\(title)\"" }
            out += "; unit \(t.unit.rawValue)\(t.unitSource.map { " (from \($0))" } ?? " (assumed: none stated)")\n"
            if !t.header.isEmpty { out += "  header: " + t.header.map { "\($0.column) \($0.text)" }.joined(separator: " | ") + "\n" }
            let counts = Dictionary(grouping: t.lines, by: \.role).mapValues(\.count)
            out += "  " + BudgetLine.Role.allCases.compactMap { r in counts[r].map { "\($0) \(r.rawValue)\($0 == 1 ? "" : "s")" } }.joined(separator: ", ") + "\n"
            for l in t.lines where l.role == .total || l.role == .subtotal || l.role == .change {
                let mark = bad.contains(l.cell) ? "✗" : "✓"
                out += "  \(mark) \(l.role.rawValue) \(l.cell) \"\(l.label)\" = \(l.amount.map { $0.description } ?? "")"
                if let s = l.sumOf { out += " = sum of \(s)" }
                out += "\n"
            }
        }
        return out
    }
}

/// Budget JSON back into the model (`anslag-export`'s input).
enum BudgetJSON {
    static func read(_ root: JSONValue, _ bad: (String, String) -> ReadError) throws -> Budget {
        func text(_ v: JSONValue?, _ path: String, optional: Bool = false) throws -> String? {
            try NormalizedJSON.string(v, path, optional: optional, bad)
        }
        func money(_ v: JSONValue?, _ path: String) throws -> Money? {
            switch v {
            case nil, .null?: return nil
            case .number(let t)?:
                guard let m = Money.exact(decimal: t, scale: 1) else { throw bad(path, "\(t) is not an exact amount in kronor (at most two decimals)") }
                return m
            default: throw bad(path, "expected an amount in kronor or null")
            }
        }
        guard root["version"]?.int == 1 else { throw bad("$.version", "expected 1") }
        let file = try text(root["file"], "$.file")!
        guard let sheetList = root["sheets"]?.array else { throw bad("$.sheets", "expected a list of sheets") }
        let sheets = try sheetList.enumerated().map { i, s -> SheetInfo in
            let name = try text(s["name"], "$.sheets[\(i)].name")!
            guard let state = SheetState(rawValue: try text(s["state"], "$.sheets[\(i)].state")!) else { throw bad("$.sheets[\(i)].state", "expected visible, hidden or veryHidden") }
            return SheetInfo(name: name, state: state)
        }
        guard let tableList = root["tables"]?.array else { throw bad("$.tables", "expected a list of tables") }
        let tables = try tableList.enumerated().map { i, t -> BudgetTable in
            let p = "$.tables[\(i)]"
            guard let layout = BudgetTable.Layout(rawValue: try text(t["layout"], "\(p).layout")!) else { throw bad("\(p).layout", "expected list, sectioned, matrix or allocation") }
            guard let unit = AmountUnit(rawValue: try text(t["unit"], "\(p).unit")!) else { throw bad("\(p).unit", "expected kronor, tkr or mnkr") }
            guard case .bool(let hidden)? = t["hidden"] else { throw bad("\(p).hidden", "expected true or false") }
            guard let headerList = t["header"]?.array else { throw bad("\(p).header", "expected a list") }
            let header = try headerList.enumerated().map { k, h in
                BudgetColumn(column: try text(h["column"], "\(p).header[\(k)].column")!, text: try text(h["text"], "\(p).header[\(k)].text")!)
            }
            guard let lineList = t["lines"]?.array else { throw bad("\(p).lines", "expected a list of lines") }
            let lines = try lineList.enumerated().map { k, l -> BudgetLine in
                let lp = "\(p).lines[\(k)]"
                guard let role = BudgetLine.Role(rawValue: try text(l["role"], "\(lp).role")!) else { throw bad("\(lp).role", "expected line, subtotal, total, change, note or heading") }
                var year: Int?
                switch l["year"] {
                case nil, .null?: year = nil
                case .number(let n)?: guard let y = Int(n) else { throw bad("\(lp).year", "expected a year") }; year = y
                default: throw bad("\(lp).year", "expected a year or null")
                }
                return BudgetLine(label: try text(l["label"], "\(lp).label")!, amount: try money(l["amount"], "\(lp).amount"),
                                  cell: try text(l["cell"], "\(lp).cell")!, role: role, year: year,
                                  area: try text(l["area"], "\(lp).area", optional: true), key: try text(l["key"], "\(lp).key", optional: true),
                                  sumOf: try text(l["sum_of"], "\(lp).sum_of", optional: true), text: try text(l["text"], "\(lp).text", optional: true))
            }
            return BudgetTable(sheet: try text(t["sheet"], "\(p).sheet")!, hidden: hidden, layout: layout,
                               title: try text(t["title"], "\(p).title", optional: true), range: try text(t["range"], "\(p).range")!,
                               unit: unit, unitSource: try text(t["unit_source"], "\(p).unit_source", optional: true),
                               header: header, lines: lines)
        }
        return Budget(file: file, sheets: sheets, tables: tables)
    }
}

/// Writes a budget as a workbook: one long sheet (`.long`) or one sheet per table (`.perTable`),
/// amounts as numbers in `# ##0 "kr"`, and totals as live `=SUM()` formulas over the exported
/// rows of the lines they add up, with their stated values cached.
public enum BudgetXlsxWriter {
    public enum Layout: String, Sendable, CaseIterable { case long, perTable = "per-table" }

    static let columns = ["Blad", "Cell", "Roll", "Post", "År", "Område", "Nyckel", "Belopp"]

    public static func write(_ b: Budget, to path: String, layout: Layout = .long, chart: Bool = false) throws {
        let lines = b.tables.reduce(0) { $0 + $1.lines.count }
        let book = try XlsxWorkbook(path: path, constantMemory: lines > 200_000, title: "Budget", subject: b.file)
        var ws: XlsxSheet? = nil
        var row = 0
        for (ti, t) in b.tables.enumerated() {
            if ws == nil || layout == .perTable {
                ws = try book.addSheet(layout == .long ? "Budget" : (t.title ?? "\(t.sheet) \(ti + 1)"))
                try ws!.header(columns, rows: layout == .long ? lines : t.lines.count)
                row = 1
            }
            let sheet = ws!
            // Where each source cell landed, to turn the totals' ranges into exported rows.
            var exported: [String: Int] = [:]
            let first = row
            for l in t.lines {
                try sheet.write(row, 0, string: t.sheet)
                try sheet.write(row, 1, string: String(l.cell.split(separator: "!").last ?? ""), .text)
                try sheet.write(row, 2, string: l.role.rawValue)
                try sheet.write(row, 3, string: l.role == .note ? (l.text ?? l.label) : l.label, l.role == .total || l.role == .subtotal ? .header : .plain)
                if let y = l.year { try sheet.write(row, 4, number: Double(y), .plain) }
                if let a = l.area { try sheet.write(row, 5, string: a) }
                if let k = l.key { try sheet.write(row, 6, string: k) }
                if let m = l.amount {
                    let value = Double(m.ore) / 100
                    let style: XlsxWorkbook.Style = m.ore % 100 == 0 ? .kronor : .decimal
                    if (l.role == .total || l.role == .subtotal), let s = l.sumOf, let rows = sourceRows(s, sheet: t.sheet, exported: exported) {
                        try sheet.write(row, 7, formula: "=SUM(\(rows))", cached: value, style)
                    } else {
                        try sheet.write(row, 7, number: value, style)
                    }
                }
                exported[String(l.cell.split(separator: "!").last ?? "")] = row
                row += 1
            }
            if chart && layout == .perTable && row > first {
                try book.addChart(.bar, title: t.title ?? t.sheet, on: sheet, categoryColumn: 3, series: [(name: "Belopp", column: 7)],
                                  firstRow: first, lastRow: row - 1, anchor: (1, 9))
            }
            if layout == .perTable || ti == b.tables.count - 1 { sheet.fitColumns() }
        }
        if ws == nil { _ = try book.addSheet("Budget") }
        try book.close()
    }

    /// `C4:C11` or `C4,C9` in the source → `H5:H12` or `H5,H10` in the export, when every
    /// amount cell of the range was exported; nil otherwise (the value is written instead).
    static func sourceRows(_ sumOf: String, sheet: String, exported: [String: Int]) -> String? {
        var parts: [String] = []
        for piece in sumOf.split(separator: ",") {
            guard let r = CellRange(a1: piece) ?? CellPosition(a1: piece).map({ CellRange(start: $0, end: $0) }) else { return nil }
            var rows: [Int] = []
            for rr in r.start.row...r.end.row {
                for cc in r.start.column...r.end.column {
                    if let x = exported[CellPosition(row: rr, column: cc).a1] { rows.append(x) }
                }
            }
            guard !rows.isEmpty else { return nil }
            rows.sort()
            // Consecutive exported rows become one range.
            var start = rows[0], prev = rows[0]
            for x in rows.dropFirst() + [Int.max] {
                if x == prev + 1 { prev = x; continue }
                parts.append(start == prev ? "H\(start + 1)" : "H\(start + 1):H\(prev + 1)")
                start = x; prev = x
            }
        }
        return parts.isEmpty ? nil : parts.joined(separator: ",")
    }
}
