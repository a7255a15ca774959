/// One pass over a sheet's rows, top to bottom: it finds the tables (headers, titles, units,
/// blocks), stores every line, and has each total checked as it comes (`TotalSpans.swift`),
/// so the checks can steer table merging (a grand total over sections makes them one table).
struct TableScan {
    let sheet: SheetScan
    var rows: [ScanRow] { sheet.rows }
    var findings: [ReportFinding] = []
    var tables: [BudgetTable] = []

    /// Every line of the sheet in order, tables as ranges of it: merging the tables of a
    /// sheet's sections under a grand total is then only widening a range. A table's title
    /// is stored as a heading line too, which shows only when the table joins an earlier one.
    var store: [BudgetLine] = []
    var closedTables: [ClosedTable] = []
    var table: OpenTable?

    // Scopes that run across tables until restated.
    /// The unit stated last (a title, note, header cell or column head) and where.
    var sheetUnit: (AmountUnit, String)?
    /// The column heads stated last.
    var heads = ColumnHeads()
    var unitAssumedSaid = false

    // Row-to-row state.
    var lastWasTotal = false
    var blankSince = false
    var tableIndex = 0

    // What the totals check against.
    /// Rows of lines taken since the last total or the table's start (parents may be among them).
    var lineRows: [Int] = []
    /// Per amount column: the lines and totals not yet added into a later total.
    var items: ColumnMap<[SpanItem]> = [:]
    /// Columns where a line since the last total was not an exact amount: that total cannot be checked.
    var tainted: Set<Int> = []
    /// Rows where a block may begin: headings and blank rows (ascending).
    var boundaries: [Int] = []
    /// Totals by what they total ("regioner" for "Totalt regioner"): a summary block restating them is checked against them.
    var sectionTotals: [String: [Int: (row: Int, stated: Money)]] = [:]

    // Change rows and the year rows they refer to.
    var yearRows: [(row: Int, year: Int, header: ColumnMap<String>)] = []
    var changeRows: [(row: ScanRow, header: ColumnMap<String>, unit: AmountUnit, table: Int)] = []

    init(sheet: SheetScan) {
        self.sheet = sheet
        sheetUnit = sheet.layout?.unit.map { ($0, "the layout file") }
        store.reserveCapacity(sheet.rows.count)
    }

    var name: String { sheet.name }
    var refPrefix: String { sheet.refPrefix }
    func a1(_ r: Int, _ c: Int) -> String { sheet.a1(r, c) }

    // MARK: Rows

    /// Takes the next row.
    mutating func take(row i: Int) {
        let row = rows[i]
        if row.isEmpty {
            blankSince = true
            if boundaries.last != i { boundaries.append(i) }
            return
        }
        // The label folded, when it could be a total, result, breakdown or change label at all.
        let folded = row.label.map { BudgetRecognizer.mayBeTotalOrChange($0) ? BudgetRecognizer.fold($0) : "" } ?? ""
        // A label led by a dash ("– Årets resultat") is an item under the row above, not a result row.
        let bulleted = row.label.map(Self.isBulleted) ?? false
        let isTotal = BudgetRecognizer.isTotalLabel(folded)
            || (!bulleted && (BudgetRecognizer.isResultLabel(folded) || (folded == Vocabulary.bareResult && lastWasTotal && !blankSince)))
        defer {
            blankSince = false
            lastWasTotal = isTotal
        }
        let header = isHeader(i)
        let amounts = header || heads.noteColumns.isEmpty ? row.amounts : row.amounts.filter { !heads.noteColumns.contains($0) }
        if header || table == nil || (blankSince && amounts.isEmpty && lastWasTotal) {
            startTable(at: i, header: header)
        }
        let (rowUnit, textCount) = unitStatement(in: row, amounts: amounts, header: header)
        table!.end = i
        table!.firstColumn = min(table!.firstColumn, row.labelColumn ?? amounts.first ?? 0)
        table!.lastColumn = max(table!.lastColumn, amounts.last ?? 0, row.texts.last ?? 0, row.labelColumn ?? 0)

        if header {
            takeHeader(row)
            return
        }
        guard let labelColumn = row.labelColumn, let label = row.label else {
            takeUnlabelled(row, amounts: amounts)
            return
        }
        for c in row.inexact { tainted.insert(c) }
        if amounts.isEmpty {
            if !row.dashes.isEmpty { table!.dataRows += 1; return }   // a line of nothing ("–" in every column)
            if rowUnit != nil && textCount == 1 && table!.dataRows == 0 && (table!.title != nil || table!.headerRow != nil || BudgetRecognizer.isUnitNote(label)) {
                return   // the unit note itself (a title that names a unit is still the title)
            }
            takeTextRow(row, label: label, labelColumn: labelColumn)
            return
        }
        takeDataRow(row, label: label, labelColumn: labelColumn, folded: folded, isTotal: isTotal, amounts: amounts)
    }

