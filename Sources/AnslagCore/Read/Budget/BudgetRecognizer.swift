import Dispatch

/// Recognises budget tables in a sheet without a template, and checks every stated total,
/// sum and change as it goes.
///
/// A row is a *data row* when it has a label (its first text cell, or a year) and amounts to
/// the right of it; a *header row* has two or more texts and is followed by data rows with
/// amounts under them; a row of text only is a title, a section heading or a note. Totals are
/// rows labelled Summa / Totalt / Total (… and their compounds such as "Summa kostnader" or
/// "Totalt regioner"). For every amount column a total is checked:
///
/// 1. when the cell holds a SUM (or `a+b+c`) formula, against the cells it names;
/// 2. otherwise against the lines since the previous total in that column, or the sum of the
///    last few totals (a grand total over subtotals, also across blank rows and section
///    headings), or all the lines of the table — whichever it states; when none matches, the
///    lines since the previous total (or the totals) are what it should have said.
///
/// Matrices (a header of areas with a *Totalt* column) also have every row's Totalt checked
/// against its areas, and *Förändring 2023–2024* rows against the difference of the two year
/// rows, column by column (matched by the header's area names across year blocks).
public struct BudgetRecognizer {
    public struct Options: Sendable {
        /// Differences up to this many kronor are reported as info, not errors.
        public var tolerance: Money = .zero
        public var layout: LayoutFile?
        public init(tolerance: Money = .zero, layout: LayoutFile? = nil) { self.tolerance = tolerance; self.layout = layout }
    }

    public struct Result: Sendable {
        public var budget: Budget
        public var findings: [ReportFinding]
    }

    let options: Options
    public init(options: Options = Options()) { self.options = options }

    /// Recognises the tables of a workbook already read (on this thread only).
    public func read(_ workbook: Workbook, file: String) -> Result {
        var tables: [BudgetTable] = []
        var findings: [ReportFinding] = []
        for sheet in workbook.sheets where sheet.info.kind == .worksheet {
            var s = SheetScan(sheet: sheet, file: file, options: options, layout: options.layout?.sheet(named: sheet.name))
            s.run()
            tables += s.tables
            findings += s.findings
        }
        return Result(budget: Budget(file: file, sheets: workbook.sheets.map(\.info), tables: tables), findings: findings)
    }

    /// Reads every sheet of the workbook and recognises its tables. Sheets are parsed on a
    /// second thread while the ones already read are recognised on this one (at most four
    /// sheets wait in between), so the two overlap on two cores.
    public func read(_ reader: any SpreadsheetReader, second: (any SpreadsheetReader)? = nil) throws -> Result {
        if let second, reader.sheets.count >= 4 { return try readOnTwo(reader, second) }
        var tables: [BudgetTable] = []
        var findings: [ReportFinding] = []
        let indices = reader.sheets.indices.filter { reader.sheets[$0].kind == .worksheet }
        let handoff = Handoff<Sheet>(depth: 4)
        let box = UncheckedBox(reader)
        DispatchQueue.global().async {
            do {
                for i in indices { guard handoff.put(try box.value.sheet(at: i)) else { return } }
                handoff.finish()
            } catch {
                handoff.finish(error: error)
            }
        }
        defer { handoff.cancel() }
        while let sheet = try handoff.take() {
            var s = SheetScan(sheet: sheet, file: reader.file, options: options, layout: options.layout?.sheet(named: sheet.name))
            s.run()
            tables += s.tables
            findings += s.findings
        }
        return Result(budget: Budget(file: reader.file, sheets: reader.sheets, tables: tables), findings: findings)
    }

    /// Two readers of the same workbook (two zip handles), each parsing and recognising every
    /// other sheet on its own core; results in sheet order.
    func readOnTwo(_ a: any SpreadsheetReader, _ b: any SpreadsheetReader) throws -> Result {
        let indices = a.sheets.indices.filter { a.sheets[$0].kind == .worksheet }
        final class Slots: @unchecked Sendable {
            var results: [Swift.Result<([BudgetTable], [ReportFinding]), any Error>?]
            init(_ n: Int) { results = Array(repeating: nil, count: n) }
        }
        let slots = Slots(indices.count)
        let readers = UncheckedBox([a, b])
        let me = UncheckedBox(self)
        let file = a.file
        DispatchQueue.concurrentPerform(iterations: 2) { k in
            let reader = readers.value[k]
            var n = k
            while n < indices.count {
                do {
                    let sheet = try reader.sheet(at: indices[n])
                    var s = SheetScan(sheet: sheet, file: file, options: me.value.options, layout: me.value.options.layout?.sheet(named: sheet.name))
                    s.run()
                    slots.results[n] = .success((s.tables, s.findings))
                } catch {
                    slots.results[n] = .failure(error)
                    return
                }
                n += 2
            }
        }
        var tables: [BudgetTable] = []
        var findings: [ReportFinding] = []
        for r in slots.results {
            guard let r else { continue }
            let (t, f) = try r.get()
            tables += t
            findings += f
        }
        return Result(budget: Budget(file: a.file, sheets: a.sheets, tables: tables), findings: findings)
    }

