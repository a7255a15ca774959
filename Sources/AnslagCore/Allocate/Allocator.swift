/// Computes rules: exact quotas, whole kronor summing to the total at every level.
public struct Allocator {
    public var set: RuleSet
    public var population: PopulationBases?

    public init(set: RuleSet, population: PopulationBases?) { self.set = set; self.population = population }

    /// Every rule with a total, in file order.
    public func allocate() throws -> Allocation {
        var nodes: [AllocationNode] = []
        for rule in set.topLevel {
            nodes.append(try allocate(rule, total: rule.total!, depth: 0))
        }
        return Allocation(rulesFile: set.file, populationFile: population?.file, population: population?.provenance, rules: nodes)
    }

    public func allocate(_ rule: AllocationRule, total: Int64, depth: Int) throws -> AllocationNode {
        var step = RuleComputation(allocator: self, rule: rule, total: total)
        guard depth < 32 else { throw step.fail(rule.path, "rules nest more than 32 levels deep") }
        try step.payFixedAmounts()
        try step.payBasesAndFixedKeys()
        try step.computeBases()
        try step.apportion()
        return try step.node(depth: depth)
    }
}

/// One level of one rule, in the order the money goes: fixed amounts first, then bases (or a
/// fixed key) with their exceptions, then the key's bases for the rest, the largest-remainder
/// split, and each recipient's own nested split.
struct RuleComputation {
    let allocator: Allocator
    let rule: AllocationRule
    let total: Int64
    var key: AllocationKey { rule.key }
    var fixedFirst: Int64 = 0
    /// Kronor still to be split by the key.
    var left: Int64
    var keyedIndices: [Int] = []
    var fixedPart: [Int64]
    var bases: [Int128]
    var keyDescription = ""
    var usesBasis = true
    var basisSum: Int128 = 0
    var shares: [Apportion.Share] = []
    var denominator: Int128 = 1

    init(allocator: Allocator, rule: AllocationRule, total: Int64) {
        self.allocator = allocator; self.rule = rule; self.total = total
        left = total
        fixedPart = rule.recipients.map { $0.fixedAmount ?? 0 }
        bases = Array(repeating: 0, count: rule.recipients.count)
    }

    func fail(_ path: String, _ problem: String) -> RuleError {
        RuleError(file: allocator.set.file, rule: rule.name, path: path, line: nil, problem: problem)
    }

    /// 1. Fixed amounts on listed recipients are paid first.
    mutating func payFixedAmounts() throws {
        fixedFirst = rule.recipients.reduce(Int64(0)) { $0 + ($1.fixedAmount ?? 0) }
        if fixedFirst > total {
            throw fail(rule.path, "the fixed amounts (\(Money.kronorText(fixedFirst)) kr) exceed the total (\(Money.kronorText(total)) kr)")
        }
        left = total - fixedFirst
        keyedIndices = rule.recipients.indices.filter { rule.recipients[$0].fixedAmount == nil }
        if keyedIndices.isEmpty && left > 0 {
            throw fail(rule.path, "\(Money.kronorText(left)) kr are left after the fixed amounts, but every recipient has a fixed amount")
        }
    }

    /// 2. A base per recipient (or a fixed key's amount), with its exceptions.
    mutating func payBasesAndFixedKeys() throws {
        var perRecipient: Int64?
        if let base = key.base { perRecipient = base }
        if case .fixed(let amount) = key.kind { perRecipient = amount }
        guard let per = perRecipient else { return }
        var sum: Int64 = 0
        for i in keyedIndices {
            let v = key.exceptions[rule.recipients[i].id] ?? per
            fixedPart[i] += v
            sum += v
        }
        if sum > left {
            let what = key.base != nil ? "the bases" : "the fixed amounts"
            throw fail(key.path, "\(what) (\(keyedIndices.count) recipients, \(Money.kronorText(sum)) kr) exceed the \(Money.kronorText(left)) kr \(fixedFirst > 0 ? "left after the fixed amounts" : "total")")
        }
        if key.base == nil && sum != left {
            throw fail(key.path, "the fixed amounts sum to \(Money.kronorText(sum)) kr but \(Money.kronorText(left)) kr are to be allocated; add a base and a key for the rest, or correct the total")
        }
        left -= sum
    }

    /// 3. The key's basis for every keyed recipient.
    mutating func computeBases() throws {
        switch key.kind {
        case .fixed(let amount):
            keyDescription = "fixed \(Money.kronorText(amount)) kr per recipient"
            usesBasis = false
        case .equal:
            keyDescription = "equal shares"
            for i in keyedIndices { bases[i] = 1 }
        case .proportional(.shares):
            keyDescription = "shares as written"
            try shareBases()
        case .proportional(.population(let pb)):
            keyDescription = "proportional to \(pb.label)"
            try populationBases(pb)
        case .proportional(.column(let file, let column, let values)):
            keyDescription = "proportional to \(column) in \(file.split(separator: "/").last.map(String.init) ?? file)"
            for i in keyedIndices {
                let r = rule.recipients[i]
                let ids = r.members ?? [r.id]
                bases[i] = ids.reduce(Int128(0)) { acc, id in
                    acc + Int128(values[id] ?? values[RegionRegistry.bundled.region(code: id)?.name ?? "\u{0}"] ?? 0)
                }
            }
        }
        if let base = key.base { keyDescription += ", after a base of \(Money.kronorText(base)) kr each" }
        if !key.exceptions.isEmpty { keyDescription += " (\(key.exceptions.count) exception\(key.exceptions.count == 1 ? "" : "s"))" }
        if fixedFirst > 0 { keyDescription = "fixed amounts first (\(Money.kronorText(fixedFirst)) kr), then " + keyDescription }
    }

