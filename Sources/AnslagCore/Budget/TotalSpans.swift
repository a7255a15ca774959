/// A line or a total standing above a later total in one column, not yet added into another
/// total. A total that adds a run of them (its span) then stands for them.
struct SpanItem {
    var row: Int
    /// The value the sheet states.
    var stated: Money
    /// What the lines under it add up to (a line: its own value).
    var covered: Money
    var isTotal: Bool
    /// A total that added everything of its table above it.
    var topLevel = false
}

/// The checks of vertical totals: what a total adds up.
///
/// A total is compared with its *visible parts*: the stated values of the subtotals it spans
/// plus the lines outside them. Its span is a run of the items above it that begins where a
/// block may begin (the table's start, a heading, a blank row, a total); the shortest run
/// whose stated values, or whose lines under them, add up to the total is taken, so a total
/// that disagrees with its visible parts but agrees with all the lines under them is not
/// reported again (the subtotal's own finding explains it). When no run adds up, the total is
/// reported against the nearest of the natural spans: the lines since the last total, the
/// block since its heading, everything since the last top-level total, and (for result rows,
/// which are running totals) that top-level total with what follows it.
extension TableScan {
    mutating func addLine(row: Int, column c: Int, amount: Money) {
        items[c, default: []].append(SpanItem(row: row, stated: amount, covered: amount, isTotal: false))
    }

    /// Whether a block may begin at item `k` of `list`: the first, after a total, at a total,
    /// or after a heading or blank row.
    func mayBegin(_ list: [SpanItem], at k: Int) -> Bool {
        if k == 0 || list[k].isTotal || list[k - 1].isTotal { return true }
        return isBoundary(between: list[k - 1].row, and: list[k].row)
    }

    /// The cells of a span: totals one by one, runs of lines as ranges.
    func cells(_ span: ArraySlice<SpanItem>, column c: Int) -> String? {
        var parts: [String] = []
        var run: (Int, Int)?
        func flush() {
            if let (lo, hi) = run { parts.append(lo == hi ? a1(lo, c) : "\(a1(lo, c)):\(a1(hi, c))") }
            run = nil
        }
        for item in span {
            if item.isTotal { flush(); parts.append(a1(item.row, c)) } else { run = (run?.0 ?? item.row, item.row) }
        }
        flush()
        return parts.isEmpty ? nil : parts.joined(separator: ",")
    }

    /// Whether some run of two or more items above (beginning where a block may) adds up to `stated`.
    func addsUp(column c: Int, stated: Money) -> Bool {
        guard !tainted.contains(c), let list = items[c], list.count >= 2 else { return false }
        var statedAcc = Money.zero, coveredAcc = Money.zero
        for k in stride(from: list.count - 1, through: max(0, list.count - Self.maxSpanItems), by: -1) {
            statedAcc = statedAcc + list[k].stated
            coveredAcc = coveredAcc + list[k].covered
            if k < list.count - 1, mayBegin(list, at: k), statedAcc == stated || coveredAcc == stated { return true }
        }
        return false
    }