    /// Total words, folded: a row whose label is one of these, or starts with one followed by
    /// more words, states a total.
    /// Whether a raw label could be a total or change label at all: its first letter is
    /// s, t, f or d (Summa, Totalt, Total, Förändring, Differens). Saves folding every label.
    static func mayBeTotalOrChange(_ raw: String) -> Bool {
        guard let b = raw.utf8.first(where: { $0 != 32 }) else { return false }
        switch b | 0x20 {
        case UInt8(ascii: "s"), UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "d"): return true
        default: return false
        }
    }

    static let totalWords = ["summa", "totalt", "total", "totalsumma", "sammanlagt", "totala kostnader", "totala intakter"]
    static let totalPrefixes = totalWords.flatMap { [$0 + " ", $0 + ":"] }

    static func isTotalLabel(_ folded: String) -> Bool {
        guard !folded.isEmpty else { return false }
        let f = folded.hasSuffix(":") || folded.hasSuffix(" ") ? folded.trimmingCharacters(in: ":") : folded
        return totalWords.contains(f) || totalPrefixes.contains { f.hasPrefix($0) }
    }

    /// Folds a label for matching; long texts (notes, not labels) are not folded at all, which
    /// keeps sheets of huge strings fast.
    static func fold(_ s: String) -> String { s.utf8.count > 200 ? "" : RegionRegistry.fold(s) }

    static func isChangeLabel(_ folded: String) -> Bool { folded.hasPrefix("forandring") || folded.hasPrefix("differens") }

    /// The unit a text names ("Angivet i tusental kronor", "(tkr)", "Belopp, mnkr"), if any.
    static func unit(in text: String) -> AmountUnit? {
        guard text.utf8.count <= 200, mentionsMoney(text) else { return nil }
        let f = BudgetRecognizer.fold(text)
        let words = Set(f.split(whereSeparator: { !$0.isLetter }).map(String.init))
        if f.contains("tusental kronor") || f.contains("tusen kronor") || words.contains("tkr") || words.contains("ksek") { return .tkr }
        if f.contains("miljoner kronor") || f.contains("miljontal kronor") || words.contains("mnkr") || words.contains("mkr") || words.contains("msek") { return .mnkr }
        return nil
    }

    /// Whether the text has "kr", "sek", "tusen" or "miljon" in it (any case): a quick test
    /// before the slower word-by-word look.
    static func mentionsMoney(_ text: String) -> Bool {
        var prev: UInt8 = 0, prev2: UInt8 = 0
        for b in text.utf8 {
            let c = b | 0x20
            if (prev == UInt8(ascii: "k") && c == UInt8(ascii: "r")) || (prev2 == UInt8(ascii: "s") && prev == UInt8(ascii: "e") && c == UInt8(ascii: "k"))
                || (prev2 == UInt8(ascii: "u") && prev == UInt8(ascii: "s") && c == UInt8(ascii: "e")) || (prev2 == UInt8(ascii: "l") && prev == UInt8(ascii: "j") && c == UInt8(ascii: "o")) {
                return true
            }
            prev2 = prev; prev = c
        }
        return false
    }

    /// Key text of an allocation table: "efter befolkningsstorlek", "1/3", "25 %", "lika delar".
    static func looksLikeKey(_ t: String) -> Bool {
        let u = Array(t.utf8.prefix(120))
        if u.contains(UInt8(ascii: "/")) || u.contains(UInt8(ascii: "%")) { return true }
        func starts(_ w: String) -> Bool {
            let b = Array(w.utf8)
            return u.count >= b.count && zip(u, b).allSatisfy { $0 | 0x20 == $1 }
        }
        if starts("efter") || starts("lika") { return true }
        let lower = u.map { $0 | 0x20 }
        let needle = Array("befolkning".utf8)
        return lower.count >= needle.count && (0...(lower.count - needle.count)).contains { i in lower[i..<(i + needle.count)].elementsEqual(needle) }
    }

    /// Four-digit years in a text, in order ("Förändring 2023–2024" → [2023, 2024]).
    static func years(in text: String) -> [Int] {
        guard text.utf8.count <= 200 else { return [] }
        var out: [Int] = []
        var run = ""
        for c in text + " " {
            if c.isASCII && c.isNumber { run.append(c); continue }
            if run.count == 4, let y = Int(run), (1900...2200).contains(y) { out.append(y) }
            run = ""
        }
        return out
    }
}

/// What a cell holds, for recognition.
enum ScanCell {
    case empty
    case text(String)
    /// An amount as written: öre before the table's unit, and the unit the text itself named.
    case amount(Money, explicit: AmountUnit?, isNumber: Bool)
    /// A number that is not whole öre (a ratio, a rate), a date or a time: not an amount, and a
    /// total over it cannot be checked exactly.
    case inexact
}

