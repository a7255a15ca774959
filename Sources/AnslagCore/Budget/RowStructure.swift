/// Structure a table states without total words: parent rows above their parts, and columns
/// that are other columns' sum or difference.
///
/// *Parent rows.* A driftredovisning lists each nämnd on a row of its own with its verksamheter
/// under it, and the nämnd row is their total though no "Summa" says so. A line is taken as the
/// parent of the run of lines right under it (no blank row or heading between) when it has
/// figures in two or more columns, states exactly what the run adds up to in at least one of
/// them (a column where two or more of the run's figures are not zero), and every other column
/// differs by no more than rounding the run's figures explains (half a unit of the column's
/// last digit for each, at least one unit: tables published in mnkr or tkr are rounded line by
/// line). A larger difference is no evidence of a parent: such a row is left a line. Of the runs that qualify, the one with the most exact columns is
/// taken (the shortest of equals). Each column that disagrees is reported at the parent's cell;
/// the parent then stands for its run in any total below it, as a subtotal does.
///
/// *Row relations.* A column headed as a result of others (`Avvikelse mot budget`,
/// `Nettokostnad 2020`, `Budget-avvikelse`, `Differens`) is checked as the sum or difference
/// of two columns left of it when the data say which: the relation that holds exactly on the most
/// rows where both operands are non-zero, on at least three of them and three in four, and on
/// more rows than any other relation. Every row where it does not hold is reported, unless
/// the cell was reported already.
extension TableScan {
    /// Lines this long after a parent are as far as a parent's run is looked for.
    static var maxPartRows: Int { 400 }
    /// Cells a table's parent search may visit (lines × reach × columns): a published table
    /// (a few hundred lines, a dozen columns) is searched to the full reach; a sheet of
    /// 20 000 lines and 40 columns only 5 lines deep, so no sheet takes seconds.
    static var parentSearchBudget: Int { 4_000_000 }

    /// Finds the parent rows among the lines taken since the last total (or the table's
    /// start), checks them, and puts them in place of their runs for the totals below.
    mutating func resolveParents() {
        let lines = lineRows
        lineRows = []
        guard lines.count >= 3, lines.count <= 20_000, let unit = table?.unit else { return }
        var columnSet = Set<Int>()
        for r in lines {
            for c in rows[r].amounts where !heads.noteColumns.contains(c) { columnSet.insert(c) }
        }
        for r in lines { for c in rows[r].inexact { columnSet.remove(c) } }   // rates: not to be summed
        let columns = columnSet.sorted()
        guard columns.count >= 2, columns.count <= 64 else { return }
        let values = lines.map { r in columns.map { value(rows[r], $0, unit: unit) } }
        let digits = columns.indices.map { ci in Self.lastDigit(values.compactMap { $0[ci] }) }
        let reach = max(2, min(Self.maxPartRows, Self.parentSearchBudget / (lines.count * columns.count)))
        var a = 0
        while a + 2 < lines.count {
            guard let k = parentRun(values, digits: digits, lines: lines, at: a, reach: reach) else { a += 1; continue }
            takeParent(row: lines[a], parts: Array(lines[(a + 1)...(a + k)]), columns: columns, values: Array(values[a...(a + k)]), unit: unit)
            a += k + 1
        }
    }

    /// An amount cell in kronor, a dash as zero, nil for no figure.
    func value(_ row: ScanRow, _ c: Int, unit: AmountUnit) -> Money? {
        if let m = ScanCell.kronor(row[c], unit: unit) { return m }
        if case .dash = row[c] { return .zero }
        return nil
    }

    /// The unit of the last digit written in a column, in öre (100 000 for 0,1 mnkr figures):
    /// the largest power of ten dividing every figure.
    static func lastDigit(_ figures: [Money]) -> UInt64 {
        var unit: UInt64 = 1
        while unit < 1_000_000_000_000_000, figures.allSatisfy({ $0.ore.magnitude % (unit * 10) == 0 }) { unit *= 10 }
        return unit
    }

