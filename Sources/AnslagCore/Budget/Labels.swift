/// What a label or a note says: totals, result rows, breakdowns, changes, keys, years and units.
extension BudgetRecognizer {
    /// Whether a raw label could be a total, result, breakdown or change label at all: its first
    /// two letters, folded, are two such a word starts with (Summa, Totalt, Förändring,
    /// Differens, Verksamhetens …, Rörelseresultat, Resultat, Årets, Balanskrav…, Finansnetto,
    /// Kassaflöde, Likvida medel, Nettokostnad, varav, därav; "Post 1.2" is none). Saves folding
    /// and matching every line's label.
    static func mayBeTotalOrChange(_ raw: String) -> Bool {
        // The first two bytes the label folds to: spaces and dashes before the first letter fold
        // away, A–Z fold to a–z, a dash after it folds to a space; non-ASCII text is folded in full.
        var raw = raw
        return raw.withUTF8(mayStartLabelWord)
    }

    private static func mayStartLabelWord(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var first: UInt8 = 0
        for b in bytes {
            if b >= 0x80 { return true }
            if first == 0 {
                if b == 32 || b == 45 { continue }
                first = b >= 65 && b <= 90 ? b + 32 : b
                continue
            }
            let second = b == 45 ? 32 : (b >= 65 && b <= 90 ? b + 32 : b)
            return labelStarts[Int(first) << 7 | Int(second)]
        }
        return true   // fewer than two letters: folded in full
    }

    /// Which two ASCII bytes (first << 7 | second) begin a folded total, result, breakdown or
    /// change word: a label beginning otherwise is none of them.
    static let labelStarts: [Bool] = {
        var table = [Bool](repeating: false, count: 128 * 128)
        let words = Vocabulary.totalWords + Vocabulary.resultPrefixes + Vocabulary.resultLabels
            + Vocabulary.runningResultPrefixes + Vocabulary.runningResultLabels + [Vocabulary.bareResult]
            + Vocabulary.breakdownPrefixes + Vocabulary.changePrefixes
        for w in words {
            let u = Array(w.utf8)
            precondition(u.count >= 2 && u[0] < 0x80 && u[1] < 0x80, "vocabulary words are folded ASCII")
            table[Int(u[0]) << 7 | Int(u[1])] = true
        }
        return table
    }()

    static let totalPrefixes = byInitial(Vocabulary.totalWords.flatMap { [$0 + " ", $0 + ":"] })
    static let resultPrefixes = byInitial(Vocabulary.resultPrefixes)
    static let resultInitials = Set(Vocabulary.resultPrefixes.compactMap(\.utf8.first) + Vocabulary.resultLabels.compactMap(\.utf8.first))

    /// Prefixes by their first byte: a label is compared only with those it could begin with
    /// ("Post 1.2.3" with "periodens resultat", not with all of them).
    static func byInitial(_ prefixes: [String]) -> [UInt8: [String]] {
        Dictionary(grouping: prefixes.filter { !$0.isEmpty }) { $0.utf8.first! }
    }

    static func beginsWithPrefix(_ f: String, in table: [UInt8: [String]]) -> Bool {
        guard let b = f.utf8.first, let candidates = table[b] else { return false }
        return candidates.contains { f.utf8.starts(with: $0.utf8) }
    }

    static func isTotalLabel(_ folded: String) -> Bool {
        guard !folded.isEmpty else { return false }
        let f = folded.utf8.last == UInt8(ascii: ":") || folded.utf8.last == UInt8(ascii: " ") ? folded.trimmingCharacters(in: ":") : folded
        return Vocabulary.totalWords.contains(f) || beginsWithPrefix(f, in: totalPrefixes)
    }

    /// A result row of a resultaträkning or kassaflödesanalys ("Verksamhetens nettokostnader",
    /// "Rörelseresultat", "Årets resultat"): a running total of what stands above it.
    static func isResultLabel(_ folded: String) -> Bool {
        guard let b = folded.utf8.first, b != UInt8(ascii: "-"), resultInitials.contains(b) else { return false }
        let f = folded.utf8.last == UInt8(ascii: ":") || folded.utf8.last == UInt8(ascii: " ") ? folded.trimmingCharacters(in: ":") : folded
        return Vocabulary.resultLabels.contains(f) || beginsWithPrefix(f, in: resultPrefixes)
    }

    /// A result row that carries the result above it on ("Resultat efter finansiella poster").
    static func isRunningResultLabel(_ folded: String) -> Bool {
        let f = folded.trimmingCharacters(in: ":")
        return Vocabulary.runningResultLabels.contains(f) || Vocabulary.runningResultPrefixes.contains { f.hasPrefix($0) }
    }

    /// A breakdown row ("varav årets resultat", "– därav …"): a part of the row above.
    static let breakdownPrefixes = byInitial(Vocabulary.breakdownPrefixes.flatMap { [$0 + " ", $0 + ":"] })

    static func isBreakdownLabel(_ folded: String) -> Bool {
        guard let b = folded.utf8.first, breakdownPrefixes[b] != nil else { return false }
        return Vocabulary.breakdownPrefixes.contains(folded) || beginsWithPrefix(folded, in: breakdownPrefixes)
    }

    /// Folds a label for matching; long texts (notes, not labels) are not folded at all, which
    /// keeps sheets of huge strings fast.
    static func fold(_ s: String) -> String { s.utf8.count > 200 ? "" : TextFold.fold(s) }

