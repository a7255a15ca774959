/// A row, read for recognition (a class: the scan passes rows around, and a reference is
/// cheaper to copy than the arrays inside). Not changed once made, so it may be shared.
/// (Sendable: every field is set in `init` and never changed after, so threads only read it.)
final class ScanRow: @unchecked Sendable {
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
    /// Columns right of the label holding a lone dash (nothing).
    var dashes: [Int] = []
    var isEmpty: Bool { labelColumn == nil && amounts.isEmpty && texts.isEmpty }

    /// An empty row.
    init(index: Int) { self.index = index }
    static let blank = ScanRow(index: -1)

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
            case .dash: if labelColumn != nil { dashes.append(c) }
            case .text(let t):
                if labelColumn == nil { labelColumn = c; label = t; year = ScanCell.year(t) }
                else { texts.append(c) }
            case .amount(let m, let explicit, let isNumber):
                if labelColumn == nil, explicit == nil, isNumber || m.ore % 100 == 0, let y = ScanCell.year(m) {
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
            if c > lc, case .dash = cell { dashes.append(c) }
            if c == lc, case .text(let t) = cell { labelColumn = c; label = t; year = ScanCell.year(t) }
            else if c == lc, case .amount(let m, _, _) = cell, let y = ScanCell.year(m) { labelColumn = c; label = String(y); year = y }
            else if c > lc, case .amount = cell { amounts.append(c) }
            else if c > lc, case .text = cell { texts.append(c) }
        }
    }
}
