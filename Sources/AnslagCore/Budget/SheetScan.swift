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

/// Recognises and checks the tables of one sheet. Rows are added as the reader streams them
/// (each cell classified at once, no grid of cells kept), then `run()` scans them.
struct SheetScan {
    let info: SheetInfo
    let file: String
    let options: BudgetRecognizer.Options
    let layout: LayoutFile.SheetLayout?
    /// The sheet's rows from A1 down, empty rows included.
    private(set) var rows: [Row] = []
    var tables: [BudgetTable] = []
    var findings: [ReportFinding] = []
    var unitAssumedSaid = false

    init(info: SheetInfo, file: String, options: BudgetRecognizer.Options) {
        self.info = info; self.file = file; self.options = options
        self.layout = options.layout?.sheet(named: info.name)
        refPrefix = "'\(info.name.replacingApostrophes())'!"
    }

    /// A sheet already read whole.
    init(sheet: Sheet, file: String, options: BudgetRecognizer.Options) {
        self.init(info: sheet.info, file: file, options: options)
        rows.reserveCapacity(sheet.rows.count)
        for (r, cells) in sheet.rows.enumerated() {
            // (The loop of `add(row:cells:)` without its check for a column given twice, which
            // a grid cannot hold; an IndexedCell array per row would slow anslag-reconcile.)
            var scanned: [Row.Entry] = []
            var formulas: [(column: Int, formula: String)] = []
            for (c, cell) in cells.enumerated() {
                let k = Self.classify(cell)
                if case .empty = k { continue }
                scanned.append((c, k))
                if let f = cell.formula { formulas.append((c, f)) }
            }
            if !scanned.isEmpty { add(row: r, scanned: scanned, formulas: formulas) }
        }
    }

    /// Adds a row as the reader streams it (cells ascending by column).
    mutating func add(row index: Int, cells: [IndexedCell]) {
        var scanned: [Row.Entry] = []
        scanned.reserveCapacity(cells.count)
        var formulas: [(column: Int, formula: String)] = []
        for c in cells {
            let k = Self.classify(c.cell)
            if case .empty = k { continue }
            if let last = scanned.last, last.column == c.column {
                scanned[scanned.count - 1].cell = k   // a column given twice: the later cell wins
            } else {
                scanned.append((c.column, k))
            }
            if let f = c.cell.formula { formulas.append((c.column, f)) }
        }
        if !scanned.isEmpty { add(row: index, scanned: scanned, formulas: formulas) }
    }

    /// Adds a row's non-empty cells (ascending by column).
    private mutating func add(row index: Int, scanned: [Row.Entry], formulas: [(column: Int, formula: String)]) {
        if index >= rows.count {
            // Rows between are empty; they share one instance (never asked for their index).
            rows.append(contentsOf: repeatElement(Row.blank, count: index - rows.count))
            rows.append(Row(index: index, cells: scanned, formulas: formulas, layout: layout))
        } else {
            // A row given twice or out of order: later cells win, as in Excel.
            var merged: [Int: ScanCell] = [:]
            for e in rows[index].cells { merged[e.column] = e.cell }
            for e in scanned { merged[e.column] = e.cell }
            let kept = rows[index].formulas.filter { f in !formulas.contains { $0.column == f.column } }
            rows[index] = Row(index: index, cells: merged.sorted { $0.key < $1.key }.map { ($0.key, $0.value) },
                              formulas: kept + formulas, layout: layout)
        }
    }

