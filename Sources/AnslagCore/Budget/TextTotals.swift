/// Totals stated in a document's running text, checked against its tables and themselves.
///
/// A sentence states a total when an amount with a unit (`12 345 678 kr`, `1 560 000 000
/// kronor`, `12,5 mnkr`, `250 tkr`, `490 miljoner kronor`, `1,56 miljarder kronor`) follows one of
/// *totalt*, *sammanlagt*, *sammantaget*, *summa* within three words. Each stated total is
/// compared with the document's tables: when a total or subtotal line of some table states the
/// same amount, `text-total-agrees` (info, naming that cell); otherwise it is compared with the
/// grand total (the last total line) of the nearest table, the next one after the sentence or
/// else the one before, and `text-total-differs` (info) gives both amounts.
///
/// A *varav* / *därav* list breaks down the amount just before it: its parts (every amount
/// with a unit after the word, in the same sentence) must add up to that amount when there are
/// two or more of them, and one part may not exceed it; else `text-varav-mismatch` (error).
/// Amounts are exact (öre, through `AmountText`); a figure without a unit (a year) is none.
public enum TextTotals {
    public struct Figure: Equatable, Sendable {
        public var amount: Money
        /// Whether a total word stands before it.
        public var isTotal: Bool
        /// Whether it is a part of a varav list, and which amount that list breaks down.
        public var partOf: Int?
    }

    /// The findings for a reader's document text, when it is a document (else none).
    public static func findings(for reader: any SpreadsheetReader, tables: [BudgetTable]) -> [ReportFinding] {
        guard let doc = reader as? any DocumentTextSource else { return [] }
        return findings(paragraphs: doc.paragraphs, sheets: doc.sheets.map(\.name), tables: tables, file: doc.file)
    }

    public static func findings(paragraphs: [DocumentParagraph], sheets: [String], tables: [BudgetTable], file: String) -> [ReportFinding] {
        var out: [ReportFinding] = []
        // Total lines, and each sheet's grand total.
        var totals: [(line: BudgetLine, sheet: String)] = []
        var grand: [String: BudgetLine] = [:]
        for t in tables {
            for l in t.lines where (l.role == .total || l.role == .subtotal) && l.amount != nil {
                totals.append((l, t.sheet))
                if l.role == .total { grand[t.sheet] = l }
            }
        }
        for p in paragraphs {
            for sentence in sentences(p.text) {
                let figures = figures(in: sentence)
                for (i, f) in figures.enumerated() where f.isTotal && f.partOf == nil {
                    if let match = totals.first(where: { $0.line.amount == f.amount }) {
                        out.append(ReportFinding(code: .textTotalAgrees, severity: .info, file: file, sheet: p.location,
                                                 stated: f.amount, computed: f.amount, lines: match.line.cell,
                                                 message: "the text states a total of \(f.amount); \(match.line.cell) (\"\(match.line.label)\") states the same"))
                    } else if let sheet = nearest(sheets, after: p.tablesBefore, having: grand), let g = grand[sheet], let ga = g.amount {
                        out.append(ReportFinding(code: .textTotalDiffers, severity: .info, file: file, sheet: p.location,
                                                 stated: f.amount, computed: ga, lines: g.cell,
                                                 message: "the text states a total of \(f.amount); the nearest table's grand total \(g.cell) (\"\(g.label)\") is \(ga)"))
                    }
                    let parts = figures.filter { $0.partOf == i }.map(\.amount)
                    if !parts.isEmpty, let sum = Money.sum(parts), parts.count >= 2 ? sum != f.amount : sum > f.amount {
                        out.append(varav(f.amount, sum, parts.count, p, file))
                    }
                }
                // A varav list after an amount that is not a stated total.
                for (i, f) in figures.enumerated() where !f.isTotal && f.partOf == nil {
                    let parts = figures.filter { $0.partOf == i }.map(\.amount)
                    if !parts.isEmpty, let sum = Money.sum(parts), parts.count >= 2 ? sum != f.amount : sum > f.amount {
                        out.append(varav(f.amount, sum, parts.count, p, file))
                    }
                }
            }
        }
        return out
    }

    static func varav(_ whole: Money, _ sum: Money, _ count: Int, _ p: DocumentParagraph, _ file: String) -> ReportFinding {
        ReportFinding(code: .textVaravMismatch, severity: .error, file: file, sheet: p.location, stated: whole, computed: sum,
                      message: count >= 2
                        ? "the text states \(whole), varav \(count) parts that sum to \(sum)"
                        : "the text states \(whole), varav a part of \(sum), more than the whole")
    }

