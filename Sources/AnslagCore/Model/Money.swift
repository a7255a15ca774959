/// An amount of money, exact: a whole number of öre (1/100 krona). Never a Double.
public struct Money: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var ore: Int64

    public init(ore: Int64) { self.ore = ore }
    public init(kronor: Int64) { self.ore = kronor * 100 }

    public static let zero = Money(ore: 0)
    public static func < (a: Money, b: Money) -> Bool { a.ore < b.ore }

    /// Whole kronor when the amount has no öre.
    public var wholeKronor: Int64? { ore % 100 == 0 ? ore / 100 : nil }

    /// Sums that overflow 92 233 720 368 547 758 kr are reported, not wrapped.
    public static func sum<S: Sequence>(_ amounts: S) -> Money? where S.Element == Money {
        var total: Int64 = 0
        for a in amounts {
            let (t, overflow) = total.addingReportingOverflow(a.ore)
            if overflow { return nil }
            total = t
        }
        return Money(ore: total)
    }

    public static func + (a: Money, b: Money) -> Money { Money(ore: a.ore + b.ore) }
    public static func - (a: Money, b: Money) -> Money { Money(ore: a.ore - b.ore) }
    public static prefix func - (a: Money) -> Money { Money(ore: -a.ore) }

    /// Swedish style: `1 234 567 kr`, `-300 000 kr`, `1 234,50 kr` (narrow no-break spaces
    /// between thousands are left to the writers; this uses plain spaces).
    public var description: String {
        let m = ore.magnitude
        let ore = m % 100
        return (self.ore < 0 ? "-" : "") + Money.grouped(m / 100) + (ore == 0 ? "" : "," + (ore < 10 ? "0" : "") + String(ore)) + " kr"
    }

    /// Whole kronor with Swedish digit grouping and a true minus sign: `10 000 000`, `−300`.
    public static func kronorText(_ v: Int64) -> String {
        (v < 0 ? "−" : "") + grouped(v.magnitude)
    }

    /// Digits in groups of three separated by spaces: `1 234 567`.
    static func grouped(_ v: UInt64) -> String {
        let digits = String(v)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(" ") }
            out.append(c)
        }
        return out
    }

    /// The exact amount a spreadsheet number stands for, in kronor scaled by `unit`; nil when
    /// it is not a whole number of öre (or too large).
    public init?(spreadsheetNumber d: Double, unit: AmountUnit = .kronor) {
        // Whole numbers (most amounts) need no decimal text.
        if d == d.rounded(.towardZero) && abs(d) < 9e12 {
            let (v, overflow) = (Int64(d) * 100).multipliedReportingOverflow(by: unit.kronor)
            guard !overflow else { return nil }
            self = Money(ore: v)
            return
        }
        guard d.isFinite, let text = Optional(CellText.number(d)), let v = Money.exact(decimal: text, scale: unit.kronor) else { return nil }
        self = v
    }

    /// Decimal text (digits, optional `.` and fraction, optional exponent as Swift prints
    /// doubles) times `scale` kronor, exactly in öre; nil when not whole öre or too large.
    static func exact(decimal text: String, scale: Int64) -> Money? {
        var s = Substring(text)
        var negative = false
        if s.hasPrefix("-") { negative = true; s = s.dropFirst() }
        var exponent = 0
        if let e = s.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            guard let x = Int(s[s.index(after: e)...]) else { return nil }
            exponent = x
            s = s[..<e]
        }
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, !s.isEmpty else { return nil }
        var digits = String(parts[0]) + (parts.count == 2 ? String(parts[1]) : "")
        var fraction = (parts.count == 2 ? parts[1].count : 0) - exponent
        guard digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber) else { return nil }
        // öre: two more places; the unit's power of ten shifts the point too.
        fraction -= 2
        var scaleLeft = scale
        while scaleLeft % 10 == 0 && scaleLeft > 1 { fraction -= 1; scaleLeft /= 10 }
        while fraction < 0 { digits += "0"; fraction += 1 }
        while fraction > 0 {
            guard digits.last == "0" else { return nil }   // a fraction of an öre
            digits.removeLast(); fraction -= 1
        }
        digits = String(digits.drop { $0 == "0" })
        if digits.isEmpty { return Money(ore: 0) }
        guard digits.count <= 18, let v = Int64(digits) else { return nil }
        let (scaled, overflow) = v.multipliedReportingOverflow(by: scaleLeft)
        guard !overflow else { return nil }
        return Money(ore: negative ? -scaled : scaled)
    }
}