    var name: String { info.name }
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
            // Amount text starts with a digit, a sign, a parenthesis or a space (the first
            // bytes of "+-( \t", U+2212 −, U+2013 –, U+202F, U+00A0).
            if let b = s.utf8.first {
                switch b {
                case 48...57, UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "("), UInt8(ascii: " "), UInt8(ascii: "\t"), 0xE2, 0xC2: break
                default: return .text(s)
                }
            }
            let t = s.trimmingCharacters()
            if t.isEmpty { return .empty }
            if let p = AmountText.parse(t) { return .amount(p.amount, explicit: p.unit, isNumber: false) }
            return .text(t)
        case .bool(let b): return .text(b ? "TRUE" : "FALSE")
        case .error(let e): return .text(e)
        case .dateTime, .duration: return .inexact
        }
    }

    /// A row, read for recognition (a class: the scan passes rows around, and a reference is
    /// cheaper to copy than the arrays inside). Not changed once made, so it may be shared.
    final class Row: @unchecked Sendable {
        typealias Entry = (column: Int, cell: ScanCell)
        var index: Int
        /// The non-empty cells, ascending by column (a sparse row: a cell far to the right
        /// costs one entry, not a column each).
        var cells: [Entry] = []
        /// The formulas of the row's cells that have one (few: totals).
        var formulas: [(column: Int, formula: String)] = []
        var labelColumn: Int?
        var label: String?
        var year: Int?
        /// Amount columns right of the label.
        var amounts: [Int] = []
        /// Texts right of the label (key text, notes in amount columns).
        var texts: [Int] = []
        /// Columns holding numbers that are not whole öre, dates or times.
        var inexact: [Int] = []
        var isEmpty: Bool { labelColumn == nil && amounts.isEmpty && texts.isEmpty }

        /// An empty row.
        init(index: Int) { self.index = index }
        static let blank = Row(index: -1)

        init(index: Int, cells: [Entry], formulas: [(column: Int, formula: String)], layout: LayoutFile.SheetLayout?) {
            self.index = index; self.cells = cells; self.formulas = formulas
            if let lc = layout?.labelColumn { labelledBy(lc) } else { recognise() }
        }

        /// The cell in `column` (empty when the row has none there).
        subscript(_ column: Int) -> ScanCell {
            // Most rows start at A with no gaps: the entry's index is its column.
            if column < cells.count && cells[column].column == column { return cells[column].cell }
            var lo = 0, hi = cells.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if cells[mid].column < column { lo = mid + 1 } else { hi = mid }
            }
            return lo < cells.count && cells[lo].column == column ? cells[lo].cell : .empty
        }

        func formula(at column: Int) -> String? {
            for f in formulas where f.column == column { return f.formula }
            return nil
        }

        /// The label is the first text (or a year), amounts and texts lie right of it.
        private func recognise() {
            for (c, cell) in cells {
                switch cell {
                case .empty: continue
                case .inexact: inexact.append(c)
                case .text(let t):
                    if labelColumn == nil { labelColumn = c; label = t; year = SheetScan.year(t) }
                    else { texts.append(c) }
                case .amount(let m, let explicit, let isNumber):
                    if labelColumn == nil, explicit == nil, isNumber || m.ore % 100 == 0, let y = SheetScan.year(m) {
                        // A year in the label position: "2023" as a row label.
                        labelColumn = c; label = String(y); year = y
                    } else {
                        // (Amounts with no label before them: an unlabelled row of amounts.)
                        amounts.append(c)
                    }
                }
            }
        }

        /// The layout file names the label column: amounts are what lies right of it.
        private func labelledBy(_ lc: Int) {
            for (c, cell) in cells {
                if case .inexact = cell { inexact.append(c) }
                if c == lc, case .text(let t) = cell { labelColumn = c; label = t; year = SheetScan.year(t) }
                else if c == lc, case .amount(let m, _, _) = cell, let y = SheetScan.year(m) { labelColumn = c; label = String(y); year = y }
                else if c > lc, case .amount = cell { amounts.append(c) }
                else if c > lc, case .text = cell { texts.append(c) }
            }
        }
    }

    /// A year label: four ASCII digits 1900–2200, with any white space around them.
    static func year(_ t: String) -> Int? {
        let n = t.utf8.count
        guard n >= 4 && n <= 12 else { return nil }
        var digits = 0, y = 0, ended = false
        for b in t.utf8 {
            if b >= 48 && b <= 57 {
                if ended { return nil }
                digits += 1; y = y * 10 + Int(b - 48)
            } else if b == 32 || b == 9 || b == 10 || b == 13 || b == 0xC2 || b == 0xA0 {
                if digits > 0 { ended = true }
            } else {
                return nil
            }
        }
        guard digits == 4, (1900...2200).contains(y) else { return nil }
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
        var header: ColumnMap<String> = [:]
        var headerRow: Int?
        var unit: AmountUnit
        var unitSource: String?
        /// Where the table's lines begin in the sheet's line store; the first is the title's
        /// (a heading) when the table has a title.
        var linesStart: Int
        var titlePosition: CellPosition?
        var hasHeadings = false
        var totals = 0
        var isAllocation = false
        var firstColumn = Int.max
        var lastColumn = 0
        /// Per amount column: lines since the last total, and all lines of the table.
        var pending: ColumnMap<[(row: Int, amount: Money)]> = [:]
        /// Columns where a line since the last total was not an exact amount: that total
        /// cannot be checked.
        var tainted: Set<Int> = []
        var all: ColumnMap<[(row: Int, amount: Money)]> = [:]
        var dataRows = 0
        /// Rows with a year label: year → row, for change rows.
        var yearRows: [Int: Int] = [:]
        /// Rows stating vertical totals.
        var totalRows: Set<Int> = []
        /// A total here added up totals of the table before (a grand total over sections).
        var mergeFrom: Int?
        /// Header columns named Totalt/Total/Summa (a matrix's row totals).
        var totalColumns: [Int] = []
    }

    mutating func run() {
        let rows = self.rows
        // Sheet-level state: totals not yet summed by a grand total, per column.
        var closed: [Int: [(row: Int, amount: Money, covered: Money)]] = [:]
        var sheetUnit: (AmountUnit, String)? = layout?.unit.map { ($0, "the layout file") }
        var open: Open?
        var lastWasTotal = false
        var blankSince = false
        var yearRowsBySheet: [(row: Int, year: Int, header: ColumnMap<String>)] = []
        var changeRows: [(row: Row, header: ColumnMap<String>, unit: AmountUnit, table: Int)] = []
        var tableIndex = 0

        func isHeader(_ i: Int) -> Bool {
            let r = rows[i]
            if let h = layout?.headerRow { return h == i }
            guard r.amounts.isEmpty, let lc = r.labelColumn, r.texts.count >= 1 else { return false }
            // The next non-empty row has amounts under the header's texts, or is a section
            // heading (one text, under the header's first) followed by such a row.
            let texts = Set([lc] + r.texts)
            func nextRow(after i: Int) -> Row? {
                var j = i + 1
                while j < rows.count && rows[j].isEmpty { j += 1 }
                return j < rows.count && j - i <= 2 ? rows[j] : nil
            }
            func hasDataUnder(_ row: Row) -> Bool { row.labelColumn != nil && row.amounts.contains { texts.contains($0) } }
            guard let next = nextRow(after: i) else { return false }
            if hasDataUnder(next) { return true }
            guard next.amounts.isEmpty, next.texts.isEmpty, next.inexact.isEmpty, next.labelColumn == lc,
                  let after = nextRow(after: next.index) else { return false }
            return hasDataUnder(after)
        }

        // Every line of the sheet in order, tables as ranges of it: merging the tables of a
        // sheet's sections under a grand total is then only widening a range. A table's title
        // is stored as a heading line too, which shows only when the table joins an earlier one.
        var store: [BudgetLine] = []
        store.reserveCapacity(rows.count)
        struct Closed {
            var table: BudgetTable
            var lines: Range<Int>
            var totalRows: Set<Int>
            var startRow: Int, endRow: Int, startColumn: Int
        }
        var closedTables: [Closed] = []
        func close(_ o: Open) {
            var t = o
            let layout: BudgetTable.Layout = t.isAllocation ? .allocation
                : (t.header.count >= 3 && t.header.values.contains { BudgetRecognizer.isTotalLabel(BudgetRecognizer.fold($0)) } || t.yearRows.count >= 2) ? .matrix
                : (t.hasHeadings || t.totals > 1) ? .sectioned : .list
            guard t.dataRows > 0 else {
                store.removeSubrange(t.linesStart...)
                return
            }
            if t.unitSource == nil && !unitAssumedSaid && store[t.linesStart...].contains(where: { $0.amount != nil }) {
                unitAssumedSaid = true
                findings.append(ReportFinding(code: "unit-assumed", severity: .info, file: file, sheet: name,
                                              cell: a1(t.start, t.firstColumn == Int.max ? 0 : t.firstColumn),
                                              message: "no unit stated (such as \"tkr\" or \"i tusental kronor\") for the table at \(a1(t.start, max(0, t.firstColumn == Int.max ? 0 : t.firstColumn)))\(closedTables.isEmpty ? "" : " and after it"); amounts read as kronor"))
            }
            var layoutKind = layout
            var start = t.start
            var header = t.header.map { BudgetColumn(column: CellPosition.columnName($0.key), text: $0.value) }
            if let from = t.mergeFrom {
                // A grand total over subtotals of the tables before (sections split by blank
                // rows and headings): one sectioned table, titled and headed as the first; the later
                // ones' titles become section headings.
                while let previous = closedTables.last, previous.endRow >= from {
                    closedTables.removeLast()
                    t.totalRows.formUnion(previous.totalRows)
                    start = previous.startRow
                    t.firstColumn = min(t.firstColumn, previous.startColumn)
                    t.linesStart = previous.lines.lowerBound
                    t.title = previous.table.title
                    if !previous.table.header.isEmpty { header = previous.table.header }
                    layoutKind = .sectioned
                }
            }
            let lines = t.linesStart..<store.count
            // Areas are the columns of matrices; elsewhere a header names the amount column
            // ("Belopp"), not an area.
            if layoutKind != .matrix {
                for i in lines where store[i].area != nil { store[i].area = nil }
            }
            // The last total row of a table holds its totals; earlier total rows are subtotals.
            if let last = t.totalRows.max() {
                for i in lines where store[i].role == .total {
                    if let p = store[i].position, t.totalRows.contains(p.row), p.row != last {
                        store[i].role = .subtotal
                    }
                }
            }
            let firstColumn = t.firstColumn == Int.max ? 0 : t.firstColumn
            let range = "\(a1(start, firstColumn)):\(a1(t.end, t.lastColumn))"
            closedTables.append(Closed(
                table: BudgetTable(sheet: name, hidden: info.state != .visible, layout: layoutKind, title: t.title,
                                   range: range, unit: t.unit, unitSource: t.unitSource,
                                   header: header,
                                   lines: []),
                lines: lines, totalRows: t.totalRows, startRow: start, endRow: t.end, startColumn: firstColumn))
        }

        /// Titles the open table; the title is stored as its first line too (a heading).
        func entitle(_ text: String, at p: CellPosition) {
            open!.title = text
            open!.titlePosition = p
            store.append(BudgetLine(label: text, amount: nil, sheet: refPrefix, at: p, role: .heading))
        }

        for i in rows.indices {
            let row = rows[i]
            if row.isEmpty { blankSince = true; continue }
            // The label folded, when it could be a total or change label at all.
            let folded = row.label.map { BudgetRecognizer.mayBeTotalOrChange($0) ? BudgetRecognizer.fold($0) : "" } ?? ""
            defer {
                blankSince = false
                lastWasTotal = BudgetRecognizer.isTotalLabel(folded)
            }

            let header = isHeader(i)
            let startsNew = header || (open != nil && blankSince && row.amounts.isEmpty
                                       && lastWasTotal)
            if startsNew || open == nil {
                // A title just above a header (a text alone in its row, at most two rows between,
                // nothing else read yet) is the title of the header's table.
                let title = header ? open.flatMap { o -> (String, CellPosition)? in
                    guard o.dataRows == 0, let text = o.title, let at = o.titlePosition, rows[at.row].texts.isEmpty, i - at.row <= 3 else { return nil }
                    return (text, at)
                } : nil
                if let o = open { close(o); tableIndex += 1 }
                open = Open(start: title?.1.row ?? i, end: i, unit: sheetUnit?.0 ?? .kronor, unitSource: sheetUnit?.1, linesStart: store.count)
                if let (text, at) = title { entitle(text, at: at) }
            }

            // Unit notes in text cells; they count in a row without amounts (a note for the
            // tables below) and before a table's first data row, not among its lines.
            var rowUnit: (AmountUnit, String)?
            var textCount = 0
            if row.amounts.isEmpty || open!.dataRows == 0 {
                func unitNote(_ c: Int) {
                    guard case .text(let t) = row[c] else { return }
                    textCount += 1
                    if BudgetRecognizer.mentionsMoney(t), let u = BudgetRecognizer.unit(in: t), t.count < 120 {
                        rowUnit = (u, "\"\(t)\" in \(a1(i, c))")
                    }
                }
                if let lc = row.labelColumn { unitNote(lc) }
                for c in row.texts { unitNote(c) }
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
            open!.lastColumn = max(open!.lastColumn, row.amounts.last ?? 0, row.texts.last ?? 0, row.labelColumn ?? 0)

            if header {
                open!.headerRow = i
                open!.header = [:]
                for c in [row.labelColumn!] + row.texts { if case .text(let t) = row[c] { open!.header[c] = t } }
                open!.totalColumns = open!.header.filter { BudgetRecognizer.isTotalLabel(BudgetRecognizer.fold($0.value)) }.map(\.key)
                let folded = open!.header.values.map(TextFold.fold)
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
                        guard let m = Self.kronor(row[c], unit: open!.unit) else { continue }
                        store.append(BudgetLine(label: "", amount: m, sheet: refPrefix, at: CellPosition(row: i, column: c), role: .line, area: open!.header[c]))
                        open!.pending[c, default: []].append((i, m)); open!.all[c, default: []].append((i, m))
                    }
                }
                continue
            }
            for c in row.inexact { open!.tainted.insert(c) }

            if row.amounts.isEmpty {
                // Text only: the title, a section heading or a note.
                let afterTotal = lastWasTotal
                if rowUnit != nil && textCount == 1 && open!.dataRows == 0 { continue }   // the unit note itself
                if open!.dataRows == 0 && open!.title == nil && open!.headerRow == nil {
                    // (Text under a header, before the first line, is a section heading.)
                    entitle(label, at: CellPosition(row: i, column: labelColumn))
                }
                else if open!.dataRows == 0 {
                    open!.hasHeadings = true
                    store.append(BudgetLine(label: label, amount: nil, sheet: refPrefix, at: CellPosition(row: i, column: labelColumn), role: .heading))
                }
                else if open!.dataRows > 0 && (label.count > 60 || !row.texts.isEmpty || afterTotal || labelColumn > open!.firstColumn) {
                    store.append(BudgetLine(label: label, amount: nil, sheet: refPrefix, at: CellPosition(row: i, column: labelColumn), role: .note, text: label))
                } else if open!.dataRows > 0 {
                    open!.hasHeadings = true
                    store.append(BudgetLine(label: label, amount: nil, sheet: refPrefix, at: CellPosition(row: i, column: labelColumn), role: .heading))
                }
                continue
            }

            open!.dataRows += 1
            var keyText: String?
            for c in row.texts where c > labelColumn {
                if case .text(let t) = row[c], BudgetRecognizer.looksLikeKey(t) { keyText = t; break }
            }
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
                    guard let m = Self.kronor(row[c], unit: open!.unit) else { continue }
                    store.append(BudgetLine(label: label, amount: m, sheet: refPrefix, at: CellPosition(row: i, column: c), role: .change, area: open!.header[c]))
                }
                continue
            }

            // Matrix: the row's Totalt column against its areas.
            let totalColumns = open!.totalColumns.filter { $0 > labelColumn }
            if let tc = totalColumns.min(), row.amounts.contains(tc), let stated = Self.kronor(row[tc], unit: open!.unit) {
                let areas = row.amounts.filter { $0 != tc && $0 < tc && open!.header[$0] != nil }
                if !areas.isEmpty {
                    let computed = areas.reduce(Money.zero) { $0 + (Self.kronor(row[$1], unit: open!.unit) ?? .zero) }
                    let lines = "\(a1(i, areas.min()!)):\(a1(i, areas.max()!))"
                    checkFormulaOrValue(row: i, column: tc, stated: stated, computed: computed, lines: lines, unit: open!.unit,
                                        what: "\(label): the Totalt column")
                }
            }

            for c in row.amounts {
                guard let m = Self.kronor(row[c], unit: open!.unit) else { continue }
                let isTotalColumn = totalColumns.contains(c)
                if isTotal {
                    open!.totals += 1
                    open!.totalRows.insert(i)
                    let sumOf = checkTotal(row: i, column: c, stated: m, label: label, open: &open!, closed: &closed)
                    store.append(BudgetLine(label: label, amount: m, sheet: refPrefix, at: CellPosition(row: i, column: c), role: .total, year: row.year,
                                                  area: open!.header[c], sumOf: sumOf))
                } else {
                    store.append(BudgetLine(label: label, amount: m, sheet: refPrefix, at: CellPosition(row: i, column: c), role: isTotalColumn ? .total : .line,
                                                  year: row.year, area: open!.header[c], key: keyText))
                    if !isTotalColumn || true {
                        open!.pending[c, default: []].append((i, m)); open!.all[c, default: []].append((i, m))
                    }
                }
            }
            // Text in an amount column of a data row: a note unless it looks like a broken amount.
            for c in row.texts where c > labelColumn {
                guard case .text(let t) = row[c], t.utf8.count < 160, BudgetRecognizer.mentionsMoney(t), t != keyText else { continue }
                let digits = t.filter(\.isNumber).count
                if digits >= 1 && t.count < 40 {
                    findings.append(ReportFinding(code: "amount-unparsed", severity: .warning, file: file, sheet: name, cell: a1(i, c),
                                                  message: "\"\(t)\" looks like an amount but is not one Anslag can read exactly; it was left out"))
                }
            }
        }
        if let o = open { close(o) }
        // Each table's lines, moved out of the store (a title line shows only in merged tables).
        let filler = BudgetLine(label: "", amount: nil, sheet: "", at: CellPosition(row: 0, column: 0), role: .line)
        tables.reserveCapacity(closedTables.count)
        if closedTables.count == 1, closedTables[0].lines == store.indices {
            // One table (the common case): its lines are the store.
            var table = closedTables[0].table
            if closedTables[0].table.title != nil { store.removeFirst() }
            swap(&table.lines, &store)
            tables.append(table)
        } else {
            for c in closedTables {
                var table = c.table
                table.lines = store.moveOut((c.lines.lowerBound + (c.table.title != nil ? 1 : 0))..<c.lines.upperBound, filler: filler)
                tables.append(table)
            }
        }

        // Change rows: the difference of the two year rows, column by column (by area name).
        for (row, header, unit, _) in changeRows {
            let ys = BudgetRecognizer.years(in: row.label ?? "")
            guard ys.count >= 2 else { continue }
            let (y1, y2) = (ys[0], ys[1])
            guard let r1 = yearRowsBySheet.last(where: { $0.year == y1 && $0.row < row.index }) ?? yearRowsBySheet.first(where: { $0.year == y1 }),
                  let r2 = yearRowsBySheet.last(where: { $0.year == y2 && $0.row < row.index }) ?? yearRowsBySheet.first(where: { $0.year == y2 }) else { continue }
            for c in row.amounts {
                guard let stated = Self.kronor(row[c], unit: unit) else { continue }
                func column(in h: ColumnMap<String>) -> Int? {
                    guard let area = header[c] else { return c }
                    if h[c] == area { return c }
                    return h.first { BudgetRecognizer.fold($0.value) == BudgetRecognizer.fold(area) }?.key
                }
                guard let c1 = column(in: r1.header), let c2 = column(in: r2.header),
                      let v1 = Self.kronor(rows[r1.row][c1], unit: unit),
                      let v2 = Self.kronor(rows[r2.row][c2], unit: unit) else { continue }
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
        if let f = rows[i].formula(at: c), let refs = FormulaRefs.sumReferences(f) {
            let computed = sum(refs, except: i, c, unit: unit)
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

    /// What a SUM over `refs` adds up to (the amounts in them, in kronor), leaving out the
    /// formula's own cell.
    func sum(_ refs: [CellRange], except i: Int, _ c: Int, unit: AmountUnit) -> Money {
        var total = Money.zero
        for r in refs {
            for rr in stride(from: r.start.row, through: min(r.end.row, rows.count - 1), by: 1) {
                for (cc, cell) in rows[rr].cells where cc >= r.start.column && cc <= r.end.column && !(rr == i && cc == c) {
                    if let m = Self.kronor(cell, unit: unit) { total = total + m }
                }
            }
        }
        return total
    }

    /// A Totalt column cell: its formula's cells, or its row's areas.
    mutating func checkFormulaOrValue(row i: Int, column c: Int, stated: Money, computed: Money, lines: String, unit: AmountUnit, what: String) {
        if let f = rows[i].formula(at: c), let refs = FormulaRefs.sumReferences(f) {
            let sum = sum(refs, except: i, c, unit: unit)
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
        // The formula's bytes without white space, `$` and a leading `=`; upper-cased. OpenFormula
        // references (ODS) lose their brackets and dots: `[.B4:.B8]` is `B4:B8`; one naming a
        // sheet (`[$Blad2.B4]`) is another sheet's, not checked here.
        var f: [UInt8] = []
        f.reserveCapacity(formula.utf8.count)
        var inBracket = false, cellNext = false
        for b in formula.utf8 where b != 36 && b != 32 && b != 9 && b != 10 && b != 13 {
            if f.isEmpty && b == UInt8(ascii: "=") { continue }
            switch b {
            case UInt8(ascii: "["):
                guard !inBracket else { return nil }
                inBracket = true; cellNext = true
                continue
            case UInt8(ascii: "]"):
                guard inBracket else { return nil }
                inBracket = false
                continue
            case UInt8(ascii: ".") where inBracket && cellNext:
                cellNext = false
                continue
            case UInt8(ascii: ":") where inBracket:
                cellNext = true
            default:
                if inBracket && cellNext { return nil }   // a sheet name before the dot
            }
            f.append(b >= 97 && b <= 122 ? b - 32 : b)
        }
        guard !inBracket else { return nil }
        func has(_ b: Character) -> Bool { f.contains(b.asciiValue!) }
        func starts(_ w: StaticString) -> Bool {
            f.count >= w.utf8CodeUnitCount && (0..<w.utf8CodeUnitCount).allSatisfy { f[$0] == w.utf8Start[$0] }
        }
        var args: [ArraySlice<UInt8>]
        if (starts("SUM(") || starts("SUMMA(")), f.last == UInt8(ascii: ")") {
            let open = f.firstIndex(of: UInt8(ascii: "("))!
            let inner = f[(open + 1)..<(f.count - 1)]
            guard !inner.contains(UInt8(ascii: "(")) else { return nil }
            args = inner.split(whereSeparator: { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: ";") })
        } else if has("+"), !has("(") && !has("-") && !has("*") && !has("/") {
            args = f.split(separator: UInt8(ascii: "+"))
        } else {
            return nil
        }
        var out: [CellRange] = []
        out.reserveCapacity(args.count)
        for a in args {
            guard !a.contains(UInt8(ascii: "!")) else { return nil }   // another sheet: not checked here
            guard let r = CellRange(a1: a) else { return nil }
            out.append(r)
        }
        return out.isEmpty ? nil : out
    }
}

extension Array {
    /// Moves the elements in `range` into a new array, leaving `filler` in their places: no
    /// copies, so no reference counting of what the elements hold.
    mutating func moveOut(_ range: Range<Int>, filler: Element) -> [Element] {
        precondition(range.lowerBound >= 0 && range.upperBound <= count)
        guard !range.isEmpty else { return [] }
        return withUnsafeMutableBufferPointer { buf in
            [Element](unsafeUninitializedCapacity: range.count) { dst, n in
                dst.baseAddress!.moveInitialize(from: buf.baseAddress! + range.lowerBound, count: range.count)
                (buf.baseAddress! + range.lowerBound).initialize(repeating: filler, count: range.count)
                n = range.count
            }
        }
    }
}

/// Values by column number: the first `ColumnMap.dense` columns (where a table's columns are)
/// in an array rather than a hash table, any further right in a dictionary, so a value in
/// column XFD costs one entry, not 16 384 slots. Iterates in column order.
struct ColumnMap<Value>: Sequence, ExpressibleByDictionaryLiteral {
    static var dense: Int { 64 }
    private var slots: [Value?] = []
    private var far: [Int: Value] = [:]

    init(dictionaryLiteral elements: (Int, Value)...) {
        for (k, v) in elements { self[k] = v }
    }

    subscript(_ c: Int) -> Value? {
        get { c >= 0 && c < slots.count ? slots[c] : c >= Self.dense ? far[c] : nil }
        set {
            guard c >= 0 else { return }
            if c >= Self.dense { far[c] = newValue; return }
            if c >= slots.count {
                guard newValue != nil else { return }
                slots += repeatElement(nil, count: c - slots.count + 1)
            }
            slots[c] = newValue
        }
    }

    /// Modified in place (`map[c, default: []].append(x)` copies nothing).
    subscript(_ c: Int, default value: @autoclosure () -> Value) -> Value {
        get { self[c] ?? value() }
        _modify {
            precondition(c >= 0)
            if c >= Self.dense {
                yield &far[c, default: value()]
            } else {
                if c >= slots.count { slots += repeatElement(nil, count: c - slots.count + 1) }
                if slots[c] == nil { slots[c] = value() }
                yield &slots[c]!
            }
        }
    }

    var count: Int { slots.reduce(far.count) { $0 + ($1 == nil ? 0 : 1) } }
    /// Array slots in use (at most `dense`).
    var denseSlots: Int { slots.count }
    var isEmpty: Bool { far.isEmpty && !slots.contains { $0 != nil } }
    var values: [Value] { map(\.value) }

    func makeIterator() -> IndexingIterator<[(key: Int, value: Value)]> {
        var all: [(key: Int, value: Value)] = []
        for (i, v) in slots.enumerated() { if let v { all.append((i, v)) } }
        all += far.sorted { $0.key < $1.key }.map { (key: $0.key, value: $0.value) }
        return all.makeIterator()
    }
}
