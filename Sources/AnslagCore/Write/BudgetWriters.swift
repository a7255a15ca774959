/// Writes a normalized budget: JSON (`Schemas/budget.schema.json`), CSV (one row per line)
/// and what was recognised, in words (`anslag-import --explain`).
public enum BudgetWriter {
    public static func json(_ b: Budget) -> JSONOut {
        .object([
            ("kind", .string("budget")),
            ("version", .int(1)),
            ("file", .string(b.file)),
            ("sheets", .array(b.sheets.map { .object([("name", .string($0.name)), ("state", .string($0.state.rawValue))]) })),
            ("tables", .array(b.tables.map(json))),
        ])
    }

    static func json(_ t: BudgetTable) -> JSONOut {
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
                    ("column_head", .optional(l.column?.head)),
                    ("column_year", l.column?.year.map { .int(Int64($0)) } ?? .null),
                    ("column_kind", .optional(l.column?.kind?.rawValue)),
                ])
            })),
        ])
    }

    /// Writes `json(b)` exactly as `JSONOut` prints it, but a line at a time: the lines (nearly
    /// all of a budget) are written straight to the sink, without building a JSON tree.
    public static func writeJSON(_ b: Budget, to sink: ByteSink) throws {
        // A budget without tables, or a table without lines, prints in JSONOut's inline forms.
        guard !b.tables.isEmpty else { try sink.write(bytes: json(b).bytes()); return }
        try openObject(json(Budget(file: b.file, sheets: b.sheets, tables: [])), upTo: "tables", indent: 0, to: sink)
        for (i, t) in b.tables.enumerated() {
            try sink.write("    ")
            try writeTable(t, to: sink)
            try sink.write(i + 1 < b.tables.count ? ",\n" : "\n")
        }
        try sink.write("  ]\n}\n")
    }

    /// The start of an object as `JSONOut` prints it at `indent` when it spans lines: its members
    /// before `last` (an array, the object's last member), then `"last": [` and a line end.
    private static func openObject(_ object: JSONOut, upTo last: String, indent: Int, to sink: ByteSink) throws {
        guard case .object(let members) = object else { return }
        let pad = String(repeating: " ", count: indent + 2)
        try sink.write("{\n")
        for (k, v) in members where k != last {
            try sink.write(pad)
            try JSONText.writeString(k, to: sink)
            try sink.write(": ")
            try sink.write(bytes: v.bytes(indent: indent + 2))
            try sink.write(",\n")
        }
        try sink.write(pad)
        try JSONText.writeString(last, to: sink)
        try sink.write(": [\n")
    }

    /// A table as `JSONOut` prints it at indent 4.
    private static func writeTable(_ t: BudgetTable, to sink: ByteSink) throws {
        guard !t.lines.isEmpty else { try sink.write(bytes: json(t).bytes(indent: 4)); return }
        var head = t
        head.lines = []
        try openObject(json(head), upTo: "lines", indent: 4, to: sink)
        func text(_ key: String, _ value: String?) throws {
            try sink.write(key)
            if let value { try JSONText.writeString(value, to: sink) } else { try sink.write("null") }
        }
        for (i, l) in t.lines.enumerated() {
            try text("        {\"label\": ", l.label)
            try sink.write(", \"amount\": ")
            try sink.write(l.amount.map { CSVText.kronor($0) } ?? "null")
            try sink.write(", \"cell\": \"")
            // The cell's text written from its parts (`cell` would make it first).
            try JSONText.writeEscaped(l.cellSheet, to: sink)
            if let p = l.position {
                try sink.write(CellPosition.columnName(p.column))
                try sink.write(integer: Int64(p.row + 1))
            }
            try sink.write("\", \"role\": \"")
            try sink.write(l.role.rawValue)
            try sink.write("\", \"year\": ")
            if let y = l.year { try sink.write(integer: Int64(y)) } else { try sink.write("null") }
            try text(", \"area\": ", l.area)
            try text(", \"key\": ", l.key)
            try text(", \"sum_of\": ", l.sumOf)
            try text(", \"text\": ", l.text)
            try text(", \"column_head\": ", l.column?.head)
            try sink.write(", \"column_year\": ")
            if let y = l.column?.year { try sink.write(integer: Int64(y)) } else { try sink.write("null") }
            try text(", \"column_kind\": ", l.column?.kind?.rawValue)
            try sink.write(i + 1 < t.lines.count ? "},\n" : "}\n")
        }
        try sink.write("      ]\n    }")
    }

    public static let csvColumns = ["sheet", "table", "cell", "role", "label", "year", "area", "key", "amount", "sum_of"]

    public static func writeCSV(_ b: Budget, to sink: ByteSink, delimiter: Character = ",", decimalComma: Bool = false) throws {
        let csv = BudgetCSVStream(sink: sink, delimiter: delimiter, decimalComma: decimalComma)
        try csv.header()
        for t in b.tables { for l in t.lines { try csv.write(l, in: t) } }
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

/// Writes a budget as a workbook: one long sheet (`.long`) or one sheet per table (`.perTable`),
/// amounts as numbers in `#,##0 "kr"`, and totals as live `=SUM()` formulas over the exported
/// rows of the lines they add up, with their stated values cached.
public enum BudgetXlsxWriter {
    public enum Layout: String, Sendable, CaseIterable { case long, perTable = "per-table" }

    static let columns = ["Blad", "Cell", "Roll", "Post", "År", "Område", "Nyckel", "Belopp", "Beräknat", "Differens", "Anmärkning"]
    /// Column widths; Anmärkning holds the kept-value note whole, so a chart beside it never covers it.
    static let widths: [Double] = [16, 8, 11, 40, 6, 20, 24, 16, 16, 14, 50]

    /// The role as the workbook's reader says it (`post`, `summa`, `delsumma`, `förändring`);
    /// the JSON keeps the stable English codes.
    public static func roleText(_ r: BudgetLine.Role, _ lang: Language = .sv) -> String {
        switch r {
        case .line: return Messages.text(.line, lang)
        case .subtotal: return Messages.text(.subtotal, lang)
        case .total: return Messages.text(.total, lang)
        case .change: return Messages.text(.change, lang)
        case .note: return Messages.text(.note, lang)
        case .heading: return Messages.text(.heading, lang)
        case .breakdown: return Messages.text(.breakdown, lang)
        }
    }

    public static func write(_ b: Budget, to path: String, layout: Layout = .long, chart: Bool = false, made: OutputProvenance? = nil) throws {
        let lines = b.tables.reduce(0) { $0 + $1.lines.count }
        let w = try BudgetXlsxStreamWriter(path: path, subject: b.file, layout: layout, chart: chart, constantMemory: lines > 200_000, made: made)
        for t in b.tables {
            try w.begin(t)
            for l in t.lines { try w.write(l) }
            try w.end()
        }
        try w.close()
    }
}

/// The budget workbook written line by line: what `anslag-export` uses for budgets of any size,
/// with memory flat in constant-memory mode (the map from source cells to exported rows is kept
/// as runs, one per column for a table whose lines follow each other).
public final class BudgetXlsxStreamWriter {
    let book: XlsxWorkbook
    let layout: BudgetXlsxWriter.Layout
    let chart: Bool
    var sheet: XlsxSheet?
    var row = 0
    var first = 0
    /// The header row of the current sheet (below its provenance block).
    var headerRow = 0
    /// The budget's source file and who writes the workbook, for each sheet's provenance block.
    let file: String
    let made: OutputProvenance?
    var table: BudgetTable?
    var tableCount = 0
    /// Running sums of the current table's amounts in öre, by exported row: `sums[i]` is the
    /// sum of rows `first ..< first + i`, so a total's lines add up in one subtraction a range
    /// (8 bytes a line; a dictionary of the amounts took 65 MiB more and 14 % longer on
    /// Scripts/bench's million-line export).
    var sums = RunningSums()
    /// The current table's lines, kept for its chart (per-table layout with a chart only).
    var chartLines: [BudgetLine] = []
    /// Each role's Swedish word, looked up once (not in the message table at every line).
    let roleTexts = BudgetLine.Role.allCases.map { BudgetXlsxWriter.roleText($0) }
    /// Source column → runs of (source row, exported row, count).
    var runs: [Int: [(source: Int, exported: Int, count: Int)]] = [:]

    /// `subject` is the budget's source file (its `file`), named in every sheet's provenance block.
    public init(path: String, subject: String, layout: BudgetXlsxWriter.Layout, chart: Bool, constantMemory: Bool,
                made: OutputProvenance? = nil) throws {
        book = try XlsxWorkbook(path: path, constantMemory: constantMemory, title: "Budget", subject: subject)
        self.layout = layout; self.chart = chart; self.file = subject; self.made = made
    }

    /// The block on top of a sheet: the long sheet names the budget's file; a table's sheet its
    /// title and where in the source it stands (`Källfil: budget.xlsx, blad 'Budget 2024', A3:B9`).
    /// Its last line says the amounts are in kronor, as they are written: a title or file name
    /// that names another unit (`Budget 2025 (tkr)`) is then not taken for the amounts' unit when
    /// the workbook is imported again.
    func provenance(_ t: BudgetTable?) -> ProvenanceBlock {
        var block: ProvenanceBlock
        if let t, layout == .perTable {
            block = ProvenanceBlock(title: t.title ?? t.sheet)
            block.add(.provenanceFile, "\(file), \(Messages.text(.provenanceSheet)) '\(t.sheet)', \(t.range)")
        } else {
            block = ProvenanceBlock(title: Messages.text(.budgetTitle))
            block.add(.provenanceFile, file)
        }
        block.add(made: made)
        block.lines.append((Messages.text(.amountsInKronor), false))
        return block
    }

    /// A new sheet: its provenance block, the column widths, the header row frozen below it.
    func startSheet(_ name: String, for t: BudgetTable?) throws -> XlsxSheet {
        let ws = try book.addSheet(name)
        for (c, w) in BudgetXlsxWriter.widths.enumerated() { ws.setWidth(c, w) }
        ws.measuresWidths = false
        headerRow = try provenance(t).write(on: ws)
        for (c, title) in BudgetXlsxWriter.columns.enumerated() { try ws.write(headerRow, c, string: title, .header) }
        ws.freezeHeader(columns: BudgetXlsxWriter.columns.count, at: headerRow)
        row = headerRow + 1
        return ws
    }

    /// Autofilter over the sheet's rows, page set up with its header row repeated.
    func finishSheet(_ ws: XlsxSheet) {
        ws.autofilter(through: row - 1, columns: BudgetXlsxWriter.columns.count, from: headerRow)
        ws.boardPage(headerRows: 1, from: headerRow)
    }

    public func begin(_ t: BudgetTable) throws {
        table = t
        chartLines = []
        runs = [:]
        sums = RunningSums()
        if sheet == nil || layout == .perTable {
            // Per table: its title when that fits a sheet name (31 characters), else its source
            // sheet's name whole (a second table of it gets " (2)"), never a name cut short.
            let name = layout == .long ? "Budget" : (t.title.flatMap { $0.count <= 31 ? $0 : nil } ?? t.sheet)
            sheet = try startSheet(name, for: t)
        }
        first = row
        tableCount += 1
    }

    public func write(_ l: BudgetLine) throws {
        guard let sheet, let t = table else { return }
        if chart && layout == .perTable && l.role == .line && l.amount != nil { chartLines.append(l) }
        let cellText = l.position?.a1 ?? l.cell.lastIndex(of: "!").map { String(l.cell[l.cell.index(after: $0)...]) } ?? l.cell
        try sheet.write(row, 0, string: t.sheet)
        try sheet.write(row, 1, string: cellText, .text)
        try sheet.write(row, 2, string: roleTexts[BudgetLine.Role.allCases.firstIndex(of: l.role)!])
        try sheet.write(row, 3, string: l.role == .note ? (l.text ?? l.label) : l.label, l.role == .total || l.role == .subtotal ? .header : .plain)
        if let y = l.year { try sheet.write(row, 4, number: Double(y), .plain) }
        if let a = l.area { try sheet.write(row, 5, string: a) }
        if let k = l.key { try sheet.write(row, 6, string: k) }
        if let m = l.amount {
            let value = Double(m.ore) / 100
            let style: XlsxWorkbook.Style = m.ore % 100 == 0 ? .kronor : .decimal
            if l.role == .total || l.role == .subtotal, let s = l.sumOf, let rows = exportedRows(s), let lines = sum(of: rows) {
                if lines == m {
                    try sheet.write(row, 7, formula: "=SUM(\(rows))", cached: value, style)
                } else {
                    // The stated value stays a constant, so no recalculation can erase the
                    // discrepancy; the computed sum is live beside it, the difference marked.
                    try sheet.write(row, 7, number: value, .highlighted(style))
                    let computed = Double(lines.ore) / 100, delta = Double((m - lines).ore) / 100
                    try sheet.write(row, 8, formula: "=SUM(\(rows))", cached: computed, lines.ore % 100 == 0 ? .kronor : .decimal)
                    try sheet.write(row, 9, formula: "=H\(row + 1)-I\(row + 1)", cached: delta, .highlighted((m - lines).ore % 100 == 0 ? .kronor : .decimal))
                    try sheet.write(row, 10, string: Messages.text(.statedKept))
                }
            } else {
                try sheet.write(row, 7, number: value, style)
            }
        }
        sums.add(l.amount?.ore ?? 0)
        if let p = CellPosition(a1: Substring(cellText)) {
            if let last = runs[p.column]?.last, last.source + last.count == p.row, last.exported + last.count == row {
                runs[p.column]![runs[p.column]!.count - 1].count += 1   // in place: no copy of the list
            } else {
                runs[p.column, default: []].append((p.row, row, 1))
            }
        }
        row += 1
    }

    /// The hidden sheet the charts' data go to, block after block (rows in order, as constant
    /// memory needs), and its next free row.
    var chartData: XlsxSheet?
    var chartRow = 0

    public func end() throws {
        guard let sheet, let t = table else { return }
        if chart && layout == .perTable && row > first {
            try chartByArea(t, on: sheet)
        }
        if layout == .perTable { finishSheet(sheet) }
    }

    /// The table's chart: its lines by area, never its totals (a Summa bar dwarfs what it adds
    /// up). A list: one bar per line. A matrix: the areas as categories, one series per year.
    /// The data go to a hidden sheet `Diagramdata`, so the chart needs no gaps.
    func chartByArea(_ t: BudgetTable, on sheet: XlsxSheet) throws {
        let lines = chartLines
        guard !lines.isEmpty else { return }
        if chartData == nil {
            chartData = try book.addSheet("Diagramdata")
            chartData!.hide()
        }
        let data = chartData!
        let top = chartRow
        var series: [(name: String, column: Int)] = []
        var count = 0
        if t.layout == .matrix, lines.allSatisfy({ $0.area != nil }) {
            var areas: [String] = [], years: [Int?] = []
            var cells: [String: [Int?: Money]] = [:]
            for l in lines {
                if cells[l.area!] == nil { areas.append(l.area!) }
                if !years.contains(l.year) { years.append(l.year) }
                cells[l.area!, default: [:]][l.year] = (cells[l.area!]?[l.year] ?? .zero) + l.amount!
            }
            for (i, a) in areas.enumerated() {
                try data.write(top + i, 0, string: a)
                for (j, y) in years.enumerated() {
                    if let m = cells[a]?[y] { try data.write(top + i, 1 + j, number: Double(m.ore) / 100, .kronor) }
                }
            }
            series = years.enumerated().map { (name: $0.element.map(String.init) ?? Messages.text(.amount), column: 1 + $0.offset) }
            count = areas.count
        } else {
            for (i, l) in lines.enumerated() {
                try data.write(top + i, 0, string: l.label.isEmpty ? (l.area ?? "") : l.label)
                try data.write(top + i, 1, number: Double(l.amount!.ore) / 100, .kronor)
            }
            series = [(name: Messages.text(.amount), column: 1)]
            count = lines.count
        }
        chartRow = top + count + 1
        try book.addChart(.bar, title: t.title ?? t.sheet, on: sheet, categoryColumn: 0, series: series,
                          firstRow: top, lastRow: top + count - 1, anchor: (headerRow + 1, 11), data: data)
    }

    public func close() throws {
        if sheet == nil { sheet = try startSheet("Budget", for: nil); finishSheet(sheet!) }
        else if layout == .long, let sheet { finishSheet(sheet) }
        try book.close()
    }

    /// The sum of the exported rows `H5:H12,H20` (the current table's), nil when it does not
    /// fit an amount (then the total is written as its value, with no formula).
    func sum(of rows: String) -> Money? {
        guard !sums.overflowed else { return nil }
        var total: Int64 = 0
        for piece in rows.split(separator: ",") {
            let ends = piece.split(separator: ":").compactMap { Int($0.dropFirst()) }
            guard let a = ends.first, let b = ends.last, a - 1 >= first, b - first <= sums.count - 1, a <= b else { return nil }
            let (range, o1) = sums[b - first].subtractingReportingOverflow(sums[a - 1 - first])
            let (next, o2) = total.addingReportingOverflow(range)
            guard !o1 && !o2 else { return nil }
            total = next
        }
        return Money(ore: total)
    }

    /// `C4:C11` or `C4,C9` in the source → `H5:H12` or `H5,H10` in the export, when every
    /// piece maps to exported rows; nil otherwise (the value is written instead).
    func exportedRows(_ sumOf: String) -> String? {
        var parts: [String] = []
        for piece in sumOf.split(separator: ",") {
            guard let r = CellRange(a1: piece) ?? CellPosition(a1: piece).map({ CellRange(start: $0, end: $0) }) else { return nil }
            var found = false
            for c in r.start.column...r.end.column {
                for run in runs[c] ?? [] {
                    let lo = max(run.source, r.start.row), hi = min(run.source + run.count - 1, r.end.row)
                    guard lo <= hi else { continue }
                    let a = run.exported + (lo - run.source), b = run.exported + (hi - run.source)
                    parts.append(a == b ? "H\(a + 1)" : "H\(a + 1):H\(b + 1)")
                    found = true
                }
            }
            if !found { return nil }
        }
        return parts.isEmpty ? nil : parts.joined(separator: ",")
    }
}

/// Running sums (`self[i]`: the sum of the first `i` amounts added) in blocks of 65 536 that
/// are never moved: adding never copies what is there (an array doubling would keep every
/// smaller copy resident, as the tools keep large freed blocks in the heap: 16 MiB instead of
/// 8 on a million lines).
struct RunningSums {
    private var blocks: [[Int64]] = [[0]]
    private(set) var count = 1
    private var last: Int64 = 0
    /// A running sum passed ±92 233 720 368 547 758 kr: the sums are then not used (the
    /// totals are written as their values, with no formula) rather than used wrapped.
    private(set) var overflowed = false
    subscript(i: Int) -> Int64 { blocks[i >> 16][i & 0xFFFF] }
    mutating func add(_ ore: Int64) {
        let (next, overflow) = last.addingReportingOverflow(ore)
        overflowed = overflowed || overflow
        last = next
        if blocks[blocks.count - 1].count == 1 << 16 {
            var b: [Int64] = []
            b.reserveCapacity(1 << 16)
            blocks.append(b)
        }
        blocks[blocks.count - 1].append(next)
        count += 1
    }
}

/// Budget lines as CSV rows, one at a time.
public final class BudgetCSVStream {
    let sink: ByteSink
    let delimiter: Character
    let decimalComma: Bool

    public init(sink: ByteSink, delimiter: Character = ",", decimalComma: Bool = false) {
        self.sink = sink; self.delimiter = delimiter; self.decimalComma = decimalComma
    }

    public func header() throws { try sink.write(BudgetWriter.csvColumns.joined(separator: String(delimiter)) + "\r\n") }

    func field(_ s: String) -> String { CSVText.field(s, delimiter) }
    func amount(_ m: Money?) -> String { CSVText.kronor(m, decimalComma: decimalComma) }

    public func write(_ l: BudgetLine, in t: BudgetTable) throws {
        let cells = [t.sheet, t.range, l.cell, l.role.rawValue, l.label, l.year.map(String.init) ?? "", l.area ?? "", l.key ?? "", amount(l.amount), l.sumOf ?? ""]
        try sink.write(cells.map(field).joined(separator: String(delimiter)) + "\r\n")
    }
}