/// The unit an amount is stated in.
public enum AmountUnit: String, Sendable, CaseIterable {
    case kronor, tkr, mnkr
    /// Miljarder kronor.
    case mdkr

    /// Kronor per unit.
    public var kronor: Int64 {
        switch self {
        case .kronor: return 1
        case .tkr: return 1_000
        case .mnkr: return 1_000_000
        case .mdkr: return 1_000_000_000
        }
    }
}

/// Reads amounts as Swedish budget sheets write them in text: `2 000 000 kr`, `+4 321 000`,
/// `−300 000` (U+2212), `(300 000)`, `1 234,50`, `12 345 600 kr`, `1,5 mnkr`, `250 tkr`,
/// `500 000:-`, with spaces, no-break spaces (U+00A0) or narrow no-break spaces (U+202F)
/// between thousands and a decimal comma. Nil for text that is not an amount
/// ("Respektive part har fått medel …").
public enum AmountText {
    public struct Parsed: Equatable, Sendable {
        public var amount: Money
        /// The unit the text named, if it named one.
        public var unit: AmountUnit?
    }

    /// `defaultUnit` scales amounts that name no unit (a table "i tusental kronor").
    public static func parse(_ raw: String, defaultUnit: AmountUnit = .kronor) -> Parsed? {
        var s = raw.lowercased().trimmingCharacters()
        guard !s.isEmpty else { return nil }
        var unit: AmountUnit? = nil
        let suffixes: [(String, AmountUnit?)] = [("mdkr", .mdkr), ("miljarder kronor", .mdkr), ("mnkr", .mnkr), ("mkr", .mnkr), ("miljoner kronor", .mnkr), ("msek", .mnkr),
                                                 ("tkr", .tkr), ("tusen kronor", .tkr), ("ksek", .tkr),
                                                 ("kronor", .kronor), ("kr", .kronor), ("sek", .kronor), (":-", .kronor)]
        for (suffix, u) in suffixes where s.hasSuffix(suffix) {
            s = String(s.dropLast(suffix.count)).trimmingCharacters()
            if s.hasSuffix(".") { s.removeLast() }   // "kr."
            unit = u
            break
        }
        var negative = false
        if s.hasPrefix("(") && s.hasSuffix(")") { negative = true; s = String(s.dropFirst().dropLast()).trimmingCharacters() }
        if let f = s.first, f == "-" || f == "\u{2212}" || f == "\u{2013}" || f == "+" {
            negative = negative || f != "+"
            s = String(s.dropFirst()).trimmingCharacters()
        }
        // Digits with thousands separators and at most one decimal separator.
        var digits = ""
        var separators: [Character] = []
        var afterLastSeparator = 0   // digits after the last separator
        for ch in s {
            switch ch {
            case "0"..."9": digits.append(ch); afterLastSeparator += 1
            case " ", "\u{00A0}", "\u{202F}", "\u{2009}", "'":
                // A space right after a comma or point: a list ("6, 7", note numbers), not an amount.
                if digits.last == "|" { return nil }
                continue
            case ",", ".": separators.append(ch); digits.append("|"); afterLastSeparator = 0
            default: return nil
            }
        }
        guard digits.contains(where: \.isNumber) else { return nil }
        // The decimal separator: a comma (Swedish), or the last of two kinds; repeated marks group thousands.
        var decimalMark: Character? = nil
        if Set(separators).count == 2 { decimalMark = separators.last }
        else if let only = separators.first {
            let count = separators.count
            if count == 1 && !(only == "." && afterLastSeparator == 3) { decimalMark = only }
        }
        // The decimal mark, when there is one, is the last separator; the others group thousands.
        let lastMark = digits.lastIndex(of: "|")
        var text = ""
        for i in digits.indices {
            if digits[i] != "|" { text.append(digits[i]) } else if decimalMark != nil && i == lastMark { text.append(".") }
        }
        if text.hasPrefix(".") { text = "0" + text }
        if text.hasSuffix(".") { text.removeLast() }
        let scale = (unit ?? defaultUnit).kronor
        guard let m = Money.exact(decimal: text, scale: scale) else { return nil }
        return Parsed(amount: negative ? -m : m, unit: unit)
    }
}