    /// A label led by a dash: `-`, `–`, `—` or `−` (the last three begin with byte E2).
    static func isBulleted(_ label: String) -> Bool {
        guard let b = label.utf8.first else { return false }
        if b == UInt8(ascii: "-") { return true }
        guard b == 0xE2, let s = label.unicodeScalars.first else { return false }
        return s == "\u{2013}" || s == "\u{2014}" || s == "\u{2212}"
    }

    /// Closes the open table (if any) and opens one at row `i`.
    mutating func startTable(at i: Int, header: Bool) {
        // A title just above a header (a text alone in its row, at most two rows between,
        // nothing else read yet) is the title of the header's table.
        let title = header ? table.flatMap { o -> (String, CellPosition)? in
            guard o.dataRows == 0, let text = o.title, let at = o.titlePosition, rows[at.row].texts.isEmpty, i - at.row <= 3 else { return nil }
            return (text, at)
        } : nil
        if table != nil { closeOpen(); tableIndex += 1 }
        table = OpenTable(start: title?.1.row ?? i, end: i, unit: sheetUnit?.0 ?? .kronor, unitSource: sheetUnit?.1, linesStart: store.count)
        if let (text, at) = title { entitle(text, at: at) }
    }

    /// Unit notes in text cells. They count in a row without amounts (a note for the blocks
    /// below), in a header row (its label or a column head), and before a table's first data
    /// row; never among a table's lines. A note or header sets the unit for every block below.
    mutating func unitStatement(in row: ScanRow, amounts: [Int], header: Bool) -> ((AmountUnit, String)?, Int) {
        guard amounts.isEmpty || header || table!.dataRows == 0 else { return (nil, 0) }
        var rowUnit: (AmountUnit, String)?
        var textCount = 0
        for c in (row.labelColumn.map { [$0] } ?? []) + row.texts {
            guard case .text(let t) = row[c] else { continue }
            textCount += 1
            if BudgetRecognizer.mentionsMoney(t), t.count < 120, let u = BudgetRecognizer.unit(in: t) {
                if rowUnit == nil || u.kronor > rowUnit!.0.kronor { rowUnit = (u, "\"\(t)\" in \(a1(row.index, c))") }
            }
        }
        if let u = rowUnit {
            if amounts.isEmpty || header { sheetUnit = u }
            // (A data row's own label names a unit only for a table that has none stated.)
            if table!.dataRows == 0 && (amounts.isEmpty || header || table!.unitSource == nil) { table!.unit = u.0; table!.unitSource = u.1 }
        }
        return (rowUnit, textCount)
    }

    /// A header row: its texts head the table, and its heads (with a super-header's) the
    /// columns of every block below until the next header.
    mutating func takeHeader(_ row: ScanRow) {
        let i = row.index
        var j = i - 1
        while j >= 0 && rows[j].isEmpty && i - j <= 2 { j -= 1 }
        heads = ColumnHeads(header: row, above: j >= 0 && i - j <= 2 ? rows[j] : nil)
        table!.headerRow = i
        table!.header = [:]
        for (c, t) in heads.texts { table!.header[c] = t }
        let totalHeads = table!.header.filter { BudgetRecognizer.isTotalLabel(BudgetRecognizer.fold($0.value)) }
        table!.totalColumns = totalHeads.map(\.key)
        // A head that is only a total word ("Summa", "Totalt") is the row-total column.
        table!.rowTotalColumn = totalHeads.last { Vocabulary.totalWords.contains(BudgetRecognizer.fold($0.value).trimmingCharacters(in: ":")) }?.key
        let folded = table!.header.values.map(TextFold.fold)
        if folded.contains(where: { Vocabulary.allocationHeads.contains($0) || $0.hasPrefix("fordelningsnyckel") }) {
            table!.isAllocation = true
        }
    }