struct SheetScan {
    let sheet: Sheet
    let file: String
    let options: BudgetRecognizer.Options
    let layout: LayoutFile.SheetLayout?
    var tables: [BudgetTable] = []
    var findings: [ReportFinding] = []
    var unitAssumedSaid = false

    init(sheet: Sheet, file: String, options: BudgetRecognizer.Options, layout: LayoutFile.SheetLayout?) {
        self.sheet = sheet; self.file = file; self.options = options; self.layout = layout
        refPrefix = "'\(sheet.name.replacingApostrophes())'!"
    }

    var name: String { sheet.name }
    let refPrefix: String
    func ref(_ r: Int, _ c: Int) -> String { refPrefix + CellPosition(row: r, column: c).a1 }
    func a1(_ r: Int, _ c: Int) -> String { CellPosition(row: r, column: c).a1 }

    static func classify(_ cell: Cell) -> ScanCell {
        switch cell.value {
        case .empty: return .empty
        case .number(let d):
            guard let m = Money(spreadsheetNumber: d) else { return .inexact }
            return .amount(m, explicit: nil, isNumber: true)
        case .string(let s):
            if s.utf8.count > 200 { return .text(s) }   // a note, never an amount
            // Amount text starts with a digit, a sign, a parenthesis or a space.
            if let b = s.utf8.first, !(b >= 48 && b <= 57) && !"+-(−– \u{A0}\u{202F}\t".utf8.contains(b) { return .text(s) }
            let t = s.trimmingCharacters()
            if t.isEmpty { return .empty }
            if let p = AmountText.parse(t) { return .amount(p.amount, explicit: p.unit, isNumber: false) }
            return .text(t)
        case .bool(let b): return .text(b ? "TRUE" : "FALSE")
        case .error(let e): return .text(e)
        case .dateTime, .duration: return .inexact
        }
    }

    /// A row, read for recognition.
    struct Row {
        var index: Int
        var cells: [ScanCell]
        var labelColumn: Int?
        var label: String?
        var year: Int?
        /// Amount columns right of the label.
        var amounts: [Int]
        /// Texts right of the label (key text, notes in amount columns).
        var texts: [Int]
        /// Columns holding numbers that are not whole öre, dates or times.
        var inexact: [Int] = []
        var isEmpty: Bool { labelColumn == nil && amounts.isEmpty && texts.isEmpty }
    }

    func scanRow(_ r: Int) -> Row {
        let raw = sheet.rows[r]
        let cells = raw.map(Self.classify)
        var row = Row(index: r, cells: cells, amounts: [], texts: [])
        for (c, cell) in cells.enumerated() {
            switch cell {
            case .empty: continue
            case .inexact: row.inexact.append(c)
            case .text(let t):
                if row.labelColumn == nil { row.labelColumn = c; row.label = t; row.year = Self.year(t) }
                else { row.texts.append(c) }
            case .amount(let m, let explicit, let isNumber):
                if row.labelColumn == nil, explicit == nil, isNumber || m.ore % 100 == 0, let y = Self.year(m) {
                    // A year in the label position: "2023" as a row label.
                    row.labelColumn = c; row.label = String(y); row.year = y
                } else if row.labelColumn == nil && layout?.labelColumn == nil {
                    // Amounts with no label before them: an unlabelled row of amounts.
                    row.amounts.append(c)
                } else {
                    row.amounts.append(c)
                }
            }
        }
        if let lc = layout?.labelColumn {
            // The layout file names the label column: amounts are what lies right of it.
            row.labelColumn = nil; row.label = nil; row.year = nil; row.amounts = []; row.texts = []
            for (c, cell) in cells.enumerated() {
                if c == lc, case .text(let t) = cell { row.labelColumn = c; row.label = t; row.year = Self.year(t) }
                else if c == lc, case .amount(let m, _, _) = cell, let y = Self.year(m) { row.labelColumn = c; row.label = String(y); row.year = y }
                else if c > lc, case .amount = cell { row.amounts.append(c) }
                else if c > lc, case .text = cell { row.texts.append(c) }
            }
        }
        return row
    }

    static func year(_ t: String) -> Int? {
        guard t.utf8.count <= 12 else { return nil }
        let s = t.trimmingCharacters()
        guard s.count == 4, let y = Int(s), (1900...2200).contains(y) else { return nil }
        return y
    }

    static func year(_ m: Money) -> Int? {
        guard m.ore % 100 == 0, (190_000...220_000).contains(m.ore) else { return nil }
        return Int(m.ore / 100)
    }

    /// Money in kronor for a cell of a table in `unit`: text that named its own unit keeps it.
    static func kronor(_ cell: ScanCell, unit: AmountUnit) -> Money? {
        guard case .amount(let m, let explicit, _) = cell else { return nil }
        if explicit != nil { return m }
        let (v, overflow) = m.ore.multipliedReportingOverflow(by: unit.kronor)
        return overflow ? nil : Money(ore: v)
    }

    // MARK: The scan

