/// The heads over a table's columns: which rows are header rows, what each column's head says
/// (its text with a super-header's in front, the year and kind it names), and which columns
/// hold note references. A header row heads every block below it until the next one.
struct ColumnHeads {
    /// The header row's own texts by column (years written as numbers included), as the
    /// table's `header` shows them.
    var texts: ColumnMap<String> = [:]
    /// What each column's head says, for the lines in it.
    var columns: ColumnMap<BudgetLine.Column> = [:]
    /// Columns headed "Not" / "Noter": note numbers, never amounts.
    var noteColumns: Set<Int> = []
    /// Columns whose head names a figure computed from others in its row (`Avvikelse`,
    /// `Nettokostnad 2020`), in order: read once with the header, not at every table's close.
    var relationColumns: [Int] = []

    /// Reads a header row, with the super-header row above it if there is one ("Kommunen |
    /// Sammanställd redovisning" over "2017 | 2018 | 2017 | 2018").
    init(header row: ScanRow, above: ScanRow?) {
        for (c, cell) in row.cells {
            switch cell {
            case .text(let t): texts[c] = t
            case .amount(let m, nil, _): if let y = ScanCell.year(m) { texts[c] = String(y) }
            default: break
            }
        }
        var supers: [(column: Int, text: String)] = []
        if let above, above.amounts.isEmpty, above.inexact.isEmpty, let first = row.labelColumn {
            for (c, cell) in above.cells {
                guard case .text(let t) = cell, t.utf8.count <= 80 else { continue }
                // "Not" heading its column from the row above ("mnkr | Not | Kommunen" over
                // "1, 2 | 2021 | 2020"): the column stays a note column under the lower head.
                if Self.isNoteHead(t) { noteColumns.insert(c) } else if c > first { supers.append((c, t)) }
            }
        }
        for (c, text) in texts {
            if noteColumns.contains(c) || Self.isNoteHead(text) { noteColumns.insert(c); continue }
            if c == row.labelColumn && row.year == nil { continue }   // the label column's head ("Belopp i mnkr")
            let over = supers.last { $0.column <= c }?.text
            let head = over.map { $0 + " " + text } ?? text
            columns[c] = BudgetLine.Column(head: head, year: BudgetRecognizer.years(in: head).last, kind: Self.kind(of: head))
        }
        relationColumns = columns.filter { TableScan.isRelationHead($0.value.head) }.map(\.key).sorted()
    }

    init() {}

    /// "Not", "Noter" (with or without a colon).
    static func isNoteHead(_ text: String) -> Bool {
        Vocabulary.noteHeads.contains(BudgetRecognizer.fold(text).trimmingCharacters(in: ":"))
    }

    var isEmpty: Bool { texts.isEmpty }

    /// The kind of figure a head names: the first word that names one.
    static func kind(of head: String) -> BudgetLine.ColumnKind? {
        let words = BudgetRecognizer.fold(head).split(whereSeparator: { !$0.isLetter })
        for w in words {
            if let k = Vocabulary.columnKinds.first(where: { $0.word == w }) { return BudgetLine.ColumnKind(rawValue: k.kind) }
        }
        return nil
    }

    /// A row of years heading amount columns ("Not | 2018 | 2017", "Belopp i tkr | Not |
    /// BUDGET 2019 | 2019 | 2018"): years written as numbers are heads, not amounts. Every
    /// number in the row is a year, the years lie within fifteen of each other, and there
    /// are two of them or a text beside the one.
    static func isYearHeadRow(_ r: ScanRow) -> Bool {
        guard !r.amounts.isEmpty, r.amounts.count <= 64, r.inexact.isEmpty else { return false }
        var years: [Int] = []
        if let y = r.year, r.label != nil, ScanCell.year(r.label ?? "") != nil { years.append(y) }
        for c in r.amounts {
            guard case .amount(let m, nil, _) = r[c], let y = ScanCell.year(m) else { return false }
            years.append(y)
        }
        if let l = r.label, r.year == nil {
            let f = BudgetRecognizer.fold(l)
            if BudgetRecognizer.isTotalLabel(f) || BudgetRecognizer.isResultLabel(f) || BudgetRecognizer.isChangeLabel(f) { return false }
        }
        guard let lo = years.min(), let hi = years.max(), hi - lo <= 15 else { return false }
        // "Löner | 2000 | 2000": one year twice under a line's own label reads as amounts.
        if years.count >= 2 && lo == hi, let l = r.label, r.year == nil, !isHeadLabel(l) { return false }
        if years.count >= 2 || !r.texts.isEmpty { return true }
        // One year: under a label that states the unit or is a head word ("Belopp i mnkr", "tkr", "Post").
        guard let l = r.label, r.year == nil else { return false }
        return isHeadLabel(l)
    }

    /// A label that heads columns: it states the unit or is a head word ("Belopp i mnkr", "tkr", "Post").
    static func isHeadLabel(_ l: String) -> Bool {
        BudgetRecognizer.unit(in: l) != nil || Vocabulary.headLabels.contains(BudgetRecognizer.fold(l).trimmingCharacters(in: ":"))
    }
}
