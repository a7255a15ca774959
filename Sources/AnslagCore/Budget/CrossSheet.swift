/// Totals stated across sheets: an overview sheet whose rows (or matrix columns) name the area
/// sheets of the workbook — `Socialnämnden 412,5` over a sheet `Socialnämnden` whose table
/// closes on `Summa 412 480 tkr` — states those sheets' totals, and is checked against them.
///
/// An overview amount is compared with the area sheet's grand total in the same column: the
/// same year (and kind, `Budget` or `Utfall`, when both sides name one), or the only total
/// column when a side names no year. It agrees when it equals that total, or any total the
/// area sheet states in that column (an overview of costs may name `Summa kostnader`), or,
/// when the overview is written in a coarser unit, the total rounded as the overview's figure
/// is (`1,2` mnkr against `1 234` tkr). Otherwise
/// the overview cell is reported. Where the columns cannot be matched without a guess, no
/// comparison is made.
enum CrossSheet {
    /// One stated total of an area sheet.
    struct Total {
        var line: BudgetLine
        var unit: AmountUnit
        var year: Int?
        var kind: BudgetLine.ColumnKind?
    }

    static func findings(_ budget: Budget) -> [ReportFinding] {
        let sheetNames = Set(budget.tables.map(\.sheet))
        guard sheetNames.count >= 2 else { return [] }
        // The totals of each sheet, in sheet order, by the sheet's folded name.
        var totals: [String: (sheet: String, totals: [Total])] = [:]
        for t in budget.tables {
            let key = BudgetRecognizer.fold(t.sheet)
            guard !key.isEmpty else { continue }
            if let other = totals[key], other.sheet != t.sheet { continue }   // two sheets fold alike: neither is sure
            var entry = totals[key] ?? (t.sheet, [])
            t.lines.withUnsafeBufferPointer { lines in
                for i in lines.indices where (lines[i].role == .total || lines[i].role == .subtotal) && lines[i].amount != nil {
                    let l = lines[i]
                    entry.totals.append(Total(line: l, unit: t.unit, year: l.column?.year ?? l.year, kind: l.column?.kind))
                }
            }
            totals[key] = entry
        }
        // A label can name a sheet only if it begins as a sheet name does: most labels are
        // passed over without folding them.
        var initials = [Bool](repeating: false, count: 256)
        for k in totals.keys { if let b = k.utf8.first { initials[Int(b)] = true } }
        func mayName(_ s: String) -> Bool {
            guard let b = s.utf8.first else { return false }
            if b < 0x80 { return initials[Int(b >= 0x41 && b <= 0x5A ? b | 0x20 : b)] }
            guard let c = s.first else { return false }
            return BudgetRecognizer.fold(String(c)).utf8.first.map { initials[Int($0)] } ?? false
        }
        var out: [ReportFinding] = []
        for t in budget.tables {
            // Through a buffer pointer: a field read there is a load, where the array's
            // subscript copied each line whole (210 000 copies on Scripts/bench's workbook).
            t.lines.withUnsafeBufferPointer { lines in
                for i in lines.indices where lines[i].role == .line || lines[i].role == .subtotal {
                    guard let stated = lines[i].amount, mayName(t.layout == .matrix ? (lines[i].area ?? lines[i].label) : lines[i].label) else { continue }
                    let l = lines[i]
                    guard let name = l.layoutName(in: t),
                          let area = totals[BudgetRecognizer.fold(name)], area.sheet != t.sheet, !area.totals.isEmpty else { continue }
                    if let f = check(stated: stated, line: l, unit: t.unit, in: t, against: area.totals, areaSheet: area.sheet, file: budget.file) {
                        out.append(f)
                    }
                }
            }
        }
        return out
    }

    /// The finding for one overview amount, or nil when it agrees or cannot be matched.
    static func check(stated: Money, line l: BudgetLine, unit: AmountUnit, in t: BudgetTable, against all: [Total],
                      areaSheet: String, file: String) -> ReportFinding? {
        let year = l.column?.year ?? (t.layout == .matrix ? l.year : nil)
        let kind = l.column?.kind
        let columns = Set(all.map { "\($0.year.map(String.init) ?? "-")|\($0.kind?.rawValue ?? "-")" })
        let same: [Total]
        if let year {
            let byYear = all.filter { $0.year == year && (kind == nil || $0.kind == nil || $0.kind == kind) }
            if !byYear.isEmpty { same = byYear }
            else if columns.count == 1 && all.allSatisfy({ $0.year == nil }) { same = all }
            else { return nil }
        } else {
            guard columns.count == 1 else { return nil }   // several columns and none named: no guess
            same = all
        }
        // The same column of the area sheet: its cells share one column letter.
        let letters = Set(same.compactMap { $0.line.position?.column })
        guard letters.count == 1, let grand = same.last(where: { $0.line.role == .total }) ?? same.last,
              let computed = grand.line.amount else { return nil }
        let coarser = unit.kronor > grand.unit.kronor
        for s in same {
            guard let a = s.line.amount else { continue }
            if a == stated || (coarser && rounded(a, step: precision(of: stated, atMost: unit)) == stated) { return nil }
        }
        guard !stated.ore.subtractingReportingOverflow(computed.ore).overflow else { return nil }
        let where_ = grand.line.cell
        return ReportFinding(code: .crossSheetMismatch, severity: .error, file: file, sheet: t.sheet,
                             cell: l.position?.a1, stated: stated, computed: computed, lines: where_,
                             message: "\(l.label.isEmpty ? (l.area ?? "") : l.label): stated \(stated), the sheet '\(areaSheet)' totals \(computed) (\(where_) \"\(grand.line.label)\")")
    }

    /// The step a rounded figure was written to: the largest power of ten (in öre) dividing it,
    /// at most one `unit` (`1,2` mnkr → 100 000 kr; `12` mnkr → 1 000 000 kr).
    static func precision(of stated: Money, atMost unit: AmountUnit) -> Int64 {
        let cap = unit.kronor.multipliedReportingOverflow(by: 100)
        guard !cap.overflow else { return 100 }
        var step: Int64 = 100
        while step < cap.partialValue, stated.ore % (step * 10) == 0 { step *= 10 }
        return step
    }

    /// `a` rounded half away from zero to a multiple of `step` öre.
    static func rounded(_ a: Money, step s: Int64) -> Money {
        guard s > 0 else { return a }
        let q = a.ore / s, r = a.ore % s
        let up = r.magnitude * 2 >= s.magnitude ? (a.ore < 0 ? q - 1 : q + 1) : q
        let (v, o) = up.multipliedReportingOverflow(by: s)
        return o ? a : Money(ore: v)
    }
}

extension BudgetLine {
    /// The name an overview line gives its area: a matrix line's area (the column head), else its label.
    fileprivate func layoutName(in t: BudgetTable) -> String? {
        let n = t.layout == .matrix ? (area ?? label) : label
        return n.isEmpty ? nil : n
    }
}