    static func isChangeLabel(_ folded: String) -> Bool {
        !folded.isEmpty && Vocabulary.changePrefixes.contains { folded.utf8.starts(with: $0.utf8) }
    }

    /// The unit a text states ("Angivet i tusental kronor", "(tkr)", "Belopp, mnkr", "Belopp i
    /// kronor", "MSEK", "mdkr"), if it states one. A unit word right after a number is an
    /// amount, not a unit statement ("Totalt ska 490 miljoner kronor betalas ut"), except
    /// "1 000 kr" / "1000-tal kronor", which state thousands.
    static func unit(in text: String) -> AmountUnit? {
        guard text.utf8.count <= 200, mentionsMoney(text) else { return nil }
        let f = BudgetRecognizer.fold(text)
        if f.contains("1000 kr") || f.contains("1 000 kr") || f.contains("1000 tal") || f.contains("1 000 tal") || f.contains("tusental kronor")
            || f.contains("tusentals kronor") { return .tkr }
        // Letter and digit runs, in order.
        var tokens: [Substring] = []
        var i = f.startIndex
        while i < f.endIndex {
            let c = f[i]
            guard c.isLetter || c.isNumber else { i = f.index(after: i); continue }
            let digit = c.isNumber
            var j = f.index(after: i)
            while j < f.endIndex, digit ? f[j].isNumber : f[j].isLetter { j = f.index(after: j) }
            tokens.append(f[i..<j])
            i = j
        }
        var found: AmountUnit?
        var skip = 0
        for (n, t) in tokens.enumerated() {
            if skip > 0 { skip -= 1; continue }
            var u: AmountUnit?
            var words = 1
            switch t {
            case "tkr", "ksek": u = .tkr
            case "mnkr", "mkr", "msek": u = .mnkr
            case "mdkr", "mdr", "mdsek": u = .mdkr
            case "kr", "kronor", "sek": u = .kronor
            case "tusen" where n + 1 < tokens.count && ["kr", "kronor"].contains(tokens[n + 1]): u = .tkr; words = 2
            // "i miljoner" alone states millions too; "miljontal" only with its kronor.
            case "miljoner": u = .mnkr; words = n + 1 < tokens.count && ["kr", "kronor"].contains(tokens[n + 1]) ? 2 : 1
            case "miljontal" where n + 1 < tokens.count && ["kr", "kronor"].contains(tokens[n + 1]): u = .mnkr; words = 2
            case "miljarder" where n + 1 < tokens.count && ["kr", "kronor"].contains(tokens[n + 1]): u = .mdkr; words = 2
            default: break
            }
            guard let unit = u else { continue }
            // "490 miljoner kronor", "12 345 kr": an amount. The token before is a number and
            // only white space stands between them.
            if n > 0, tokens[n - 1].first?.isNumber == true {
                let between = f[tokens[n - 1].endIndex..<t.startIndex]
                if between.allSatisfy({ $0 == " " }) { skip = words - 1; continue }
            }
            if unit == .kronor, n + words < tokens.count, ["per", "i"].contains(tokens[n + words]) { continue }   // "kr per invånare"
            // The larger unit wins when a text names two ("Belopp i tkr, kr per invånare").
            if found == nil || unit.kronor > found!.kronor { found = unit }
        }
        return found
    }

    /// A note that only states the unit ("Angivet i tusental kronor", "Belopp i mnkr", "(tkr)"):
    /// not a title.
    static func isUnitNote(_ text: String) -> Bool {
        let words = BudgetRecognizer.fold(text).split(whereSeparator: { !$0.isLetter && !$0.isNumber })
        return !words.isEmpty && words.allSatisfy { Vocabulary.unitNoteWords.contains(String($0)) }
    }

    /// Whether the text has "kr", "sek", "tusen", "miljon" or "miljard" in it (any case): a
    /// quick test before the slower word-by-word look.
    static func mentionsMoney(_ text: String) -> Bool {
        var prev: UInt8 = 0, prev2: UInt8 = 0
        for b in text.utf8 {
            let c = b | 0x20
            if (prev == UInt8(ascii: "k") && c == UInt8(ascii: "r")) || (prev2 == UInt8(ascii: "s") && prev == UInt8(ascii: "e") && c == UInt8(ascii: "k"))
                || (prev2 == UInt8(ascii: "u") && prev == UInt8(ascii: "s") && c == UInt8(ascii: "e"))
                || (prev2 == UInt8(ascii: "l") && prev == UInt8(ascii: "j") && (c == UInt8(ascii: "o") || c == UInt8(ascii: "a"))) {
                return true
            }
            prev2 = prev; prev = c
        }
        return false
    }

    /// Key text of an allocation table: "efter befolkningsstorlek", "1/3", "25 %", "lika delar".
    static func looksLikeKey(_ t: String) -> Bool {
        var t = t
        return t.withUTF8 { all in
            let u = UnsafeBufferPointer(rebasing: all.prefix(120))
            if u.contains(UInt8(ascii: "/")) || u.contains(UInt8(ascii: "%")) { return true }
            func matches(_ w: StaticString, at i: Int) -> Bool {
                let n = w.utf8CodeUnitCount
                guard u.count - i >= n else { return false }
                for k in 0..<n where u[i + k] | 0x20 != w.utf8Start[k] { return false }
                return true
            }
            if matches("efter", at: 0) || matches("lika", at: 0) { return true }
            // "befolkning" anywhere, any case.
            var i = 0
            while u.count - i >= 10 {
                if matches("befolkning", at: i) { return true }
                i += 1
            }
            return false
        }
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
