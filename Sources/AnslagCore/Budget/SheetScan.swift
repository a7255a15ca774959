/// Recognises and checks the tables of one sheet. Rows are added as the reader streams them
/// (each cell classified at once, no grid of cells kept), then `run()` scans them.
struct SheetScan {
    let info: SheetInfo
    let file: String
    let options: BudgetRecognizer.Options
    let layout: LayoutFile.SheetLayout?
    /// The sheet's rows from A1 down, empty rows included.
    private(set) var rows: [ScanRow] = []
    var tables: [BudgetTable] = []
    var findings: [ReportFinding] = []

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
            var scanned: [ScanRow.Entry] = []
            scanned.reserveCapacity(cells.count)   // grown cell by cell it was 3.5 % of anslag-reconcile
            var formulas: [(column: Int, formula: String)] = []
            for (c, cell) in cells.enumerated() {
                let k = ScanCell.classify(cell)
                if case .empty = k {
                    if let f = cell.formula { formulas.append((c, f)) }   // a formula with no stored result
                    continue
                }
                scanned.append((c, k))
                if let f = cell.formula { formulas.append((c, f)) }
            }
            if !scanned.isEmpty || !formulas.isEmpty { add(row: r, scanned: scanned, formulas: formulas) }
        }
    }

    /// Adds a row as the reader streams it (cells ascending by column).
    mutating func add(row index: Int, cells: [IndexedCell]) {
        var scanned: [ScanRow.Entry] = []
        scanned.reserveCapacity(cells.count)
        var formulas: [(column: Int, formula: String)] = []
        for c in cells {
            let k = ScanCell.classify(c.cell)
            if case .empty = k {
                if let f = c.cell.formula { formulas.append((c.column, f)) }   // a formula with no stored result
                continue
            }
            if let last = scanned.last, last.column == c.column {
                scanned[scanned.count - 1].cell = k   // a column given twice: the later cell wins
            } else {
                scanned.append((c.column, k))
            }
            if let f = c.cell.formula { formulas.append((c.column, f)) }
        }
        if !scanned.isEmpty || !formulas.isEmpty { add(row: index, scanned: scanned, formulas: formulas) }
    }

    /// Adds a row's non-empty cells (ascending by column).
    private mutating func add(row index: Int, scanned: [ScanRow.Entry], formulas: [(column: Int, formula: String)]) {
        if index >= rows.count {
            // Rows between are empty; they share one instance (never asked for their index).
            rows.append(contentsOf: repeatElement(ScanRow.blank, count: index - rows.count))
            rows.append(ScanRow(index: index, cells: scanned, formulas: formulas, layout: layout))
        } else {
            // A row given twice or out of order: later cells win, as in Excel.
            var merged: [Int: ScanCell] = [:]
            for e in rows[index].cells { merged[e.column] = e.cell }
            for e in scanned { merged[e.column] = e.cell }
            let kept = rows[index].formulas.filter { f in !formulas.contains { $0.column == f.column } }
            rows[index] = ScanRow(index: index, cells: merged.sorted { $0.key < $1.key }.map { ($0.key, $0.value) },
                              formulas: kept + formulas, layout: layout)
        }
    }

    var name: String { info.name }
    let refPrefix: String
    func ref(_ r: Int, _ c: Int) -> String { refPrefix + CellPosition(row: r, column: c).a1 }
    func a1(_ r: Int, _ c: Int) -> String { CellPosition(row: r, column: c).a1 }

    /// Recognises the tables of the rows added, and checks them.
    mutating func run() {
        evaluateFormulasWithoutResults()
        var pass = TableScan(sheet: self)
        for i in rows.indices { pass.take(row: i) }
        pass.finish()
        tables = pass.tables
        // In sheet order: by row, then column.
        findings += pass.findings
        findings = findings.enumerated().sorted { a, b in
            let pa = a.element.cell.flatMap { CellPosition(a1: Substring($0)) }, pb = b.element.cell.flatMap { CellPosition(a1: Substring($0)) }
            if let pa, let pb, pa != pb { return pa < pb }
            return a.offset < b.offset
        }.map(\.element)
    }

    /// Files written by scripts (openpyxl) hold `=SUM(B4:B8)` with no stored result. Such a
    /// cell states what the formula says: plain SUM, `+` and `-` formulas over the sheet's own
    /// cells are evaluated (those they name first), the value put in the cell, and an info
    /// finding says so.
    private mutating func evaluateFormulasWithoutResults() {
        var pending: [(row: Int, column: Int, formula: String)] = []
        for r in rows where !r.formulas.isEmpty {
            for f in r.formulas {
                if case .empty = r[f.column] { pending.append((r.index, f.column, f.formula)) }
            }
        }
        guard !pending.isEmpty, pending.count <= 100_000 else { return }
        func waits(_ p: (row: Int, column: Int, formula: String), on terms: [FormulaRefs.Term]) -> Bool {
            pending.contains { q in (q.row != p.row || q.column != p.column) && terms.contains { $0.range.contains(row: q.row, column: q.column) } }
        }
        for _ in 0..<8 where !pending.isEmpty {
            var left: [(row: Int, column: Int, formula: String)] = []
            for p in pending {
                guard let terms = FormulaRefs.signedTerms(p.formula) else { continue }   // not plain arithmetic: left empty
                if waits(p, on: terms) { left.append(p); continue }
                guard let value = evaluate(terms, except: p.row, p.column) else { continue }
                let row = rows[p.row]
                var cells = row.cells.filter { $0.column != p.column }
                cells.append((p.column, .amount(value, explicit: nil, isNumber: true)))
                cells.sort { $0.column < $1.column }
                rows[p.row] = ScanRow(index: p.row, cells: cells, formulas: row.formulas, layout: layout)
                findings.append(ReportFinding(code: .formulaEvaluated, severity: .info, file: file, sheet: name, cell: a1(p.row, p.column),
                                              message: "=\(p.formula.hasPrefix("=") ? String(p.formula.dropFirst()) : p.formula) has no stored result; the value it computes from the cells it names is taken as the cell's"))
            }
            if left.count == pending.count { break }
            pending = left
        }
    }

    /// The value of `±range` terms over the sheet's amounts (in the table's unit; nil when a
    /// cell named its own unit, which would mix scales).
    private func evaluate(_ terms: [FormulaRefs.Term], except i: Int, _ c: Int) -> Money? {
        var total = Money.zero
        for t in terms {
            for rr in stride(from: t.range.start.row, through: min(t.range.end.row, rows.count - 1), by: 1) {
                for (cc, cell) in rows[rr].cells where cc >= t.range.start.column && cc <= t.range.end.column && !(rr == i && cc == c) {
                    guard case .amount(let m, let explicit, _) = cell else { continue }
                    guard explicit == nil else { return nil }
                    total = t.negative ? total - m : total + m
                }
            }
        }
        return total
    }
}
