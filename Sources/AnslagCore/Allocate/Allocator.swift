/// Population bases for allocation keys, from one population table read once. Each distinct
/// question (period, age band, sex) is answered once and kept.
public final class PopulationBases: @unchecked Sendable {
    public let table: PopulationTable
    public let file: String
    let registry: RegionRegistry
    private var cache: [PopulationBasis: [String: Int64]] = [:]
    /// How many distinct population questions were answered (each once).
    public private(set) var queries = 0

    public init(table: PopulationTable, file: String, registry: RegionRegistry = .bundled) {
        self.table = table; self.file = file; self.registry = registry
    }

    /// Region code → population for the basis; län missing from the table are summed from
    /// their kommuner when all of them are there.
    func values(_ basis: PopulationBasis) throws(QueryError) -> [String: Int64] {
        if let v = cache[basis] { return v }
        queries += 1
        var period = basis.period
        if period == nil, table.index(of: "period") != nil {
            let periods = table.values(of: "period")
            guard periods.count == 1 else {
                throw QueryError("\(file) has the periods \(periods.prefix(6).joined(separator: ", "))\(periods.count > 6 ? ", …" : ""); say which one (period: 2023M10)")
            }
            period = periods[0]
        }
        var out: [String: Int64]
        if let index = singleAges, let fast = try index.values(period: period, ages: PopulationQuery.Ages(basis.ages)!, sex: basis.sex, file: file) {
            out = fast
        } else {
            out = try queried(basis, period: period)
        }
        // Län the table does not state: the sum of all their kommuner.
        for county in registry.counties where out[county.code] == nil {
            let ks = registry.municipalities(inCounty: county.code)
            if !ks.isEmpty, ks.allSatisfy({ out[$0.code] != nil }) { out[county.code] = ks.reduce(0) { $0 + out[$1.code]! } }
        }
        cache[basis] = out
        return out
    }

    /// The general path: a `PopulationQuery` over the whole table.
    private func queried(_ basis: PopulationBasis, period: String?) throws(QueryError) -> [String: Int64] {
        let q = PopulationQuery(period: period, ages: PopulationQuery.Ages(basis.ages)!, sex: basis.sex)
        let answer: PopulationTable
        do { answer = try q.apply(table, registry: registry) }
        catch let e as QueryError { throw QueryError("\(file): \(e.description)") }
        catch { throw QueryError("\(file): \(error)") }
        let regionIndex = answer.index(of: "region")!
        let others = answer.dimensions.indices.filter { $0 != regionIndex && answer.dimensions[$0] != "period" }
        if let extra = others.first, Set(answer.observations.map { $0.keys[extra] }).count > 1 {
            throw QueryError("\(file) has a dimension \(answer.dimensions[extra]) that the key does not choose from")
        }
        var out: [String: Int64] = [:]
        for o in answer.observations {
            if let v = o.value { out[o.keys[regionIndex]] = v }
        }
        return out
    }

    /// For SCB's usual shape (region × single years of age × sex × period), an index built
    /// once answers any age band by adding up to 101 numbers per region.
    private lazy var singleAges: SingleAgeIndex? = SingleAgeIndex(table)
}

/// Population by region, period, sex and single year of age (the oldest group `N+` open),
/// dense, for fast age-band sums. Built only when the table has exactly that shape.
struct SingleAgeIndex {
    var regions: [String]
    var periods: [String: Int]
    var sexes: [String: Int]          // male, female, total
    var ages: Int                     // slots 0..<ages; the last may be open (N+)
    var openFrom: Int?                // N of the N+ group, at slot N
    var hasTotalAge: Bool
    var cells: [Int64]                // -1: absent; index ((p × R + r) × S + s) × (ages + 1) + slot; slot `ages` = total age

