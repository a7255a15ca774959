/// The cells a total's formula adds: `SUM(B4:B11)`, `SUM(B4:B6;B9)`, `B4+B5+B6`.
enum FormulaRefs {
    static func sumReferences(_ formula: String) -> [CellRange]? {
        // The formula's bytes without white space, `$` and a leading `=`; upper-cased. OpenFormula
        // references (ODS) lose their brackets and dots: `[.B4:.B8]` is `B4:B8`; one naming a
        // sheet (`[$Blad2.B4]`) is another sheet's, not checked here.
        var f: [UInt8] = []
        f.reserveCapacity(formula.utf8.count)
        var inBracket = false, cellNext = false
        for b in formula.utf8 where b != 36 && b != 32 && b != 9 && b != 10 && b != 13 {
            if f.isEmpty && b == UInt8(ascii: "=") { continue }
            switch b {
            case UInt8(ascii: "["):
                guard !inBracket else { return nil }
                inBracket = true; cellNext = true
                continue
            case UInt8(ascii: "]"):
                guard inBracket else { return nil }
                inBracket = false
                continue
            case UInt8(ascii: ".") where inBracket && cellNext:
                cellNext = false
                continue
            case UInt8(ascii: ":") where inBracket:
                cellNext = true
            default:
                if inBracket && cellNext { return nil }   // a sheet name before the dot
            }
            f.append(b >= 97 && b <= 122 ? b - 32 : b)
        }
        guard !inBracket else { return nil }
        func has(_ b: Character) -> Bool { f.contains(b.asciiValue!) }
        func starts(_ w: StaticString) -> Bool {
            f.count >= w.utf8CodeUnitCount && (0..<w.utf8CodeUnitCount).allSatisfy { f[$0] == w.utf8Start[$0] }
        }
        var args: [ArraySlice<UInt8>]
        if (starts("SUM(") || starts("SUMMA(")), f.last == UInt8(ascii: ")") {
            let open = f.firstIndex(of: UInt8(ascii: "("))!
            let inner = f[(open + 1)..<(f.count - 1)]
            guard !inner.contains(UInt8(ascii: "(")) else { return nil }
            args = inner.split(whereSeparator: { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: ";") })
        } else if has("+"), !has("(") && !has("-") && !has("*") && !has("/") {
            args = f.split(separator: UInt8(ascii: "+"))
        } else {
            return nil
        }
        var out: [CellRange] = []
        out.reserveCapacity(args.count)
        for a in args {
            guard !a.contains(UInt8(ascii: "!")) else { return nil }   // another sheet: not checked here
            guard let r = CellRange(a1: a) else { return nil }
            out.append(r)
        }
        return out.isEmpty ? nil : out
    }

    /// A range added or subtracted.
    struct Term { var range: CellRange; var negative: Bool }

    /// The terms of plain arithmetic over cells: `SUM(B4:B8)`, `B9+B11+B18`, `B5-B9`,
    /// `SUM(B4:B8)-B10`; nil for anything else (other functions, constants, other sheets).
    static func signedTerms(_ formula: String) -> [Term]? {
        var f = Array(formula.utf8.filter { $0 != 36 && $0 != 32 && $0 != 9 && $0 != 10 && $0 != 13 }.map { $0 >= 97 && $0 <= 122 ? $0 - 32 : $0 })
        if f.first == UInt8(ascii: "=") { f.removeFirst() }
        guard !f.isEmpty, f.count <= 4096 else { return nil }
        var terms: [Term] = []
        var i = 0
        var negative = false
        if f[0] == UInt8(ascii: "+") || f[0] == UInt8(ascii: "-") { negative = f[0] == UInt8(ascii: "-"); i = 1 }
        while i < f.count {
            // One operand: SUM(…) or a reference, up to the next + or - outside parentheses.
            var j = i, depth = 0
            while j < f.count {
                let b = f[j]
                if b == UInt8(ascii: "(") { depth += 1 } else if b == UInt8(ascii: ")") { depth -= 1 }
                if depth == 0 && (b == UInt8(ascii: "+") || b == UInt8(ascii: "-")) { break }
                j += 1
            }
            guard depth == 0, j > i else { return nil }
            let operand = String(decoding: f[i..<j], as: UTF8.self)
            if let refs = sumReferences(operand) {
                terms += refs.map { Term(range: $0, negative: negative) }
            } else if !operand.contains("!"), let r = CellRange(a1: Substring(operand)) {
                terms.append(Term(range: r, negative: negative))
            } else {
                return nil
            }
            guard j < f.count else { break }
            negative = f[j] == UInt8(ascii: "-")
            i = j + 1
            guard i < f.count else { return nil }
        }
        return terms.isEmpty ? nil : terms
    }
}
