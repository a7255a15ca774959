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
        return Result(budget: Budget(file: file, sheets: workbook.sheets.map(\.info), tables: tables), findings: findings)
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
        return Result(budget: Budget(file: reader.file, sheets: reader.sheets, tables: tables), findings: findings)
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
        return Result(budget: Budget(file: a.file, sheets: a.sheets, tables: tables), findings: findings)
    }

    /// Total words, folded: a row whose label is one of these, or starts with one followed by
    /// more words, states a total.
    /// Whether a raw label could be a total or change label at all: its first letter is
    /// s, t, f or d (Summa, Totalt, Total, Förändring, Differens). Saves folding every label.
    static func mayBeTotalOrChange(_ raw: String) -> Bool {
        guard let b = raw.utf8.first(where: { $0 != 32 }) else { return false }
        switch b | 0x20 {
        case UInt8(ascii: "s"), UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "d"): return true
        default: return false
        }
    }

    static let totalWords = ["summa", "totalt", "total", "totalsumma", "sammanlagt", "totala kostnader", "totala intakter"]
    static let totalPrefixes = totalWords.flatMap { [$0 + " ", $0 + ":"] }

    static func isTotalLabel(_ folded: String) -> Bool {
        guard !folded.isEmpty else { return false }
        let f = folded.hasSuffix(":") || folded.hasSuffix(" ") ? folded.trimmingCharacters(in: ":") : folded
        return totalWords.contains(f) || totalPrefixes.contains { f.hasPrefix($0) }
    }

    /// Folds a label for matching; long texts (notes, not labels) are not folded at all, which
    /// keeps sheets of huge strings fast.
    static func fold(_ s: String) -> String { s.utf8.count > 200 ? "" : TextFold.fold(s) }

    static func isChangeLabel(_ folded: String) -> Bool { folded.hasPrefix("forandring") || folded.hasPrefix("differens") }

    /// The unit a text names ("Angivet i tusental kronor", "(tkr)", "Belopp, mnkr"), if any.
    static func unit(in text: String) -> AmountUnit? {
        guard text.utf8.count <= 200, mentionsMoney(text) else { return nil }
        let f = BudgetRecognizer.fold(text)
        let words = Set(f.split(whereSeparator: { !$0.isLetter }).map(String.init))
        if f.contains("tusental kronor") || f.contains("tusen kronor") || words.contains("tkr") || words.contains("ksek") { return .tkr }
        if f.contains("miljoner kronor") || f.contains("miljontal kronor") || words.contains("mnkr") || words.contains("mkr") || words.contains("msek") { return .mnkr }
        return nil
    }

    /// Whether the text has "kr", "sek", "tusen" or "miljon" in it (any case): a quick test
    /// before the slower word-by-word look.
    static func mentionsMoney(_ text: String) -> Bool {
        var prev: UInt8 = 0, prev2: UInt8 = 0
        for b in text.utf8 {
            let c = b | 0x20
            if (prev == UInt8(ascii: "k") && c == UInt8(ascii: "r")) || (prev2 == UInt8(ascii: "s") && prev == UInt8(ascii: "e") && c == UInt8(ascii: "k"))
                || (prev2 == UInt8(ascii: "u") && prev == UInt8(ascii: "s") && c == UInt8(ascii: "e")) || (prev2 == UInt8(ascii: "l") && prev == UInt8(ascii: "j") && c == UInt8(ascii: "o")) {
                return true
            }
            prev2 = prev; prev = c
        }
        return false
    }

    /// Key text of an allocation table: "efter befolkningsstorlek", "1/3", "25 %", "lika delar".
    static func looksLikeKey(_ t: String) -> Bool {
        let u = t.utf8.prefix(120)
        if u.contains(UInt8(ascii: "/")) || u.contains(UInt8(ascii: "%")) { return true }
        func starts(_ w: StaticString) -> Bool {
            let b = UnsafeBufferPointer(start: w.utf8Start, count: w.utf8CodeUnitCount)
            return u.count >= b.count && zip(u, b).allSatisfy { $0 | 0x20 == $1 }
        }
        if starts("efter") || starts("lika") { return true }
        // "befolkning" anywhere, any case.
        let needle: StaticString = "befolkning"
        let nb = UnsafeBufferPointer(start: needle.utf8Start, count: needle.utf8CodeUnitCount)
        var i = u.startIndex
        while u.distance(from: i, to: u.endIndex) >= nb.count {
            if u[i...].prefix(nb.count).elementsEqual(nb, by: { $0 | 0x20 == $1 }) { return true }
            i = u.index(after: i)
        }
        return false
    }

    /// Four-digit years in a text, in order ("Förändring 2023–2024" → [2023, 2024]).
    static func years(in text: String) -> [Int] {
        guard text.utf8.count <= 200 else { return [] }
        var out: [Int] = []
        var run = ""
        for c in text + " " {
            if c.isASCII && c.isNumber { run.append(c); continue }
            if run.count == 4, let y = Int(run), (1900...2200).contains(y) { out.append(y) }
            run = ""
        }
        return out
    }
}