    init?(_ t: PopulationTable) {
        guard let ri = t.index(of: "region"), let ai = t.index(of: "age") else { return nil }
        let si = t.index(of: "sex"), pi = t.index(of: "period")
        guard t.dimensions.count == 2 + (si == nil ? 0 : 1) + (pi == nil ? 0 : 1) else { return nil }
        var regionIndex: [String: Int] = [:], regions: [String] = []
        var periods: [String: Int] = [:], sexes: [String: Int] = [:]
        var maxAge = -1, openFrom: Int?, hasTotal = false
        for o in t.observations {
            let a = o.keys[ai]
            if a == "total" { hasTotal = true }
            else if let v = Int(a) { maxAge = max(maxAge, v) }
            else if a.hasSuffix("+"), let v = Int(a.dropLast()) {
                if let f = openFrom, f != v { return nil }
                openFrom = v
            } else { return nil }
            if regionIndex[o.keys[ri]] == nil { regionIndex[o.keys[ri]] = regions.count; regions.append(o.keys[ri]) }
            if let pi, periods[o.keys[pi]] == nil { periods[o.keys[pi]] = periods.count }
            if let si, sexes[o.keys[si]] == nil { sexes[o.keys[si]] = sexes.count }
        }
        if let f = openFrom { if f <= maxAge { return nil }; maxAge = f }
        guard maxAge >= 0, maxAge < 200, regions.count * max(1, periods.count) * max(1, sexes.count) * (maxAge + 2) < 50_000_000 else { return nil }
        self.regions = regions; self.periods = periods; self.sexes = sexes
        self.ages = maxAge + 1; self.openFrom = openFrom; self.hasTotalAge = hasTotal
        let S = max(1, sexes.count), P = max(1, periods.count)
        cells = [Int64](repeating: -1, count: P * regions.count * S * (ages + 1))
        for o in t.observations {
            guard let v = o.value else { continue }
            let p = pi.map { periods[o.keys[$0]]! } ?? 0
            let s = si.map { sexes[o.keys[$0]]! } ?? 0
            let a = o.keys[ai]
            let slot = a == "total" ? ages : (Int(a) ?? openFrom!)
            let i = ((p * regions.count + regionIndex[o.keys[ri]]!) * S + s) * (ages + 1) + slot
            if cells[i] >= 0 { return nil }   // a repeated key: leave it to the general path
            cells[i] = v
        }
    }