    /// Checks one total cell; returns the cells it sums.
    mutating func checkTotal(row i: Int, column c: Int, stated: Money, label: String, isResult: Bool, folded: String) -> String? {
        let unit = table!.unit
        let wasTainted = tainted.contains(c)
        tainted.remove(c)
        var list = items.take(c) ?? []   // taken out, so changing it copies nothing
        defer { items[c] = list }
        // 1. A formula naming the cells it adds.
        if let f = rows[i].formula(at: c), let refs = FormulaRefs.sumReferences(f) {
            let computed = sum(refs, except: i, c, unit: unit)
            let lines = refs.map(\.a1).joined(separator: ",")
            if stated != computed {
                report(code: .sumMismatch, row: i, column: c, stated: stated, computed: computed, lines: lines, unit: unit, what: "\(label) (=\(f))")
            }
            let covered = { (row: Int) in refs.contains { $0.contains(row: row, column: c) } }
            for t in list where t.isTotal && covered(t.row) && t.row < table!.start { table!.mergeFrom = min(table!.mergeFrom ?? Int.max, t.row) }
            // The items the formula covers are consumed (their covered sum carried on), the rest kept.
            var kept: [SpanItem] = []
            kept.reserveCapacity(list.count)
            var consumedSum = Money.zero, anyConsumed = false
            for t in list {
                if covered(t.row) { consumedSum = consumedSum + t.covered; anyConsumed = true } else { kept.append(t) }
            }
            list = kept
            list.append(SpanItem(row: i, stated: stated, covered: anyConsumed ? consumedSum : computed,
                                 isTotal: true, topLevel: list.count == 0))
            if list.count == 1 { list[0].topLevel = true }
            return lines
        }
        if wasTainted {
            // Lines that are not exact amounts (rates, ratios) above: nothing can be said.
            list.removeAll { !$0.isTotal && $0.row >= table!.start }
            list.append(SpanItem(row: i, stated: stated, covered: stated, isTotal: true))
            return nil
        }
        // 2. A summary line restating a section's total ("Totalt regioner" again under "Totalt").
        let section = Self.section(of: folded)
        if let section, let earlier = sectionTotals[section]?[c], list.last?.isTotal ?? true {
            if earlier.stated != stated {
                report(code: .sumMismatch, row: i, column: c, stated: stated, computed: earlier.stated, lines: a1(earlier.row, c), unit: unit,
                       what: "\(label): the total of the section it names")
            }
            return a1(earlier.row, c)
        }
        if let section { sectionTotals[section, default: [:]][c] = (i, stated) }
        // 3. The shortest run above that adds up, as stated or as its lines add up. (Items
        // before a top-level total are gone: nothing reaches past it but through it.) A running
        // result carries the table's last total on: a run of the lines after it alone is the
        // net of those lines, not the result ("Resultat efter finansiella poster" stating the
        // finansnetto is an error, not a match).
        let carried = isResult && BudgetRecognizer.isRunningResultLabel(folded)
            ? list.lastIndex { $0.isTotal && $0.row >= table!.start } : nil
        var statedAcc = Money.zero, coveredAcc = Money.zero
        for k in stride(from: list.count - 1, through: max(0, list.count - Self.maxSpanItems), by: -1) {
            statedAcc = statedAcc + list[k].stated
            coveredAcc = coveredAcc + list[k].covered
            if let carried, k > carried { continue }
            guard mayBegin(list, at: k), statedAcc == stated || coveredAcc == stated else { continue }
            let span = cells(list[k...], column: c)
            if list[k].row < table!.start { table!.mergeFrom = min(table!.mergeFrom ?? Int.max, list[k].row) }
            close(&list, from: k, with: SpanItem(row: i, stated: stated, covered: coveredAcc, isTotal: true))
            return span
        }
        // 4. No run adds up: the nearest natural span.
        guard let k = nearestSpan(list, stated: stated, isResult: isResult, carrying: carried) else {
            list.append(SpanItem(row: i, stated: stated, covered: stated, isTotal: true))
            return nil   // a total with nothing of its table above it: nothing to check against
        }
        let span = list[k...]
        let computed = span.reduce(Money.zero) { $0 + $1.stated }
        let lines = cells(span, column: c)
        let residual = stated - computed
        if table!.isAllocation, residual.ore > 0, residual.ore < Int64(max(span.count, 1)) * 100 * unit.kronor, residual.ore % (100 * unit.kronor) == 0 {
            findings.append(ReportFinding(code: .allocationResidual, severity: .warning, file: sheet.file, sheet: name, cell: a1(i, c),
                                          stated: stated, computed: computed, lines: lines,
                                          message: "\(label): the parts sum to \(computed), \(residual) less than the total \(stated); it looks like each share was rounded down and the residual left unallocated"))
        } else {
            report(code: .sumMismatch, row: i, column: c, stated: stated, computed: computed, lines: lines, unit: unit, what: label)
        }
        if list[k].row < table!.start { table!.mergeFrom = min(table!.mergeFrom ?? Int.max, list[k].row) }
        close(&list, from: k, with: SpanItem(row: i, stated: stated, covered: span.reduce(Money.zero) { $0 + $1.covered }, isTotal: true))
        return lines
    }

    /// How far back a total's span is looked for (items, per column).
    static var maxSpanItems: Int { 20_000 }

    /// Replaces the items from `k` on with the total that adds them; a total that adds
    /// everything above it is top-level, and nothing before it can be reached but through it.
    func close(_ list: inout [SpanItem], from k: Int, with total: SpanItem) {
        var total = total
        total.topLevel = k == 0
        list.replaceSubrange(k..., with: [total])
        if total.topLevel && list.count > 1 { list.removeFirst(list.count - 1) }
    }

