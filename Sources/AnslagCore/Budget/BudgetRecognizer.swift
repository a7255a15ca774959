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
            var s = SheetScan(sheet: sheet, file: file, options: options)
            s.run()
            tables += s.tables
            findings += s.findings
        }
        return Self.result(Budget(file: file, sheets: workbook.sheets.map(\.info), tables: tables), findings)
    }

    /// Reads every sheet of the workbook and recognises its tables. Sheets are parsed (and
    /// their cells classified) on a second thread while the ones already read are recognised
    /// on this one (at most four sheets wait in between), so the two overlap on two cores.
    public func read(_ reader: any SpreadsheetReader, second: (any SpreadsheetReader)? = nil) throws -> Result {
        if let second, reader.sheets.count >= 4 { return try readOnTwo(reader, second) }
        var tables: [BudgetTable] = []
        var findings: [ReportFinding] = []
        let indices = reader.sheets.indices.filter { reader.sheets[$0].kind == .worksheet }
        let handoff = Handoff<SheetScan>(depth: 4)
        let box = UncheckedBox(reader)
        let options = options
        DispatchQueue.global().async {
            do {
                for i in indices { guard handoff.put(try Self.scan(box.value, sheet: i, options: options)) else { return } }
                handoff.finish()
            } catch {
                handoff.finish(error: error)
            }
        }
        defer { handoff.cancel() }
        while var s = try handoff.take() {
            s.run()
            tables += s.tables
            findings += s.findings
        }
        findings += TextTotals.findings(for: reader, tables: tables)   // documents: totals in running text
        return Self.result(Budget(file: reader.file, sheets: reader.sheets, tables: tables), findings)
    }

    /// Streams one sheet's rows into a scan.
    static func scan(_ reader: any SpreadsheetReader, sheet i: Int, options: Options) throws -> SheetScan {
        var s = SheetScan(info: reader.sheets[i], file: reader.file, options: options)
        try reader.readSheet(at: i) { s.add(row: $0, cells: $1) }
        return s
    }

    /// Two readers of the same workbook (two zip handles), each on its own core taking the
    /// next sheet to parse and recognise when done with its last; results in sheet order.
    func readOnTwo(_ a: any SpreadsheetReader, _ b: any SpreadsheetReader) throws -> Result {
        let indices = a.sheets.indices.filter { a.sheets[$0].kind == .worksheet }
        // Sendable: every field is read and written under `lock`.
        final class Slots: @unchecked Sendable {
            let lock = Monitor()
            var results: [Swift.Result<([BudgetTable], [ReportFinding]), any Error>?]
            var failed = false
            init(_ n: Int) { results = Array(repeating: nil, count: n) }
        }
        let slots = Slots(indices.count)
        let readers = [a, b]
        inTurn(count: indices.count, workers: 2) { w, n in
            if slots.lock.locked({ slots.failed }) { return }   // a sheet before failed: the rest need not be read
            let result: Swift.Result<([BudgetTable], [ReportFinding]), any Error>
            do {
                var s = try Self.scan(readers[w], sheet: indices[n], options: options)
                s.run()
                result = .success((s.tables, s.findings))
            } catch {
                result = .failure(error)
            }
            slots.lock.locked {
                slots.results[n] = result
                if case .failure = result { slots.failed = true }
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
        return Self.result(Budget(file: a.file, sheets: a.sheets, tables: tables), findings)
    }

    /// The result, with the overview sheets checked against the area sheets they name, and a
    /// warning when nothing was checked: no table with a total was
    /// recognised, so "valid" would say nothing.
    static func result(_ budget: Budget, _ findings: [ReportFinding]) -> Result {
        var findings = findings + CrossSheet.findings(budget)   // an overview sheet's totals of the area sheets
        if !budget.tables.contains(where: { $0.lines.contains { $0.role == .total || $0.role == .subtotal } }) {
            let what = budget.tables.isEmpty ? "no table was recognised" : "\(budget.tables.count) table\(budget.tables.count == 1 ? "" : "s") but no total (Summa, Totalt, a result row)"
            findings.append(ReportFinding(code: .noTotalFound, severity: .warning, file: budget.file,
                                          message: "nothing was checked: \(what) in the workbook"))
        }
        return Result(budget: budget, findings: findings)
    }
}