    /// Nil when the question needs the general path (e.g. a band the open group straddles).
    func values(period: String?, ages band: PopulationQuery.Ages, sex: String, file: String) throws(QueryError) -> [String: Int64]? {
        let p: Int
        if let period {
            guard let i = periods[period] else {
                if periods.isEmpty { return nil }
                throw QueryError("\(file): the table has no period \(period); it has \(periods.sorted { $0.value < $1.value }.map(\.key).joined(separator: ", "))")
            }
            p = i
        } else { p = 0 }
        let sexSlots: [Int]
        if sexes.isEmpty { guard sex == "total" else { return nil }; sexSlots = [0] }
        else if sex == "total" {
            if let t = sexes["total"] { sexSlots = [t] }
            else if let m = sexes["male"], let f = sexes["female"] { sexSlots = [m, f] }
            else { return nil }
        } else {
            guard let s = sexes[sex] else { return nil }
            sexSlots = [s]
        }
        var slots: [Int]
        switch band {
        case .total:
            slots = hasTotalAge ? [ages] : Array(0..<ages)
        case .band(let lo, let hi):
            if let f = openFrom, let hi, f <= hi { return nil }
            slots = Array(lo..<min(ages, (hi ?? Int.max - 1) + 1))
            if let f = openFrom, hi == nil, f < lo { return nil }
        }
        let S = max(1, sexes.count)
        var out: [String: Int64] = [:]
        out.reserveCapacity(regions.count)
        region: for (r, code) in regions.enumerated() {
            var sum: Int64 = 0
            for s in sexSlots {
                let base = ((p * regions.count + r) * S + s) * (ages + 1)
                for a in slots {
                    let v = cells[base + a]
                    if v < 0 { continue region }   // a missing figure: the region has no basis
                    sum += v
                }
            }
            out[code] = sum
        }
        return out
    }
}

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
        return Allocation(rulesFile: set.file, populationFile: population?.file, rules: nodes)
    }

    public func allocate(_ rule: AllocationRule, total: Int64, depth: Int) throws -> AllocationNode {
        func fail(_ path: String, _ problem: String) -> RuleError { RuleError(file: set.file, rule: rule.name, path: path, line: nil, problem: problem) }
        guard depth < 32 else { throw fail(rule.path, "rules nest more than 32 levels deep") }

        // 1. Fixed amounts first.
        let fixedFirst = rule.recipients.reduce(Int64(0)) { $0 + ($1.fixedAmount ?? 0) }
        if fixedFirst > total {
            throw fail(rule.path, "the fixed amounts (\(Money.kronorText(fixedFirst)) kr) exceed the total (\(Money.kronorText(total)) kr)")
        }
        var left = total - fixedFirst
        let keyedIndices = rule.recipients.indices.filter { rule.recipients[$0].fixedAmount == nil }
        if keyedIndices.isEmpty && left > 0 {
            throw fail(rule.path, "\(Money.kronorText(left)) kr are left after the fixed amounts, but every recipient has a fixed amount")
        }

        // 2. Bases (and their exceptions) for the keyed recipients.
        var fixedPart = [Int64](repeating: 0, count: rule.recipients.count)
        for i in rule.recipients.indices { fixedPart[i] = rule.recipients[i].fixedAmount ?? 0 }
        let key = rule.key
        var perRecipient: Int64?
        if let base = key.base { perRecipient = base }
        if case .fixed(let amount) = key.kind { perRecipient = amount }
        if let per = perRecipient {
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

        // 3. The key splits what is left.
        var bases = [Int128](repeating: 0, count: rule.recipients.count)
        var keyDescription: String
        var usesBasis = true
        switch key.kind {
        case .fixed(let amount):
            keyDescription = "fixed \(Money.kronorText(amount)) kr per recipient"
            usesBasis = false
        case .equal:
            keyDescription = "equal shares"
            for i in keyedIndices { bases[i] = 1 }
        case .proportional(.shares):
            keyDescription = "shares as written"
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
        case .proportional(.population(let pb)):
            keyDescription = "proportional to \(pb.label)"
            guard let population else {
                throw fail(key.path, "this key needs population figures; give --population FILE or population: in the rule file")
            }
            let values: [String: Int64]
            do { values = try population.values(pb) } catch { throw fail(key.path, error.description) }
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

        let keyedBases = keyedIndices.map { bases[$0] }
        let basisSum = keyedBases.reduce(Int128(0), +)
        guard basisSum < Int128(1) << 62 else { throw fail(key.path, "the bases are too large") }
        var shares: [Apportion.Share] = []
        var denominator: Int128 = 1
        if usesBasis {
            do {
                (shares, denominator) = try Apportion.split(left, bases: keyedBases, ids: keyedIndices.map { rule.recipients[$0].id },
                                                            rounding: rule.rounding, tieBreak: rule.tieBreak)
            } catch {
                throw fail(key.path, "the basis sums to zero over the recipients, so \(Money.kronorText(left)) kr cannot be split by it")
            }
        }

        // 4. Recipients, and their own splits.
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
            var split: AllocationNode?
            if let nested = r.nested {
                let inner: AllocationRule
                switch nested {
                case .inline(let rr): inner = rr
                case .named(let name):
                    inner = set.rule(named: name)!
                    if let t = inner.total, t != amount {
                        throw fail("\(r.path).rule", "rule \"\(name)\" states a total of \(Money.kronorText(t)) kr, but \(r.name)'s part is \(Money.kronorText(amount)) kr")
                    }
                }
                var node = try allocate(inner, total: amount, depth: depth + 1)
                if case .named = nested { node.rule = "\(rule.name) › \(r.name) (\(inner.name))" }
                split = node
            }
            recipients.append(AllocatedRecipient(code: r.code, name: r.name, members: r.members, basis: basis,
                                                 share: r.share?.description, fixed: fixedPart[i], quota: quota,
                                                 amount: amount, rounding: roundedUp, split: split))
        }
        let sum = recipients.reduce(Int64(0)) { $0 + $1.amount }
        return AllocationNode(rule: rule.name, total: total, sum: sum, residual: total - sum, rounding: rule.rounding,
                              tieBreak: rule.tieBreak, recipientsLabel: rule.recipientsLabel, key: keyDescription,
                              basisSum: usesBasis ? Int64(basisSum) : nil, keyed: left, recipients: recipients)
    }
}