    /// One table being built.
    struct Open {
        var start: Int
        var end: Int
        var title: String?
        var header: [Int: String] = [:]
        var headerRow: Int?
        var unit: AmountUnit
        var unitSource: String?
        var lines: [BudgetLine] = []
        var hasHeadings = false
        var totals = 0
        var isAllocation = false
        var firstColumn = Int.max
        var lastColumn = 0
        /// Per amount column: lines since the last total, and all lines of the table.
        var pending: [Int: [(row: Int, amount: Money)]] = [:]
        /// Columns where a line since the last total was not an exact amount: that total
        /// cannot be checked.
        var tainted: Set<Int> = []
        var all: [Int: [(row: Int, amount: Money)]] = [:]
        var dataRows = 0
        /// Rows with a year label: year → row, for change rows.
        var yearRows: [Int: Int] = [:]
        /// Rows stating vertical totals.
        var totalRows: Set<Int> = []
        /// A total here added up totals of the table before (a grand total over sections).
        var mergeFrom: Int?
        var titleCell: String?
        /// Header columns named Totalt/Total/Summa (a matrix's row totals).
        var totalColumns: [Int] = []
    }

    mutating func run() {
        let rows = sheet.rows.indices.map(scanRow)
        // Sheet-level state: totals not yet summed by a grand total, per column.
        var closed: [Int: [(row: Int, amount: Money, covered: Money)]] = [:]
        var sheetUnit: (AmountUnit, String)? = layout?.unit.map { ($0, "the layout file") }
        var open: Open?
        var lastWasTotal = false
        var blankSince = false
        var yearRowsBySheet: [(row: Int, year: Int, header: [Int: String])] = []
        var changeRows: [(row: Row, header: [Int: String], unit: AmountUnit, table: Int)] = []
        var tableIndex = 0

        func isHeader(_ i: Int) -> Bool {
            let r = rows[i]
            if let h = layout?.headerRow { return h == i }
            guard r.amounts.isEmpty, let lc = r.labelColumn, r.texts.count >= 1 else { return false }
            // The next non-empty row has amounts under the header's texts.
            var j = i + 1
            while j < rows.count && rows[j].isEmpty { j += 1 }
            guard j < rows.count, j - i <= 2 else { return false }
            let next = rows[j]
            let texts = Set([lc] + r.texts)
            return next.amounts.contains { texts.contains($0) } && next.labelColumn != nil
        }

        var metas: [(totalRows: Set<Int>, titleCell: String?)] = []
        func close(_ o: Open) {
            var t = o
            let layout: BudgetTable.Layout = t.isAllocation ? .allocation
                : (t.header.count >= 3 && t.header.values.contains { BudgetRecognizer.isTotalLabel(BudgetRecognizer.fold($0)) } || t.yearRows.count >= 2) ? .matrix
                : (t.hasHeadings || t.totals > 1) ? .sectioned : .list
            guard t.dataRows > 0 else { return }
            if t.unitSource == nil && t.lines.contains(where: { $0.amount != nil }) && !unitAssumedSaid {
                unitAssumedSaid = true
                findings.append(ReportFinding(code: "unit-assumed", severity: .info, file: file, sheet: name,
                                              cell: a1(t.start, t.firstColumn == Int.max ? 0 : t.firstColumn),
                                              message: "no unit stated (such as \"tkr\" or \"i tusental kronor\") for the table at \(a1(t.start, max(0, t.firstColumn == Int.max ? 0 : t.firstColumn)))\(tables.isEmpty ? "" : " and after it"); amounts read as kronor"))
            }
            var layoutKind = layout
            var start = t.start
            if let from = t.mergeFrom {
                // A grand total over subtotals of the tables before (sections split by blank
                // rows and headings): one sectioned table.
                var parts: [(table: BudgetTable, titleCell: String?)] = []
                while let previous = tables.last, previous.sheet == name, let meta = metas.last,
                      let p = CellRange(a1: Substring(previous.range)), p.end.row >= from {
                    tables.removeLast(); metas.removeLast()
                    parts.append((previous, meta.titleCell))
                    t.totalRows.formUnion(meta.totalRows)
                    start = p.start.row
                    t.firstColumn = min(t.firstColumn, p.start.column)
                    layoutKind = .sectioned
                }
                var heading: [BudgetLine] = []
                if !parts.isEmpty {
                    // Earlier tables first; each later one's title becomes a section heading.
                    var merged: [BudgetLine] = []
                    merged.reserveCapacity(parts.reduce(t.lines.count + parts.count + 1) { $0 + $1.table.lines.count })
                    for (k, part) in parts.reversed().enumerated() {
                        if k > 0, let title = part.table.title { merged.append(BudgetLine(label: title, amount: nil, cell: part.titleCell ?? "", role: .heading)) }
                        merged += part.table.lines
                    }
                    if let title = t.title { merged.append(BudgetLine(label: title, amount: nil, cell: t.titleCell ?? "", role: .heading)) }
                    merged += t.lines
                    t.lines = merged
                    t.title = parts.last!.table.title
                    heading = []
                }
                if !heading.isEmpty && t.title == nil { t.title = heading[0].label }
            }
            // The last total row of a table holds its totals; earlier total rows are subtotals.
            if let last = t.totalRows.max() {
                for i in t.lines.indices where t.lines[i].role == .total {
                    if let p = CellPosition(a1: Substring(t.lines[i].cell.split(separator: "!").last ?? "")), t.totalRows.contains(p.row), p.row != last {
                        t.lines[i].role = .subtotal
                    }
                }
            }
            metas.append((t.totalRows, t.titleCell))
            let range = "\(a1(start, t.firstColumn == Int.max ? 0 : t.firstColumn)):\(a1(t.end, t.lastColumn))"
            tables.append(BudgetTable(sheet: name, hidden: sheet.info.state != .visible, layout: layoutKind, title: t.title,
                                      range: range, unit: t.unit, unitSource: t.unitSource,
                                      header: t.header.sorted { $0.key < $1.key }.map { BudgetColumn(column: CellPosition.columnName($0.key), text: $0.value) },
                                      lines: t.lines))
        }

        for i in rows.indices {
            let row = rows[i]
            if row.isEmpty { blankSince = true; continue }
            defer {
                blankSince = false
                lastWasTotal = row.label.map { BudgetRecognizer.mayBeTotalOrChange($0) && BudgetRecognizer.isTotalLabel(BudgetRecognizer.fold($0)) } ?? false
            }

            // Unit notes anywhere in text cells.
            var rowUnit: (AmountUnit, String)?
            var textCount = 0
            for c in (row.labelColumn.map { [$0] } ?? []) + row.texts {
                guard case .text(let t) = row.cells[c] else { continue }
                textCount += 1
                if BudgetRecognizer.mentionsMoney(t), let u = BudgetRecognizer.unit(in: t), t.count < 120 {
                    rowUnit = (u, "\"\(t)\" in \(a1(i, c))")
                }
            }

            let header = isHeader(i)
            let startsNew = header || (open != nil && blankSince && row.amounts.isEmpty
                                       && lastWasTotal)
            if startsNew || open == nil {
                if let o = open { close(o); tableIndex += 1 }
                open = Open(start: i, end: i, unit: sheetUnit?.0 ?? .kronor, unitSource: sheetUnit?.1)
            }
            if let u = rowUnit {
                if row.amounts.isEmpty && !header {
                    // A unit note applies to this table and to the tables after it.
                    sheetUnit = u
                }
                if open!.dataRows == 0 { open!.unit = u.0; open!.unitSource = u.1 }
            }
            open!.end = i
            open!.firstColumn = min(open!.firstColumn, row.labelColumn ?? row.amounts.first ?? 0)
            open!.lastColumn = max(open!.lastColumn, (row.amounts + row.texts + [row.labelColumn ?? 0]).max() ?? 0)

            if header {
                open!.headerRow = i
                open!.header = [:]
                for c in [row.labelColumn!] + row.texts { if case .text(let t) = row.cells[c] { open!.header[c] = t } }
                open!.totalColumns = open!.header.filter { BudgetRecognizer.isTotalLabel(BudgetRecognizer.fold($0.value)) }.map(\.key)
                let folded = open!.header.values.map(RegionRegistry.fold)
                if folded.contains(where: { ["mottagare", "bidragsmottagare", "organisation", "nyckel", "fordelningsnyckel", "fordelning"].contains($0) || $0.hasPrefix("fordelningsnyckel") }) {
                    open!.isAllocation = true
                }
                continue
            }

            guard let labelColumn = row.labelColumn, let label = row.label else {
                // Amounts without a label: lines of their own (a bare column of numbers).
                if !row.amounts.isEmpty {
                    open!.dataRows += 1
                    for c in row.amounts {
                        guard let m = Self.kronor(row.cells[c], unit: open!.unit) else { continue }
                        open!.lines.append(BudgetLine(label: "", amount: m, cell: ref(i, c), role: .line, area: open!.header[c]))
                        open!.pending[c, default: []].append((i, m)); open!.all[c, default: []].append((i, m))
                    }
                }
                continue
            }
            let folded = BudgetRecognizer.mayBeTotalOrChange(label) ? BudgetRecognizer.fold(label) : ""
            for c in row.inexact { open!.tainted.insert(c) }

            if row.amounts.isEmpty {
                // Text only: the title, a section heading or a note.
                let afterTotal = lastWasTotal
                if rowUnit != nil && textCount == 1 && open!.dataRows == 0 { continue }   // the unit note itself
                if open!.dataRows == 0 && open!.title == nil { open!.title = label; open!.titleCell = ref(i, labelColumn) }
                else if open!.dataRows == 0 {
                    open!.hasHeadings = true
                    open!.lines.append(BudgetLine(label: label, amount: nil, cell: ref(i, labelColumn), role: .heading))
                }
                else if open!.dataRows > 0 && (label.count > 60 || !row.texts.isEmpty || afterTotal || labelColumn > open!.firstColumn) {
                    open!.lines.append(BudgetLine(label: label, amount: nil, cell: ref(i, labelColumn), role: .note, text: label))
                } else if open!.dataRows > 0 {
                    open!.hasHeadings = true
                    open!.lines.append(BudgetLine(label: label, amount: nil, cell: ref(i, labelColumn), role: .heading))
                }
                continue
            }

            open!.dataRows += 1
            let keyText: String? = row.texts.compactMap { c -> String? in
                guard c > labelColumn, case .text(let t) = row.cells[c] else { return nil }
                return BudgetRecognizer.looksLikeKey(t) ? t : nil
            }.first
            if keyText != nil { open!.isAllocation = true }
            let isTotal = layout.map { $0.totalRows.contains(i) } ?? false || BudgetRecognizer.isTotalLabel(folded)
            let isChange = BudgetRecognizer.isChangeLabel(folded)
            if let y = row.year, !isTotal, !isChange {
                open!.yearRows[y] = i
                yearRowsBySheet.append((i, y, open!.header))
            }

            if isChange {
                changeRows.append((row, open!.header, open!.unit, tableIndex))
                for c in row.amounts {
                    guard let m = Self.kronor(row.cells[c], unit: open!.unit) else { continue }
                    open!.lines.append(BudgetLine(label: label, amount: m, cell: ref(i, c), role: .change, area: open!.header[c]))
                }
                continue
            }

            // Matrix: the row's Totalt column against its areas.
            let totalColumns = open!.totalColumns.filter { $0 > labelColumn }
            if let tc = totalColumns.min(), row.amounts.contains(tc), let stated = Self.kronor(row.cells[tc], unit: open!.unit) {
                let areas = row.amounts.filter { $0 != tc && $0 < tc && open!.header[$0] != nil }
                if !areas.isEmpty {
                    let computed = areas.reduce(Money.zero) { $0 + (Self.kronor(row.cells[$1], unit: open!.unit) ?? .zero) }
                    let lines = "\(a1(i, areas.min()!)):\(a1(i, areas.max()!))"
                    checkFormulaOrValue(row: i, column: tc, stated: stated, computed: computed, lines: lines, unit: open!.unit,
                                        what: "\(label): the Totalt column")
                }
            }

            for c in row.amounts {
                guard let m = Self.kronor(row.cells[c], unit: open!.unit) else { continue }
                let isTotalColumn = totalColumns.contains(c)
                if isTotal {
                    open!.totals += 1
                    open!.totalRows.insert(i)
                    let sumOf = checkTotal(row: i, column: c, stated: m, label: label, open: &open!, closed: &closed)
                    open!.lines.append(BudgetLine(label: label, amount: m, cell: ref(i, c), role: .total, year: row.year,
                                                  area: open!.header[c], sumOf: sumOf))
                } else {
                    open!.lines.append(BudgetLine(label: label, amount: m, cell: ref(i, c), role: isTotalColumn ? .total : .line,
                                                  year: row.year, area: open!.header[c], key: keyText))
                    if !isTotalColumn || true {
                        open!.pending[c, default: []].append((i, m)); open!.all[c, default: []].append((i, m))
                    }
                }
            }
            // Text in an amount column of a data row: a note unless it looks like a broken amount.
            for c in row.texts where c > labelColumn {
                guard case .text(let t) = row.cells[c], t != keyText else { continue }
                let digits = t.filter(\.isNumber).count
                if digits >= 1 && t.count < 40 && BudgetRecognizer.mentionsMoney(t) {
                    findings.append(ReportFinding(code: "amount-unparsed", severity: .warning, file: file, sheet: name, cell: a1(i, c),
                                                  message: "\"\(t)\" looks like an amount but is not one Anslag can read exactly; it was left out"))
                }
            }
        }
        if let o = open { close(o) }

        // Change rows: the difference of the two year rows, column by column (by area name).
        for (row, header, unit, _) in changeRows {
            let ys = BudgetRecognizer.years(in: row.label ?? "")
            guard ys.count >= 2 else { continue }
            let (y1, y2) = (ys[0], ys[1])
            guard let r1 = yearRowsBySheet.last(where: { $0.year == y1 && $0.row < row.index }) ?? yearRowsBySheet.first(where: { $0.year == y1 }),
                  let r2 = yearRowsBySheet.last(where: { $0.year == y2 && $0.row < row.index }) ?? yearRowsBySheet.first(where: { $0.year == y2 }) else { continue }
            for c in row.amounts {
                guard let stated = Self.kronor(row.cells[c], unit: unit) else { continue }
                func column(in h: [Int: String]) -> Int? {
                    guard let area = header[c] else { return c }
                    if h[c] == area { return c }
                    return h.first { BudgetRecognizer.fold($0.value) == BudgetRecognizer.fold(area) }?.key
                }
                guard let c1 = column(in: r1.header), let c2 = column(in: r2.header),
                      let v1 = Self.kronor(rows[r1.row].cells.count > c1 ? rows[r1.row].cells[c1] : .empty, unit: unit),
                      let v2 = Self.kronor(rows[r2.row].cells.count > c2 ? rows[r2.row].cells[c2] : .empty, unit: unit) else { continue }
                let computed = v2 - v1
                let flagged = Set(findings.filter { $0.severity == .error }.compactMap(\.cell))
                if flagged.contains(a1(r1.row, c1)) || flagged.contains(a1(r2.row, c2)) { continue }   // reported already; no cascade
                if stated != computed {
                    report(code: "change-mismatch", row: row.index, column: c, stated: stated, computed: computed,
                           lines: "\(a1(r2.row, c2)) − \(a1(r1.row, c1))", unit: unit,
                           what: "\(row.label ?? ""): \(y2) − \(y1)\(header[c].map { " for \($0)" } ?? "")")
                }
            }
        }
        // In sheet order: by row, then column.
        findings = findings.enumerated().sorted { a, b in
            let pa = a.element.cell.flatMap { CellPosition(a1: Substring($0)) }, pb = b.element.cell.flatMap { CellPosition(a1: Substring($0)) }
            if let pa, let pb, pa != pb { return pa < pb }
            return a.offset < b.offset
        }.map(\.element)
    }

