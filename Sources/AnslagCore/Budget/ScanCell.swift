/// What a cell holds, for recognition.
enum ScanCell {
    case empty
    case text(String)
    /// An amount as written: öre before the table's unit, and the unit the text itself named.
    case amount(Money, explicit: AmountUnit?, isNumber: Bool)
    /// A number that is not whole öre (a ratio, a rate), a date or a time: not an amount, and a
    /// total over it cannot be checked exactly.
    case inexact
    /// A lone dash ("-", "–", "−"): nothing, as financial tables write a zero. Not an amount
    /// line, but the row is a data row and a total over it adds nothing for it.
    case dash
}


extension ScanCell {
    @inline(__always)
    static func classify(_ cell: Cell) -> ScanCell {
        switch cell.value {
        case .empty: return .empty
        case .number(let d):
            guard let m = Money(spreadsheetNumber: d) else { return .inexact }
            return .amount(m, explicit: nil, isNumber: true)
        case .string(let s):
            if s.utf8.count > 200 { return .text(s) }   // a note, never an amount
            // Amount text starts with a digit, a sign, a parenthesis or a space (the first
            // bytes of "+-( \t", U+2212 −, U+2013 –, U+202F, U+00A0).
            if let b = s.utf8.first {
                switch b {
                case 48...57, UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "("), UInt8(ascii: " "), UInt8(ascii: "\t"), 0xE2, 0xC2,
                     UInt8(ascii: "_"), UInt8(ascii: "="): break
                default: return .text(s)
                }
            }
            let t = s.trimmingCharacters()
            if t.isEmpty { return .empty }
            if let d = dashes(t) { return d }
            if let p = AmountText.parse(t) { return .amount(p.amount, explicit: p.unit, isNumber: false) }
            return .text(t)
        case .bool(let b): return .text(b ? "TRUE" : "FALSE")
        case .error(let e): return .text(e)
        case .dateTime, .duration: return .inexact
        }
    }

    /// A lone dash is nothing (`.dash`); a rule of dashes (`-----`, `– – –`) is no content at all.
    static func dashes(_ t: String) -> ScanCell? {
        var count = 0
        for u in t.unicodeScalars {
            switch u {
            case "-", "\u{2013}", "\u{2014}", "\u{2212}", "_", "=": count += 1
            case " ", "\u{00A0}": continue
            default: return nil
            }
        }
        return count == 1 ? .dash : (count > 1 ? .empty : nil)
    }

    /// A year label: four ASCII digits 1900–2200, with any white space around them.
    static func year(_ t: String) -> Int? {
        let n = t.utf8.count
        guard n >= 4 && n <= 12 else { return nil }
        var digits = 0, y = 0, ended = false
        for b in t.utf8 {
            if b >= 48 && b <= 57 {
                if ended { return nil }
                digits += 1; y = y * 10 + Int(b - 48)
            } else if b == 32 || b == 9 || b == 10 || b == 13 || b == 0xC2 || b == 0xA0 {
                if digits > 0 { ended = true }
            } else {
                return nil
            }
        }
        guard digits == 4, (1900...2200).contains(y) else { return nil }
        return y
    }

    static func year(_ m: Money) -> Int? {
        guard m.ore % 100 == 0, (190_000...220_000).contains(m.ore) else { return nil }
        return Int(m.ore / 100)
    }

    /// Money in kronor for a cell of a table in `unit`: text that named its own unit keeps it.
    static func kronor(_ cell: ScanCell, unit: AmountUnit) -> Money? {
        guard case .amount(let m, let explicit, _) = cell else { return nil }
        if explicit != nil { return m }
        let (v, overflow) = m.ore.multipliedReportingOverflow(by: unit.kronor)
        return overflow ? nil : Money(ore: v)
    }

}