    /// Amounts without a label: lines of their own (a bare column of numbers), or, when every
    /// one adds up what stands above it in its column, an unlabelled subtotal (tables that
    /// print a subtotal as a bare row of figures under its block). Once a table has one, a
    /// bare row right under its lines, with a blank row or the end after it, is one too,
    /// whether it adds up or not (it is then checked against its block).
    mutating func takeUnlabelled(_ row: ScanRow, amounts: [Int]) {
        guard !amounts.isEmpty else { return }
        let shaped = table!.bareSubtotals > 0 && !blankSince && !lastWasTotal && lineRows.count >= 2
            && (row.index + 1 >= rows.count || rows[row.index + 1].isEmpty)
        if table!.dataRows > 0, shaped || amounts.allSatisfy({ c in ScanCell.kronor(row[c], unit: table!.unit).map { addsUp(column: c, stated: $0) } ?? false }) {
            resolveParents()
            table!.dataRows += 1
            table!.totals += 1
            table!.bareSubtotals += 1
            table!.totalRows.insert(row.index)
            for c in amounts {
                guard let m = ScanCell.kronor(row[c], unit: table!.unit) else { continue }
                let sumOf = checkTotal(row: row.index, column: c, stated: m, label: "", isResult: false, folded: "")
                store.append(BudgetLine(label: "", amount: m, sheet: refPrefix, at: CellPosition(row: row.index, column: c), role: .total,
                                        area: table!.header[c], sumOf: sumOf, column: heads.columns[c]))
            }
            return
        }
        table!.dataRows += 1
        for c in amounts {
            guard let m = ScanCell.kronor(row[c], unit: table!.unit) else { continue }
            store.append(BudgetLine(label: "", amount: m, sheet: refPrefix, at: CellPosition(row: row.index, column: c), role: .line,
                                    area: table!.header[c], column: heads.columns[c]))
            addLine(row: row.index, column: c, amount: m)
        }
    }

    /// Text only: the title, a section heading or a note.
    mutating func takeTextRow(_ row: ScanRow, label: String, labelColumn: Int) {
        let i = row.index
        let at = CellPosition(row: i, column: labelColumn)
        let texts = row.texts.filter { !heads.noteColumns.contains($0) }
        if table!.dataRows == 0 && table!.title == nil && table!.headerRow == nil {
            entitle(label, at: at)
        } else if table!.dataRows > 0 && (label.count > 60 || !texts.isEmpty || labelColumn > table!.firstColumn) {
            store.append(BudgetLine(label: label, amount: nil, sheet: refPrefix, at: at, role: .note, text: label))
        } else {
            // (Text under a header, before the first line, is a section heading too.)
            table!.hasHeadings = true
            store.append(BudgetLine(label: label, amount: nil, sheet: refPrefix, at: at, role: .heading))
            boundaries.append(i)
        }
    }