    /// Checks one total cell; returns the cells it sums.
    mutating func checkTotal(row i: Int, column c: Int, stated: Money, label: String, open o: inout Open,
                             closed: inout [Int: [(row: Int, amount: Money, covered: Money)]]) -> String? {
        let unit = o.unit
        let tainted = o.tainted.contains(c)
        defer {
            o.pending[c] = []
            o.tainted.remove(c)
        }
        // 1. A formula naming the cells it adds.
        if let f = sheet.rows[i][c].formula, let refs = FormulaRefs.sumReferences(f) {
            var computed = Money.zero
            for r in refs {
                for rr in r.start.row...r.end.row where rr < sheet.rows.count {
                    for cc in r.start.column...r.end.column where cc < sheet.rows[rr].count {
                        if rr == i && cc == c { continue }
                        if let m = Self.kronor(Self.classify(sheet.rows[rr][cc]), unit: unit), Self.classify(sheet.rows[rr][cc]).isNumberLike {
                            computed = computed + m
                        }
                    }
                }
            }
            let lines = refs.map(\.a1).joined(separator: ",")
            if stated != computed {
                report(code: "sum-mismatch", row: i, column: c, stated: stated, computed: computed, lines: lines, unit: unit,
                       what: "\(label) (=\(f))")
            }
            // Totals the formula covers are consumed.
            let covered = { (row: Int) in refs.contains { $0.start.row <= row && row <= $0.end.row && $0.start.column <= c && c <= $0.end.column } }
            for t in closed[c] ?? [] where covered(t.row) && t.row < o.start { o.mergeFrom = min(o.mergeFrom ?? Int.max, t.row) }
            closed[c] = (closed[c] ?? []).filter { !covered($0.row) }
            closed[c, default: []].append((i, stated, computed))
            return lines
        }
        let pending = o.pending[c] ?? []
        let all = o.all[c] ?? []
        let previous = closed[c] ?? []
        if tainted {
            // Lines that are not exact amounts (rates, ratios) above: nothing can be said.
            closed[c, default: []].append((i, stated, stated))
            return nil
        }
        func span(_ rows: [Int]) -> String? {
            guard let lo = rows.min(), let hi = rows.max() else { return nil }
            return lo == hi ? a1(lo, c) : "\(a1(lo, c)):\(a1(hi, c))"
        }
        let pendingSum = pending.reduce(Money.zero) { $0 + $1.amount }
        // 2a. The lines since the previous total.
        if !pending.isEmpty && pendingSum == stated {
            closed[c, default: []].append((i, stated, pendingSum))
            return span(pending.map(\.row))
        }
        // 2b. The last k totals (a grand total over subtotals) — as stated, or as their lines
        // add up (a wrong subtotal is reported once, not again at the grand total).
        // 2c. The same with the lines after the last subtotal.
        var statedAcc = pendingSum, coveredAcc = pendingSum
        for k in stride(from: previous.count - 1, through: 0, by: -1) {
            statedAcc = statedAcc + previous[k].amount
            coveredAcc = coveredAcc + previous[k].covered
            if statedAcc == stated || coveredAcc == stated {
                if previous[k].row < o.start { o.mergeFrom = min(o.mergeFrom ?? Int.max, previous[k].row) }
                closed[c] = Array(previous[..<k]) + [(i, stated, coveredAcc)]
                return (previous[k...].map { a1($0.row, c) } + (pending.isEmpty ? [] : [span(pending.map(\.row))!])).joined(separator: ",")
            }
        }
        // 2d. All lines of the table.
        let allSum = all.reduce(Money.zero) { $0 + $1.amount }
        if !all.isEmpty && allSum == stated {
            closed[c] = (closed[c] ?? []).filter { $0.row < o.start } + [(i, stated, allSum)]
            return span(all.map(\.row))
        }
        if pending.isEmpty && previous.isEmpty && all.isEmpty { return nil }   // nothing above to add up
        // No match: what it should have said.
        let computed: Money
        let lines: String?
        let tableTotals = previous.filter { $0.row >= o.start }
        if !pending.isEmpty {
            computed = pendingSum; lines = span(pending.map(\.row))
        } else if !tableTotals.isEmpty {
            computed = tableTotals.reduce(Money.zero) { $0 + $1.covered }; lines = tableTotals.map { a1($0.row, c) }.joined(separator: ",")
        } else {
            closed[c, default: []].append((i, stated, stated))
            return nil   // a total with no lines of its table above it: nothing to check against
        }
        if o.isAllocation, let residual = Optional(stated - computed), residual.ore > 0, residual.ore < Int64(max(pending.count, 1)) * 100 * unit.kronor, residual.ore % (100 * unit.kronor) == 0 {
            findings.append(ReportFinding(code: "allocation-residual", severity: .warning, file: file, sheet: name, cell: a1(i, c),
                                          stated: stated, computed: computed, lines: lines,
                                          message: "\(label): the parts sum to \(computed), \(residual) less than the total \(stated); it looks like each share was rounded down and the residual left unallocated"))
        } else {
            report(code: "sum-mismatch", row: i, column: c, stated: stated, computed: computed, lines: lines, unit: unit, what: label)
        }
        if !pending.isEmpty { closed[c, default: []].append((i, stated, computed)) }
        else { closed[c] = (closed[c] ?? []).filter { $0.row < o.start } + [(i, stated, computed)] }
        return lines
    }