    /// How many lines under line `a` (at most `reach`) it is the parent of (nil: it is no parent).
    func parentRun(_ values: [[Money?]], digits: [UInt64], lines: [Int], at a: Int, reach: Int) -> Int? {
        let width = values[a].count
        var sums = [Int64](repeating: 0, count: width)
        var magnitudes = [UInt64](repeating: 0, count: width)
        var seen = [Bool](repeating: false, count: width)
        var nonZero = [Int](repeating: 0, count: width)
        var best: (k: Int, exact: Int)?
        for k in 1...min(reach, values.count - a - 1) {
            let j = a + k
            if isBoundary(between: lines[j - 1], and: lines[j]) { break }
            for c in 0..<width {
                guard let v = values[j][c] else { continue }
                let (s, o) = sums[c].addingReportingOverflow(v.ore)
                let (m, o2) = magnitudes[c].addingReportingOverflow(v.ore.magnitude)
                if o || o2 { return best?.k }
                sums[c] = s; magnitudes[c] = m; seen[c] = true
                if v.ore != 0 { nonZero[c] += 1 }
            }
            guard k >= 2 else { continue }
            var exact = 0, off = 0, near = 0
            for c in 0..<width {
                guard let p = values[a][c], seen[c] else { continue }
                if p.ore == sums[c] {
                    if p.ore != 0 && nonZero[c] >= 2 { exact += 1 } else if p.ore != 0 { off += 1; near += 1 }
                    continue
                }
                off += 1
                let rounding = digits[c].multipliedReportingOverflow(by: UInt64(max(1, (k + 1) / 2)))
                if let d = Self.combine(p, Money(ore: sums[c]), minus: true), !rounding.overflow, d.magnitude <= rounding.partialValue { near += 1 }
            }
            let holds = exact >= 1 && near == off && exact + off >= 2
            if holds, exact > (best?.exact ?? 0) { best = (k, exact) }
        }
        return best?.k
    }

    /// A blank row or a heading lies between rows `lo` and `hi`.
    func isBoundary(between lo: Int, and hi: Int) -> Bool {
        // The last boundary before `hi`.
        var a = 0, b = boundaries.count
        while a < b { let m = (a + b) / 2; if boundaries[m] < hi { a = m + 1 } else { b = m } }
        return a > 0 && boundaries[a - 1] > lo
    }

    /// Checks a parent row against its parts, marks it a subtotal, and puts it in place of
    /// its parts among the items later totals add.
    mutating func takeParent(row p: Int, parts: [Int], columns: [Int], values: [[Money?]], unit: AmountUnit) {
        let label = rows[p].label ?? ""
        table!.totals += 1
        table!.totalRows.insert(p)
        let partRows = Set(parts)
        for (ci, c) in columns.enumerated() {
            guard let stated = values[0][ci] else { continue }
            let figures = values.dropFirst().compactMap { $0[ci] }
            guard !figures.isEmpty, let computed = Money.sum(figures) else { continue }
            let lines = "\(a1(parts.first!, c)):\(a1(parts.last!, c))"
            if stated != computed {
                report(code: .sumMismatch, row: p, column: c, stated: stated, computed: computed, lines: lines, unit: unit,
                       what: "\(label), above \(parts.count) rows it adds up")
            }
            if let i = store.lastIndex(where: { $0.position == CellPosition(row: p, column: c) }) {
                store[i].role = .subtotal
                store[i].sumOf = lines
            }
            guard var list = items[c], let at = list.firstIndex(where: { $0.row == p }), !list[at].isTotal else { continue }
            let covered = list[at...].filter { partRows.contains($0.row) }.reduce(Money.zero) { $0 + $1.covered }
            list[at] = SpanItem(row: p, stated: stated, covered: covered, isTotal: true)
            list.removeAll { partRows.contains($0.row) && !$0.isTotal }
            items[c] = list
        }
    }