    /// A row with a label and amounts: lines, a total, a change row or a breakdown.
    mutating func takeDataRow(_ row: ScanRow, label: String, labelColumn: Int, folded: String, isTotal labelled: Bool, amounts: [Int]) {
        let i = row.index
        table!.dataRows += 1
        var keyText: String?
        for c in row.texts where c > labelColumn {
            if case .text(let t) = row[c], BudgetRecognizer.looksLikeKey(t) { keyText = t; break }
        }
        if keyText != nil { table!.isAllocation = true }
        if BudgetRecognizer.isBreakdownLabel(folded) {
            for c in amounts {
                guard let m = ScanCell.kronor(row[c], unit: table!.unit) else { continue }
                store.append(BudgetLine(label: label, amount: m, sheet: refPrefix, at: CellPosition(row: i, column: c), role: .breakdown,
                                        year: row.year, area: table!.header[c], column: heads.columns[c]))
            }
            return
        }
        let isTotal = sheet.layout.map { $0.totalRows.contains(i) } ?? false || labelled
        // "Förändring 2023–2024" under year rows; "Förändring av lager" is a line like any other.
        let isChange = BudgetRecognizer.isChangeLabel(folded) && (BudgetRecognizer.years(in: label).count >= 2 || !table!.yearRows.isEmpty)
        if let y = row.year, !isTotal, !isChange {
            table!.yearRows[y] = i
            yearRows.append((i, y, table!.header))
        }
        if isChange {
            changeRows.append((row, table!.header, table!.unit, tableIndex))
            for c in amounts {
                guard let m = ScanCell.kronor(row[c], unit: table!.unit) else { continue }
                store.append(BudgetLine(label: label, amount: m, sheet: refPrefix, at: CellPosition(row: i, column: c), role: .change,
                                        area: table!.header[c], column: heads.columns[c]))
            }
            return
        }
        endRestatedTotalColumns(row, labelColumn: labelColumn)
        let totalColumns = table!.totalColumns.filter { $0 > labelColumn }
        checkRowTotal(row, label: label, labelColumn: labelColumn, amounts: amounts, totalColumns: totalColumns)
        if isTotal { resolveParents() } else { lineRows.append(i) }
        for c in amounts {
            guard let m = ScanCell.kronor(row[c], unit: table!.unit) else { continue }
            if isTotal {
                table!.totals += 1
                table!.totalRows.insert(i)
                let sumOf = checkTotal(row: i, column: c, stated: m, label: label, isResult: labelled && !BudgetRecognizer.isTotalLabel(folded), folded: folded)
                store.append(BudgetLine(label: label, amount: m, sheet: refPrefix, at: CellPosition(row: i, column: c), role: .total, year: row.year,
                                        area: table!.header[c], sumOf: sumOf, column: heads.columns[c]))
            } else {
                store.append(BudgetLine(label: label, amount: m, sheet: refPrefix, at: CellPosition(row: i, column: c),
                                        role: totalColumns.contains(c) ? .total : .line,
                                        year: row.year, area: table!.header[c], key: keyText, column: heads.columns[c]))
                addLine(row: i, column: c, amount: m)
            }
        }
        noteUnparsedAmounts(row, labelColumn: labelColumn, keyText: keyText)
    }

    /// A text standing in a row-total column below its head (a second block's heads on the
    /// row beside the first block's lines: `1/19 – 1/25 … 2/16–2/22` where the head said
    /// `Total`) restates what the column holds: from there on it is not a total column.
    mutating func endRestatedTotalColumns(_ row: ScanRow, labelColumn: Int) {
        // Heads come in runs: one odd text in the column ("ej aktuellt") is a note, not a head.
        guard !table!.totalColumns.isEmpty || table!.rowTotalColumn != nil,
              row.texts.filter({ $0 > labelColumn && !heads.noteColumns.contains($0) }).count >= 2 else { return }
        for c in row.texts where c > labelColumn {
            guard table!.totalColumns.contains(c) || table!.rowTotalColumn == c, case .text(let t) = row[c] else { continue }
            let f = BudgetRecognizer.fold(t).trimmingCharacters(in: ":")
            if Vocabulary.totalWords.contains(f) || BudgetRecognizer.isTotalLabel(f) || heads.noteColumns.contains(c) { continue }
            table!.totalColumns.removeAll { $0 == c }
            if table!.rowTotalColumn == c { table!.rowTotalColumn = nil }
        }
    }

    /// A matrix or a headed table with a row-total column: the row's Totalt against its areas
    /// (the amount columns left of it).
    mutating func checkRowTotal(_ row: ScanRow, label: String, labelColumn: Int, amounts: [Int], totalColumns: [Int]) {
        let own = table!.rowTotalColumn.flatMap { $0 > labelColumn ? $0 : nil }
        guard let tc = own ?? totalColumns.min(), amounts.contains(tc), let stated = ScanCell.kronor(row[tc], unit: table!.unit) else { return }
        // Its areas lie between it and the nearest text on its left (two tables side by side
        // in one sheet each have their own).
        let floor = row.texts.filter { $0 < tc }.max() ?? labelColumn
        let areas = amounts.filter { $0 > floor && $0 < tc && table!.header[$0] != nil }
        guard !areas.isEmpty else { return }
        let computed = areas.reduce(Money.zero) { $0 + (ScanCell.kronor(row[$1], unit: table!.unit) ?? .zero) }
        let lines = "\(a1(row.index, areas.min()!)):\(a1(row.index, areas.max()!))"
        checkFormulaOrValue(row: row.index, column: tc, stated: stated, computed: computed, lines: lines, unit: table!.unit,
                            what: "\(label): the \(table!.header[tc] ?? "Totalt") column")
    }