    /// A Totalt column cell: its formula's cells, or its row's areas.
    mutating func checkFormulaOrValue(row i: Int, column c: Int, stated: Money, computed: Money, lines: String, unit: AmountUnit, what: String) {
        if let f = sheet.rows[i][c].formula, let refs = FormulaRefs.sumReferences(f) {
            var sum = Money.zero
            for r in refs {
                for rr in r.start.row...r.end.row where rr < sheet.rows.count {
                    for cc in r.start.column...r.end.column where cc < sheet.rows[rr].count && !(rr == i && cc == c) {
                        let k = Self.classify(sheet.rows[rr][cc])
                        if k.isNumberLike, let m = Self.kronor(k, unit: unit) { sum = sum + m }
                    }
                }
            }
            if sum != stated {
                report(code: "sum-mismatch", row: i, column: c, stated: stated, computed: sum, lines: refs.map(\.a1).joined(separator: ","), unit: unit, what: "\(what) (=\(f))")
            }
            return
        }
        if stated != computed {
            report(code: "sum-mismatch", row: i, column: c, stated: stated, computed: computed, lines: lines, unit: unit, what: what)
        }
    }

    mutating func report(code: String, row: Int, column: Int, stated: Money, computed: Money, lines: String?, unit: AmountUnit, what: String) {
        let delta = stated - computed
        let within = delta.ore.magnitude <= options.tolerance.ore.magnitude
        var message = "\(what): stated \(stated), computed \(computed)\(lines.map { " (\($0))" } ?? "")"
        if delta.ore.magnitude == UInt64(100 * unit.kronor) {
            message += "; a difference of exactly 1 \(unit == .kronor ? "kr" : unit.rawValue) looks like rounding"
        }
        if within { message += "; within the tolerance of \(options.tolerance)" }
        findings.append(ReportFinding(code: code, severity: within ? .info : .error, file: file, sheet: name, cell: a1(row, column),
                                      stated: stated, computed: computed, lines: lines, message: message))
    }
}

