/// A computed allocation: for every rule and every level of nesting, every recipient's basis,
/// exact quota and whole-krona amount. Normalized JSON: `Schemas/allocation.schema.json`.
public struct Allocation: Sendable, Equatable {
    public var rulesFile: String
    public var populationFile: String?
    /// What the population figures are and the date they refer to (nil without population).
    public var population: PopulationProvenance?
    public var rules: [AllocationNode]

    public init(rulesFile: String, populationFile: String?, population: PopulationProvenance? = nil, rules: [AllocationNode]) {
        self.rulesFile = rulesFile; self.populationFile = populationFile; self.population = population; self.rules = rules
    }
}

public struct AllocationNode: Sendable, Equatable {
    /// The rule's name; nested levels carry the path, e.g. "Tredjedelar › Kommunalförbunden".
    public var rule: String
    public var total: Int64
    public var sum: Int64
    /// total − sum: zero with largest remainder; what was left unallocated with floor rounding.
    public var residual: Int64
    public var rounding: Rounding
    public var tieBreak: TieBreak
    public var recipientsLabel: String
    /// The key in words: "proportional to population aged 0-25 at 2023M10, base 5 000 000 kr".
    public var key: String
    /// Sum of the bases of the keyed recipients (nil for fixed keys).
    public var basisSum: Int64?
    /// The kronor the key split (after fixed amounts and bases).
    public var keyed: Int64
    public var recipients: [AllocatedRecipient]

    public init(rule: String, total: Int64, sum: Int64, residual: Int64, rounding: Rounding, tieBreak: TieBreak,
                recipientsLabel: String, key: String, basisSum: Int64?, keyed: Int64, recipients: [AllocatedRecipient]) {
        self.rule = rule; self.total = total; self.sum = sum; self.residual = residual; self.rounding = rounding
        self.tieBreak = tieBreak; self.recipientsLabel = recipientsLabel; self.key = key; self.basisSum = basisSum
        self.keyed = keyed; self.recipients = recipients
    }

    /// Every node of this tree, depth first, this one first.
    public var levels: [AllocationNode] {
        [self] + recipients.flatMap { $0.split?.levels ?? [] }
    }
}

public struct AllocatedRecipient: Sendable, Equatable {
    public var code: String?
    public var name: String
    /// Member codes of a group (membership table), whose bases were added up.
    public var members: [String]?
    /// The basis the key used (population, column value, 1 for equal, the scaled share);
    /// nil for a recipient paid a fixed amount only.
    public var basis: Int64?
    /// The share as written (1/3), for `basis: shares`.
    public var share: String?
    /// Kronor paid before the key: a fixed amount, a base or its exception.
    public var fixed: Int64
    /// The exact amount before rounding: fixed + keyed × basis / basis sum.
    public var quota: Quota
    public var amount: Int64
    /// +1 when this recipient got one of the kronor left after rounding down, else 0.
    public var rounding: Int
    public var split: AllocationNode?

    public init(code: String?, name: String, members: [String]? = nil, basis: Int64?, share: String? = nil,
                fixed: Int64, quota: Quota, amount: Int64, rounding: Int, split: AllocationNode? = nil) {
        self.code = code; self.name = name; self.members = members; self.basis = basis; self.share = share
        self.fixed = fixed; self.quota = quota; self.amount = amount; self.rounding = rounding; self.split = split
    }

    public var id: String { code ?? name }
}

/// An exact non-negative rational amount: whole + remainder / denominator, 0 ≤ remainder < denominator.
public struct Quota: Sendable, Equatable, Comparable {
    public var whole: Int64
    public var remainder: Int128
    public var denominator: Int128

    public init(whole: Int64, remainder: Int128 = 0, denominator: Int128 = 1) {
        let g = remainder == 0 ? denominator : gcd(remainder, denominator)
        self.whole = whole
        self.remainder = remainder / g
        self.denominator = denominator / g
    }

    public static func < (a: Quota, b: Quota) -> Bool {
        a.whole != b.whole ? a.whole < b.whole : a.remainder * b.denominator < b.remainder * a.denominator
    }

    /// `n/d` reduced, exact: "10000000/3".
    public var fraction: String {
        if remainder == 0 { return String(whole) }
        let n = Int128(whole) * denominator + remainder
        // Int128's description is slow; most quotas fit in 64 bits.
        if let n64 = Int64(exactly: n), let d64 = Int64(exactly: denominator) { return "\(n64)/\(d64)" }
        return "\(n)/\(denominator)"
    }

    /// Decimal digits, truncated: `3333333.333333333` (9 places), exact ones without trailing zeros.
    public func decimal(places: Int = 9) -> String {
        if remainder == 0 { return "\(whole)" }
        var digits: [UInt8] = []
        if let d = UInt64(exactly: denominator), d < UInt64(1) << 59 {
            var r = UInt64(remainder)
            for _ in 0..<places {
                r *= 10
                digits.append(48 + UInt8(r / d))
                r %= d
                if r == 0 { break }
            }
        } else {
            var r = remainder
            for _ in 0..<places {
                r *= 10
                digits.append(48 + UInt8(r / denominator))
                r %= denominator
                if r == 0 { break }
            }
        }
        return String(whole) + "." + String(decoding: digits, as: UTF8.self)
    }

    /// Parses `fraction`'s form back.
    public init?(fraction text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard let n = Int128(String(parts[0])), n >= 0 else { return nil }
        if parts.count == 1 {
            guard let w = Int64(exactly: n) else { return nil }
            self.init(whole: w); return
        }
        guard parts.count == 2, let d = Int128(String(parts[1])), d > 0, let w = Int64(exactly: n / d) else { return nil }
        self.init(whole: w, remainder: n % d, denominator: d)
    }
}