    /// Text in an amount column of a data row: a note unless it looks like a broken amount.
    mutating func noteUnparsedAmounts(_ row: ScanRow, labelColumn: Int, keyText: String?) {
        for c in row.texts where c > labelColumn && !heads.noteColumns.contains(c) {
            guard case .text(let t) = row[c], t.utf8.count < 160, BudgetRecognizer.mentionsMoney(t), t != keyText else { continue }
            let digits = t.filter(\.isNumber).count
            if digits >= 1 && t.count < 40 {
                findings.append(ReportFinding(code: .amountUnparsed, severity: .warning, file: sheet.file, sheet: name, cell: a1(row.index, c),
                                              message: "\"\(t)\" looks like an amount but is not one Anslag can read exactly; it was left out"))
            }
        }
    }

    /// Titles the open table; the title is stored as its first line too (a heading).
    mutating func entitle(_ text: String, at p: CellPosition) {
        table!.title = text
        table!.titlePosition = p
        store.append(BudgetLine(label: text, amount: nil, sheet: refPrefix, at: p, role: .heading))
    }

    // MARK: Header rows

    /// A header row: texts over the amounts (or years written as numbers), followed by data
    /// rows with amounts under them, or by a section heading and then such rows.
    func isHeader(_ i: Int) -> Bool {
        let r = rows[i]
        if let h = sheet.layout?.headerRow { return h == i }
        let yearHead = ColumnHeads.isYearHeadRow(r)
        // Note references beside a section heading ("Rörelsens kostnader | 2, 5, 6") are not heads.
        let heads = r.texts.filter { !self.heads.noteColumns.contains($0) }
        guard (r.amounts.isEmpty && heads.count >= 1) || yearHead, let lc = r.labelColumn else { return false }
        let texts = Set([lc] + heads + (yearHead ? r.amounts : []))
        func nextRow(after i: Int) -> ScanRow? {
            var j = i + 1
            while j < rows.count && rows[j].isEmpty { j += 1 }
            return j < rows.count && j - i <= 2 ? rows[j] : nil
        }
        func hasDataUnder(_ row: ScanRow) -> Bool {
            row.labelColumn != nil && (row.amounts.contains { texts.contains($0) } || row.dashes.contains { texts.contains($0) })
                && !ColumnHeads.isYearHeadRow(row)
        }
        // Data under the texts, after at most four section headings (text only, at or left of
        // the header's first column) or a second header row.
        var j = i
        for _ in 0..<5 {
            guard let next = nextRow(after: j) else { return false }
            if hasDataUnder(next) { return true }
            guard next.inexact.isEmpty, let nl = next.labelColumn, nl <= lc || yearHead || next.amounts.isEmpty else { return false }
            let headingOnly = next.amounts.isEmpty || (yearHead && next.amounts.allSatisfy { !texts.contains($0) })
            guard headingOnly else { return false }
            j = next.index
        }
        return false
    }
}

/// One table being built.
struct OpenTable {
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
    var dataRows = 0
    /// Rows with a year label: year → row, for change rows.
    var yearRows: [Int: Int] = [:]
    /// Rows stating vertical totals.
    var totalRows: Set<Int> = []
    /// A total here added up totals of the table before (a grand total over sections).
    var mergeFrom: Int?
    /// Header columns named Totalt/Total/Summa (a matrix's row totals).
    var totalColumns: [Int] = []
    /// The header column that is only a total word: rows are checked across into it.
    var rowTotalColumn: Int?
    /// Unlabelled subtotals taken (bare rows of figures under their blocks).
    var bareSubtotals = 0
}

/// A table closed, its lines a range of the store.
struct ClosedTable {
    var table: BudgetTable
    var lines: Range<Int>
    var totalRows: Set<Int>
    var startRow: Int, endRow: Int, startColumn: Int
}