extension ScanCell {
    /// Cells Excel's SUM adds: numbers (and, for Anslag, amount text, which people type).
    var isNumberLike: Bool { if case .amount = self { return true }; return false }
}

/// The cells a total's formula adds: `SUM(B4:B11)`, `SUM(B4:B6;B9)`, `B4+B5+B6`.
enum FormulaRefs {
    static func sumReferences(_ formula: String) -> [CellRange]? {
        var f = formula.trimmingCharacters()
        if f.hasPrefix("=") { f.removeFirst() }
        f = String(f.filter { $0 != "$" && $0 != " " })
        let upper = f.uppercased()
        var args: [Substring]
        if upper.hasPrefix("SUM(") || upper.hasPrefix("SUMMA("), upper.hasSuffix(")") {
            let inner = f[f.index(after: f.firstIndex(of: "(")!)..<f.index(before: f.endIndex)]
            guard !inner.contains("(") else { return nil }
            args = inner.split(whereSeparator: { $0 == "," || $0 == ";" })
        } else if f.contains("+"), !f.contains("(") && !f.contains("-") && !f.contains("*") && !f.contains("/") {
            args = f.split(separator: "+")
        } else {
            return nil
        }
        var out: [CellRange] = []
        for a in args {
            guard !a.contains("!") else { return nil }   // another sheet: not checked here
            if let r = CellRange(a1: a) { out.append(r) } else if let p = CellPosition(a1: a) { out.append(CellRange(start: p, end: p)) } else { return nil }
        }
        return out.isEmpty ? nil : out
    }
}