    /// Checks the columns headed as results of two others over the rows of the closing table.
    mutating func checkRowRelations(_ o: OpenTable) {
        guard o.dataRows >= 3, o.end - o.start < 20_000 else { return }
        let unit = o.unit
        let candidates = heads.relationColumns
        guard !candidates.isEmpty else { return }
        let dataRows = (o.start...o.end).filter { i in
            i != o.headerRow && rows[i].label != nil && !rows[i].amounts.isEmpty && rows[i].inexact.isEmpty
        }
        var columnSet = Set<Int>()
        for i in dataRows { for c in rows[i].amounts where !heads.noteColumns.contains(c) { columnSet.insert(c) } }
        let columns = columnSet.sorted()
        guard columns.count >= 3, columns.count <= 32 else { return }
        // Every figure once: the relation search below reads each row's cells many times.
        let grid = dataRows.map { i in columns.map { value(rows[i], $0, unit: unit) } }
        for x in candidates {
            guard let xi = columns.firstIndex(of: x), let r = relation(for: xi, in: grid) else { continue }
            let (a, b) = (columns[r.a], columns[r.b])
            let flagged = Set(findings.filter { $0.severity == .error }.compactMap(\.cell))
            for (n, i) in dataRows.enumerated() {
                guard let vx = grid[n][xi], let va = grid[n][r.a], let vb = grid[n][r.b],
                      let computed = Self.combine(va, vb, minus: r.minus) else { continue }
                guard vx.ore != computed, !flagged.contains(a1(i, x)) else { continue }
                let what = "\(rows[i].label ?? ""): \(heads.columns[x]?.head ?? "") = \(heads.columns[a]?.head ?? a1(i, a)) \(r.minus ? "−" : "+") \(heads.columns[b]?.head ?? a1(i, b))"
                report(code: .sumMismatch, row: i, column: x, stated: vx, computed: Money(ore: computed),
                       lines: "\(a1(i, a)) \(r.minus ? "−" : "+") \(a1(i, b))", unit: unit, what: what)
            }
        }
    }

    /// `a + b` or `a − b` in öre; nil on overflow.
    static func combine(_ a: Money, _ b: Money, minus: Bool) -> Int64? {
        let (v, overflow) = minus ? a.ore.subtractingReportingOverflow(b.ore) : a.ore.addingReportingOverflow(b.ore)
        return overflow ? nil : v
    }

    /// The relation column `x` of `grid` (rows × columns) follows (`x = a + b` or `x = a − b`,
    /// as column indices of the grid), when the data say so unambiguously.
    func relation(for x: Int, in grid: [[Money?]]) -> (a: Int, b: Int, minus: Bool)? {
        var scored: [(a: Int, b: Int, minus: Bool, exact: Int, evidence: Int)] = []
        // Operands stand left of the result, as tables print them (Intäkter, Kostnader, then
        // Nettokostnad; Nettokostnad, Budget, then Avvikelse). This also keeps one equation
        // from being read twice: Avvikelse = Nettokostnad − Budget is Nettokostnad = Budget + Avvikelse.
        for a in 0..<x {
            for b in 0..<x where b != a {
                for minus in [false, true] where minus || a < b {
                    var exact = 0, evidence = 0
                    for row in grid {
                        guard let vx = row[x], let va = row[a], let vb = row[b], va.ore != 0, vb.ore != 0 else { continue }
                        evidence += 1
                        if Self.combine(va, vb, minus: minus) == vx.ore { exact += 1 }
                    }
                    if exact >= 3 && exact * 4 >= evidence * 3 { scored.append((a, b, minus, exact, evidence)) }
                }
            }
        }
        let ranked = scored.sorted { $0.exact > $1.exact }
        guard let best = ranked.first, ranked.count == 1 || ranked[1].exact < best.exact else { return nil }
        return (best.a, best.b, best.minus)
    }

    /// A head naming a figure computed from others in its row.
    static func isRelationHead(_ head: String) -> Bool {
        let folded = BudgetRecognizer.fold(head)
        return Vocabulary.relationHeads.contains { folded.firstRange(of: $0) != nil }
    }
}
