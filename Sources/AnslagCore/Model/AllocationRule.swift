/// Allocation keys as data: what a rule file says, resolved (membership and basis files read,
/// recipients known), before any population is looked at.
public struct RuleSet: Sendable {
    public var file: String
    public var rules: [AllocationRule]
    /// The population file the rule file names (relative paths resolved), if any.
    public var populationFile: String?
    /// Or the SCB table to fetch it from (`population: {scb: BE0101N1, period: 2023M10}`).
    public var populationFetch: PopulationFetch?
    /// `population: {where: {civilstand: totalt}}`: selections every population key makes.
    public var populationSelections: [String: String] = [:]

    /// The rules computed on their own: those with a total. Rules without one are only
    /// used nested, by name.
    public var topLevel: [AllocationRule] { rules.filter { $0.total != nil } }
    public func rule(named name: String) -> AllocationRule? { rules.first { $0.name == name } }
}

public enum Rounding: String, Sendable, CaseIterable {
    /// Hamilton's method: every share gets its quota rounded down, then the kronor left go one
    /// each to the largest remainders. The parts sum exactly to the total.
    case largestRemainder = "largest-remainder"
    /// Every share rounded down, the residual left unallocated and reported: what agreements
    /// written by hand usually do.
    case floorReportResidual = "floor-report-residual"
}

/// How equal remainders are ordered when kronor are handed out.
public enum TieBreak: String, Sendable, CaseIterable {
    /// Larger basis first, then code (or name, for recipients without a code) ascending.
    case basisThenCode = "basis-then-code"
    /// Code (or name) ascending.
    case code
}

public struct AllocationRule: Sendable {
    public var name: String
    /// Kronor; nil for a rule only used nested (it gets its part's amount).
    public var total: Int64?
    public var recipients: [RecipientSpec]
    /// What the recipients are, in words ("the 21 län", "VG kommunalförbund (within 14)").
    public var recipientsLabel: String
    public var key: AllocationKey
    public var rounding: Rounding
    public var tieBreak: TieBreak
    /// Field path of this rule in its file, for messages.
    public var path: String
    /// `overlap: allowed`: recipients may share people (a län and its kommuner); by default
    /// that is an error.
    public var overlapAllowed = false
}

public struct RecipientSpec: Sendable {
    public var code: String?
    public var name: String
    /// For groups (membership tables): the member codes whose basis adds up to the group's.
    public var members: [String]?
    /// Paid first, before the key splits what is left.
    public var fixedAmount: Int64?
    /// A share such as 1/3 for `basis: shares`.
    public var share: Fraction?
    /// How this recipient's part is split again.
    public var nested: NestedRule?
    public var path: String

    /// What identifies the recipient in output and in tie-breaks.
    public var id: String { code ?? name }
}

public indirect enum NestedRule: Sendable {
    case inline(AllocationRule)
    case named(String)
}

public struct AllocationKey: Sendable {
    public enum Kind: Sendable {
        case proportional(Basis)
        case equal
        /// Every recipient gets `amount` (or its exception); they must add up to the total.
        case fixed(amount: Int64)
    }
    public var kind: Kind
    /// Paid to every recipient before the kind splits the rest ("5 000 000 per län och resten …").
    public var base: Int64?
    /// Recipient id → amount replacing `base` or the fixed amount.
    public var exceptions: [String: Int64]
    public var path: String
}

public enum Basis: Sendable {
    case population(PopulationBasis)
    case shares
    /// A numeric column of a table the user gives: recipient id → value.
    case column(file: String, column: String, values: [String: Int64])
}

public struct PopulationBasis: Sendable, Hashable {
    public var period: String?
    public var ages: String   // "total", "0-25", "65+"
    public var sex: String    // "total", "male", "female"
    /// Values chosen for the table's other dimensions (`where: {civilstand: ogifta}`).
    public var selections: [String: String] = [:]
    public init(period: String?, ages: String, sex: String, selections: [String: String] = [:]) {
        self.period = period; self.ages = ages; self.sex = sex; self.selections = selections
    }
    public var label: String {
        var parts = ["population"]
        if ages != "total" { parts.append("aged \(ages)") }
        if sex != "total" { parts.append(sex == "male" ? "men" : sex == "female" ? "women" : sex) }
        for (k, v) in selections.sorted(by: { $0.key < $1.key }) { parts.append("\(k)=\(v)") }
        if let period { parts.append("at \(period)") }
        return parts.joined(separator: " ")
    }
}

/// A non-negative fraction such as 1/3, exact.
public struct Fraction: Sendable, Equatable, CustomStringConvertible {
    public var numerator: Int64
    public var denominator: Int64
    public init?(_ text: String) {
        let t = String(text.trimmingCharacters().map { $0 == "," ? "." : $0 })
        if t.hasSuffix("%") {
            guard let f = Fraction(String(t.dropLast()).trimmingCharacters()) else { return nil }
            numerator = f.numerator; denominator = f.denominator * 100
        } else if let slash = t.firstIndex(of: "/") {
            guard let n = Int64(String(t[..<slash]).trimmingCharacters()), let d = Int64(String(t[t.index(after: slash)...]).trimmingCharacters()), n >= 0, d > 0 else { return nil }
            numerator = n; denominator = d
        } else if let dot = t.firstIndex(of: ".") {
            let whole = t[..<dot], frac = t[t.index(after: dot)...]
            guard frac.count <= 9, frac.allSatisfy(\.isASCII), let w = Int64(whole.isEmpty ? "0" : String(whole)), let f = Int64(frac), w >= 0 else { return nil }
            var d: Int64 = 1
            for _ in 0..<frac.count { d *= 10 }
            numerator = w * d + f; denominator = d
        } else {
            guard let n = Int64(t), n >= 0 else { return nil }
            numerator = n; denominator = 1
        }
        let g = gcd(numerator, denominator)
        if g > 1 { numerator /= g; denominator /= g }
    }
    public var description: String { denominator == 1 ? "\(numerator)" : "\(numerator)/\(denominator)" }
}

func gcd<T: SignedInteger & FixedWidthInteger>(_ a: T, _ b: T) -> T {
    var a = a < 0 ? -a : a, b = b < 0 ? -b : b
    while b != 0 { (a, b) = (b, a % b) }
    return a
}