    /// The sheet of the next table after a paragraph that has a grand total, else the one before.
    static func nearest(_ sheets: [String], after before: Int, having grand: [String: BudgetLine]) -> String? {
        let next = sheets.indices.filter { $0 >= before && grand[sheets[$0]] != nil }.first
        let previous = sheets.indices.filter { $0 < before && grand[sheets[$0]] != nil }.last
        return (next ?? previous).map { sheets[$0] }
    }

    /// Sentences: a full stop, `!` or `?` followed by a space and an upper-case letter or a digit ends one.
    static func sentences(_ text: String) -> [String] {
        var out: [String] = []
        var current = ""
        let chars = Array(text)
        for (i, c) in chars.enumerated() {
            current.append(c)
            if c == "." || c == "!" || c == "?", i + 2 < chars.count, chars[i + 1] == " ", chars[i + 2].isUppercase {
                out.append(current); current = ""
            }
        }
        if !current.trimmingCharacters().isEmpty { out.append(current) }
        return out
    }

    static let totalWords: Set<String> = ["totalt", "sammanlagt", "sammantaget", "summa", "total", "totala"]
    static let partWords: Set<String> = ["varav", "därav"]

    /// The amounts with units in a sentence, in order, each marked total or part.
    static func figures(in sentence: String) -> [Figure] {
        let tokens = sentence.split(whereSeparator: { $0 == " " || $0 == "\u{00A0}" || $0 == "\u{202F}" || $0 == "\t" || $0 == "\n" })
            .map { String($0) }
        var out: [Figure] = []
        var lastTotalWord = -10
        var list: Int? = nil          // the figure a varav list breaks down
        var i = 0
        while i < tokens.count {
            let word = strip(tokens[i].lowercased(), ",;:()")
            if totalWords.contains(word) { lastTotalWord = i; list = nil }
            if partWords.contains(word) { list = out.indices.last }
            if let (unit, length) = unit(at: i, tokens), i > 0 {
                // Walk back over the number: the last token, then groups of three digits before it.
                var j = i - 1
                var number = strip(tokens[j], "(")
                guard isNumberToken(number) else { i += 1; continue }
                if number.split(separator: ",")[0].count == 3 {
                    while j - 1 >= 0 {
                        let g = tokens[j - 1]
                        guard (1...3).contains(g.count), g.allSatisfy(\.isNumber) else { break }
                        number = g + number
                        j -= 1
                        if g.count < 3 { break }
                    }
                }
                if let m = amount(number, unit) {
                    let isTotal = j - lastTotalWord <= 3 && j > lastTotalWord
                    let partOf = list.flatMap { l in l < out.count ? l : nil }
                    out.append(Figure(amount: m, isTotal: isTotal && partOf == nil, partOf: isTotal ? nil : partOf))
                    if isTotal { list = nil }
                }
                i += length
                continue
            }
            i += 1
        }
        return out
    }

    static func isNumberToken(_ t: String) -> Bool {
        guard let f = t.first, f.isNumber else { return false }
        let parts = t.split(separator: ",", omittingEmptySubsequences: false)
        guard parts.count <= 2, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isNumber) }) else { return false }
        return true
    }

    /// The unit word(s) at token `i`: kronor per unit and how many tokens it takes.
    static func unit(at i: Int, _ tokens: [String]) -> (Int64, Int)? {
        func w(_ k: Int) -> String { k < tokens.count ? strip(tokens[k].lowercased(), ".,;:)") : "" }
        switch w(i) {
        case "kr", "kronor", "sek", "kr.": return (1, 1)
        case "tkr", "ksek": return (1_000, 1)
        case "mnkr", "mkr", "msek": return (1_000_000, 1)
        case "mdkr", "mdr": return (1_000_000_000, 1)
        case "tusen": return w(i + 1) == "kronor" || w(i + 1) == "kr" ? (1_000, 2) : nil
        case "miljon", "miljoner": return w(i + 1) == "kronor" || w(i + 1) == "kr" ? (1_000_000, 2) : nil
        case "miljard", "miljarder": return w(i + 1) == "kronor" || w(i + 1) == "kr" ? (1_000_000_000, 2) : nil
        default: return nil
        }
    }

    static func amount(_ number: String, _ scale: Int64) -> Money? {
        Money.exact(decimal: String(number.map { $0 == "," ? "." : $0 }), scale: scale)
    }

    /// `s` without the characters of `set` at either end.
    static func strip(_ s: String, _ set: String) -> String {
        var t = Substring(s)
        while let c = t.last, set.contains(c) { t.removeLast() }
        while let c = t.first, set.contains(c) { t.removeFirst() }
        return String(t)
    }
}