    /// Shares such as 1/3 scaled to whole numbers over their common denominator.
    mutating func shareBases() throws {
        var lcm: Int128 = 1
        for i in keyedIndices {
            let d = Int128(rule.recipients[i].share!.denominator)
            lcm = lcm / gcd(lcm, d) * d
            if lcm > Int128(1) << 40 { throw fail(key.path, "the shares' denominators are too large to combine") }
        }
        for i in keyedIndices {
            let s = rule.recipients[i].share!
            bases[i] = Int128(s.numerator) * (lcm / Int128(s.denominator))
        }
        let sumShares = keyedIndices.reduce(Int128(0)) { $0 + bases[$1] }
        if sumShares != lcm {
            throw fail(key.path, "the shares add up to \(Quota(whole: Int64(sumShares / lcm), remainder: sumShares % lcm, denominator: lcm).fraction), not 1")
        }
    }

    /// Each recipient's population (a group's: its members' sum).
    mutating func populationBases(_ pb: PopulationBasis) throws {
        guard let population = allocator.population else {
            throw PopulationNeeded(rule: fail(key.path, "this key needs population figures"))
        }
        let values: [String: Int64]
        do { values = try population.values(pb) } catch { throw fail(key.path, "\(error)") }
        for i in keyedIndices {
            let r = rule.recipients[i]
            guard let ids = r.members ?? r.code.map({ [$0] }) else {
                throw fail(r.path, "\(r.name) has no region code, so it has no population; give it a code, a fixed amount, or use a membership table")
            }
            var sum: Int128 = 0
            for id in ids {
                guard let v = values[id] else {
                    throw fail(key.path, "\(population.file) has no population for \(id) \(population.registry.region(code: id)?.name ?? "")\(r.members != nil ? " (member of \(r.name))" : "")")
                }
                sum += Int128(v)
            }
            bases[i] = sum
        }
    }

    /// 4. Largest remainder (or floor) over the keyed recipients' bases.
    mutating func apportion() throws {
        let keyedBases = keyedIndices.map { bases[$0] }
        basisSum = keyedBases.reduce(Int128(0), +)
        guard basisSum < Int128(1) << 62 else { throw fail(key.path, "the bases are too large") }
        guard usesBasis else { return }
        do {
            (shares, denominator) = try Apportion.split(left, bases: keyedBases, ids: keyedIndices.map { rule.recipients[$0].id },
                                                        rounding: rule.rounding, tieBreak: rule.tieBreak)
        } catch {
            throw fail(key.path, "the basis sums to zero over the recipients, so \(Money.kronorText(left)) kr cannot be split by it")
        }
    }

    /// 5. The recipients with their amounts, and their own splits.
    func node(depth: Int) throws -> AllocationNode {
        var recipients: [AllocatedRecipient] = []
        var shareIndex = 0
        for (i, r) in rule.recipients.enumerated() {
            var quota = Quota(whole: fixedPart[i])
            var amount = fixedPart[i]
            var roundedUp = 0
            var basis: Int64?
            if r.fixedAmount == nil && usesBasis {
                let s = shares[shareIndex]
                shareIndex += 1
                quota = Quota(whole: fixedPart[i] + s.floor, remainder: s.remainder, denominator: denominator)
                amount += s.amount
                roundedUp = s.roundedUp ? 1 : 0
                basis = Int64(bases[i])
            }
            let split = try nestedSplit(r, amount: amount, depth: depth)
            recipients.append(AllocatedRecipient(code: r.code, name: r.name, members: r.members, basis: basis,
                                                 share: r.share?.description, fixed: fixedPart[i], quota: quota,
                                                 amount: amount, rounding: roundedUp, split: split))
        }
        let sum = recipients.reduce(Int64(0)) { $0 + $1.amount }
        return AllocationNode(rule: rule.name, total: total, sum: sum, residual: total - sum, rounding: rule.rounding,
                              tieBreak: rule.tieBreak, recipientsLabel: rule.recipientsLabel, key: keyDescription,
                              basisSum: usesBasis ? Int64(basisSum) : nil, keyed: left, recipients: recipients)
    }

    func nestedSplit(_ r: RecipientSpec, amount: Int64, depth: Int) throws -> AllocationNode? {
        guard let nested = r.nested else { return nil }
        let inner: AllocationRule
        switch nested {
        case .inline(let rr): inner = rr
        case .named(let name):
            inner = allocator.set.rule(named: name)!
            if let t = inner.total, t != amount {
                throw fail("\(r.path).rule", "rule \"\(name)\" states a total of \(Money.kronorText(t)) kr, but \(r.name)'s part is \(Money.kronorText(amount)) kr")
            }
        }
        var node = try allocator.allocate(inner, total: amount, depth: depth + 1)
        if case .named = nested { node.rule = "\(rule.name) › \(r.name) (\(inner.name))" }
        return node
    }
}

/// A key that needs population figures when the run has none: `rule` names the rule and the
/// key; the tool says how to give them.
public struct PopulationNeeded: Error, CustomStringConvertible, Sendable, Equatable {
    public var rule: RuleError
    public var description: String { rule.description }
}