    /// Where the span of a total that adds up to nothing above begins: among the lines since
    /// the last total, the block since the first or last heading after it, the table's items,
    /// everything since the last top-level total, and that total with what follows (result
    /// rows, running totals), the one nearest the stated value (the first of equals); a
    /// running result's span begins at or before the total it carries on (`carried`). Nil
    /// when there is nothing above the total.
    func nearestSpan(_ list: [SpanItem], stated: Money, isResult: Bool, carrying carried: Int? = nil) -> Int? {
        guard !list.isEmpty else { return nil }
        let low = max(0, list.count - Self.maxSpanItems)
        let first = max(low, list.firstIndex { $0.row >= table!.start } ?? list.count)
        var starts: [Int] = []
        let lastTotal = list.lastIndex { $0.isTotal }
        if let t = lastTotal, t + 1 < list.count, t + 1 >= first { starts.append(t + 1) }
        let after = max((lastTotal ?? -1) + 1, first)
        let headed = (max(after, 1)..<list.count).filter { mayBegin(list, at: $0) }
        if let h = headed.first { starts.append(h) }
        if let h = headed.last { starts.append(h) }
        if first < list.count { starts.append(first) }
        let lastTop = list.lastIndex { $0.isTotal && $0.topLevel }
        if let t = lastTop, t + 1 < list.count { starts.append(t + 1) } else if lastTop == nil { starts.append(low) }
        if let t = lastTop { starts.append(t) }   // a running total, or a grand total over the top-level totals
        var best: (start: Int, distance: UInt64)?
        for s in starts where s < list.count && s <= (carried ?? Int.max) {
            let sum = list[s...].reduce(Money.zero) { $0 + $1.stated }
            let d = (stated - sum).ore.magnitude
            if best == nil || d < best!.distance { best = (s, d) }
        }
        return best?.start
    }

    /// What a total label totals ("regioner" for "Totalt regioner"), nil for a bare total word.
    static func section(of folded: String) -> String? {
        for w in Vocabulary.totalWords where folded.hasPrefix(w + " ") {
            let rest = String(folded.dropFirst(w.count + 1)).trimmingCharacters(in: ":")
            return rest.isEmpty ? nil : rest
        }
        return nil
    }

    /// What a SUM over `refs` adds up to (the amounts in them, in kronor), leaving out the
    /// formula's own cell.
    func sum(_ refs: [CellRange], except i: Int, _ c: Int, unit: AmountUnit) -> Money {
        var total = Money.zero
        for r in refs {
            for rr in stride(from: r.start.row, through: min(r.end.row, rows.count - 1), by: 1) {
                for (cc, cell) in rows[rr].cells where cc >= r.start.column && cc <= r.end.column && !(rr == i && cc == c) {
                    if let m = ScanCell.kronor(cell, unit: unit) { total = total + m }
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
                report(code: .sumMismatch, row: i, column: c, stated: stated, computed: sum, lines: refs.map(\.a1).joined(separator: ","), unit: unit, what: "\(what) (=\(f))")
            }
            return
        }
        if stated != computed {
            report(code: .sumMismatch, row: i, column: c, stated: stated, computed: computed, lines: lines, unit: unit, what: what)
        }
    }

    mutating func report(code: FindingCode, row: Int, column: Int, stated: Money, computed: Money, lines: String?, unit: AmountUnit, what: String) {
        let delta = stated - computed
        let tolerance = sheet.options.tolerance
        let within = delta.ore.magnitude <= tolerance.ore.magnitude
        var message = "\(what): stated \(stated), computed \(computed)\(lines.map { " (\($0))" } ?? "")"
        if delta.ore.magnitude == UInt64(100 * unit.kronor) {
            message += "; a difference of exactly 1 \(unit == .kronor ? "kr" : unit.rawValue) looks like rounding"
        }
        if within { message += "; within the tolerance of \(tolerance)" }
        findings.append(ReportFinding(code: code, severity: within ? .info : .error, file: sheet.file, sheet: name, cell: a1(row, column),
                                      stated: stated, computed: computed, lines: lines, message: message))
    }
}
