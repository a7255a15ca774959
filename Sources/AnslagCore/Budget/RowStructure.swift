/// Structure a table states without total words: parent rows above their parts, and columns
/// that are other columns' sum or difference.
///
/// *Parent rows.* A driftredovisning lists each nämnd on a row of its own with its verksamheter
/// under it, and the nämnd row is their total though no "Summa" says so. A line is taken as the
/// parent of the run of lines right under it (no blank row or heading between) when, in two
/// or more columns, and in at least half of them, it states exactly what the run adds up to;
/// or when it does so in one and every other column differs by no more than rounding the run's
/// figures explains (half a unit of the column's last digit for each, at least one unit: tables
/// published in mnkr or tkr are rounded line by line). Of the runs that qualify, the one with the most exact columns is
/// taken (the shortest of equals). Each column that disagrees is reported at the parent's cell;
/// the parent then stands for its run in any total below it, as a subtotal does.
///
/// *Row relations.* A column headed as a result of others (`Avvikelse mot budget`,
/// `Nettokostnad 2020`, `Budget-avvikelse`, `Differens`) is checked as the sum or difference
/// of two other columns when the data say which: the relation that holds exactly on the most
/// rows where both operands are non-zero, on at least three of them and three in four, and on
/// more rows than any other relation. Every row where it does not hold is reported, unless
/// the cell was reported already.
extension TableScan {
    /// Lines this long after a parent are as far as a parent's run is looked for.
    static var maxPartRows: Int { 400 }

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
        var a = 0
        while a + 2 < lines.count {
            guard let k = parentRun(values, digits: digits, lines: lines, at: a) else { a += 1; continue }
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

    /// How many lines under line `a` it is the parent of (nil: it is no parent).
    /// The unit of the last digit written in a column, in öre (100 000 for 0,1 mnkr figures):
    /// the largest power of ten dividing every figure.
    static func lastDigit(_ figures: [Money]) -> UInt64 {
        var unit: UInt64 = 1
        while unit < 1_000_000_000_000_000, figures.allSatisfy({ $0.ore.magnitude % (unit * 10) == 0 }) { unit *= 10 }
        return unit
    }

    func parentRun(_ values: [[Money?]], digits: [UInt64], lines: [Int], at a: Int) -> Int? {
        let width = values[a].count
        var sums = [Int64](repeating: 0, count: width)
        var magnitudes = [UInt64](repeating: 0, count: width)
        var seen = [Bool](repeating: false, count: width)
        var best: (k: Int, exact: Int)?
        for k in 1...min(Self.maxPartRows, values.count - a - 1) {
            let j = a + k
            if isBoundary(between: lines[j - 1], and: lines[j]) { break }
            for c in 0..<width {
                guard let v = values[j][c] else { continue }
                let (s, o) = sums[c].addingReportingOverflow(v.ore)
                let (m, o2) = magnitudes[c].addingReportingOverflow(v.ore.magnitude)
                if o || o2 { return best?.k }
                sums[c] = s; magnitudes[c] = m; seen[c] = true
            }
            guard k >= 2 else { continue }
            var exact = 0, off = 0, near = 0
            for c in 0..<width {
                guard let p = values[a][c], seen[c] else { continue }
                if p.ore == sums[c] {
                    if p.ore != 0 { exact += 1 }
                    continue
                }
                off += 1
                let rounding = digits[c].multipliedReportingOverflow(by: UInt64(max(1, (k + 1) / 2)))
                if let d = p.ore.subtractingChecked(sums[c]), !rounding.overflow, d.magnitude <= rounding.partialValue { near += 1 }
            }
            let holds = (exact >= 2 && exact >= off) || (exact >= 1 && near == off && exact + off >= 2)
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
            var computed = Money.zero
            var any = false
            for v in values.dropFirst() { if let m = v[ci] { computed = computed + m; any = true } }
            guard any else { continue }
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
        let candidates = heads.columns.filter { Self.isRelationHead($0.value.head) }.map(\.key).sorted()
        guard !candidates.isEmpty else { return }
        let dataRows = (o.start...o.end).filter { i in
            i != o.headerRow && rows[i].label != nil && !rows[i].amounts.isEmpty && rows[i].inexact.isEmpty
        }
        var columnSet = Set<Int>()
        for i in dataRows { for c in rows[i].amounts where !heads.noteColumns.contains(c) { columnSet.insert(c) } }
        let columns = columnSet.sorted()
        guard columns.count >= 3, columns.count <= 32 else { return }
        for x in candidates where columnSet.contains(x) {
            guard let r = relation(for: x, columns: columns, rows: dataRows, unit: unit) else { continue }
            let flagged = Set(findings.filter { $0.severity == .error }.compactMap(\.cell))
            for i in dataRows {
                guard let vx = value(rows[i], x, unit: unit), let va = value(rows[i], r.a, unit: unit), let vb = value(rows[i], r.b, unit: unit),
                      let computed = r.minus ? va.ore.subtractingChecked(vb.ore) : va.ore.addingChecked(vb.ore) else { continue }
                guard vx.ore != computed, !flagged.contains(a1(i, x)) else { continue }
                let what = "\(rows[i].label ?? ""): \(heads.columns[x]?.head ?? "") = \(heads.columns[r.a]?.head ?? a1(i, r.a)) \(r.minus ? "−" : "+") \(heads.columns[r.b]?.head ?? a1(i, r.b))"
                report(code: .sumMismatch, row: i, column: x, stated: vx, computed: Money(ore: computed),
                       lines: "\(a1(i, r.a)) \(r.minus ? "−" : "+") \(a1(i, r.b))", unit: unit, what: what)
            }
        }
    }

    /// The relation column `x` follows (`x = a + b` or `x = a − b`), when the data say so
    /// unambiguously.
    func relation(for x: Int, columns: [Int], rows dataRows: [Int], unit: AmountUnit) -> (a: Int, b: Int, minus: Bool)? {
        var scored: [(a: Int, b: Int, minus: Bool, exact: Int, evidence: Int)] = []
        for a in columns where a != x {
            for b in columns where b != x && b != a {
                for minus in [false, true] where minus || a < b {
                    var exact = 0, evidence = 0
                    for i in dataRows {
                        guard let vx = value(rows[i], x, unit: unit), let va = value(rows[i], a, unit: unit), let vb = value(rows[i], b, unit: unit),
                              va.ore != 0, vb.ore != 0 else { continue }
                        evidence += 1
                        if let v = minus ? va.ore.subtractingChecked(vb.ore) : va.ore.addingChecked(vb.ore), v == vx.ore { exact += 1 }
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
        return Vocabulary.relationHeads.contains { folded.contains($0) }
    }
}

extension Int64 {
    func addingChecked(_ o: Int64) -> Int64? { let (v, f) = addingReportingOverflow(o); return f ? nil : v }
    func subtractingChecked(_ o: Int64) -> Int64? { let (v, f) = subtractingReportingOverflow(o); return f ? nil : v }
}
