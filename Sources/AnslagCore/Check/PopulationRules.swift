/// The rules of the population checks, written once for both passes: `PopulationChecks` over
/// a whole table and `PopulationCheckStream` over rows streaming past. Each pass finds its
/// groups its own way (packed keys over the table's observations, ids as the rows come); what a
/// group keeps, when it is complete enough to check, and what a mismatch says are defined here.
enum PopulationRules {
    /// A total its parts do not reach, before it becomes a finding (`PopulationChecks.finding`).
    struct Mismatch {
        var code: FindingCode; var what: String; var total: Int64; var sum: Int64; var line: Int

        /// The finding: an error, or information about Cell Key Method noise.
        func finding(file: String, ckm: Bool) -> ReportFinding {
            let diff = total - sum
            if ckm {
                return ReportFinding(code: .ckmDeviation, severity: .info, file: file, place: "line \(line)", statedCount: total, computedCount: sum,
                    message: "\(what): parts sum to \(sum), total is \(total), a deviation of \(diff) (Cell Key Method noise)")
            }
            return ReportFinding(code: code, severity: .error, file: file, place: "line \(line)", statedCount: total, computedCount: sum,
                message: "\(what): parts sum to \(sum) but the total says \(total) (difference \(diff))")
        }
    }

    /// What a value of the sex dimension is to the men + women check.
    enum SexKind {
        case male, female, total, other
        init(_ label: String) {
            switch label {
            case "male": self = .male
            case "female": self = .female
            case "total": self = .total
            default: self = .other
            }
        }
    }

    /// men + women = total, from the first value of each.
    struct SexGroup {
        var male: Int64?, female: Int64?, total: Int64?, line = 0

        mutating func add(_ kind: SexKind, _ v: Int64, line: Int) {
            switch kind {
            case .male: if male == nil { male = v }
            case .female: if female == nil { female = v }
            case .total: if total == nil { total = v; self.line = line }
            case .other: break
            }
        }

        /// `label` names the group (the other dimensions' values).
        func mismatch(_ label: () -> String) -> Mismatch? {
            guard let m = male, let f = female, let t = total, m + f != t else { return nil }
            return Mismatch(code: .sexSumMismatch, what: "men + women for \(label())", total: t, sum: m + f, line: line)
        }
    }

    /// What a value of the age dimension is to the ages check: the total, a single age, an
    /// open-ended top ("100+"), or a band that makes the group unfit.
    enum AgeKind {
        case total, single(Int), open(Int), band
        init(_ label: String) {
            if label == "total" { self = .total }
            else if let n = Int(label) { self = .single(n) }
            else if label.hasSuffix("+"), let n = Int(label.dropLast()) { self = .open(n) }
            else { self = .band }
        }
    }

    /// The single ages 0…n, each counted once (the first value), and at most one open-ended
    /// top n + 1 and over, sum to the total.
    struct AgeGroup {
        /// Ages 0–127 as a bit set; older ones (not in SCB's tables) in a set.
        private var low: UInt64 = 0, high: UInt64 = 0, older: Set<Int> = []
        private(set) var singles = 0, maxAge = -1, sum: Int64 = 0
        var open: [(Int, Int64)] = []
        /// A band, a negative age: the group is not checked.
        var band = false
        var total: Int64?, line = 0

        mutating func add(_ kind: AgeKind, _ v: Int64, line: Int) {
            switch kind {
            case .total: if total == nil { total = v; self.line = line }
            case .single(let n): add(single: n, v)
            case .open(let n): open.append((n, v))
            case .band: band = true
            }
        }

        private mutating func add(single n: Int, _ v: Int64) {
            guard n >= 0 else { band = true; return }
            if n < 128 {
                let bit: UInt64 = 1 << UInt64(n & 63)
                if n < 64 { if low & bit != 0 { return }; low |= bit } else { if high & bit != 0 { return }; high |= bit }
            } else if !older.insert(n).inserted {
                return
            }
            // Parts past what 64 bits hold cannot be compared: the group is not checked.
            let (s, overflow) = sum.addingReportingOverflow(v)
            if overflow { band = true } else { sum = s }
            singles += 1; maxAge = max(maxAge, n)
        }

        func mismatch(_ label: () -> String) -> Mismatch? {
            // Distinct ages 0…max, as many as max + 1: every age is there.
            guard let total, !band, open.count <= 1, singles >= 2, singles == maxAge + 1 else { return nil }
            if let top = open.first, top.0 != maxAge + 1 { return nil }
            let (sum, overflow) = sum.addingReportingOverflow(open.first?.1 ?? 0)
            guard !overflow, sum != total else { return nil }
            let top = open.first.map { "\($0.0)+" } ?? String(maxAge)
            return Mismatch(code: .ageSumMismatch, what: "the ages 0–\(top) for \(label())", total: total, sum: sum, line: line)
        }
    }

    /// What a region code is to the region sums.
    enum RegionKind {
        case riket, county(Int), kommun(Int), other
    }

    /// The counties of the registry, and which county each kommun is in.
    struct Regions {
        let registry: RegionRegistry
        let counties: [String]
        let countyIndex: [String: Int]
        /// Per county, how many kommuner it has.
        let kommunCount: [Int]
        let kommunCounty: [String: Int]

        init(_ registry: RegionRegistry) {
            self.registry = registry
            counties = registry.counties.map(\.code)
            countyIndex = Dictionary(uniqueKeysWithValues: counties.enumerated().map { ($1, $0) })
            var count = Array(repeating: 0, count: counties.count)
            var county: [String: Int] = [:]
            for k in registry.municipalities { if let c = countyIndex[k.county] { count[c] += 1; county[k.code] = c } }
            kommunCount = count
            kommunCounty = county
        }

        func kind(_ code: String) -> RegionKind {
            if code == "00" { return .riket }
            if let c = countyIndex[code] { return .county(c) }
            if let c = kommunCounty[code] { return .kommun(c) }
            return .other
        }

        /// The region sums of one group: each county's stated figure against its kommuner (when
        /// all of them are there), Riket against the 21 län (when all are stated) or else all 290
        /// kommuner. Per county `c`: `stated(c)` with its line, the sum and number of its
        /// kommuner seen (each once).
        func mismatches(label: String, stated: (Int) -> (value: Int64, line: Int)?, sum: (Int) -> Int64, seen: (Int) -> Int,
                        riket: (value: Int64, line: Int)?, kommunerSeen: Int, allSum: Int64) -> [Mismatch] {
            var out: [Mismatch] = []
            for c in counties.indices {
                guard let s = stated(c), kommunCount[c] > 0, seen(c) == kommunCount[c] else { continue }
                if sum(c) != s.value {
                    out.append(Mismatch(code: .countySumMismatch,
                        what: "the kommuner of \(counties[c]) \(registry.region(code: counties[c])?.name ?? "") for \(label)",
                        total: s.value, sum: sum(c), line: s.line))
                }
            }
            guard let riket else { return out }
            let all = counties.indices.compactMap { stated($0)?.value }
            if all.count == counties.count {
                let total = all.reduce(Int64(0), +)
                if total != riket.value {
                    out.append(Mismatch(code: .riketSumMismatch, what: "the 21 län for \(label)", total: riket.value, sum: total, line: riket.line))
                }
            } else if kommunerSeen == registry.municipalities.count, allSum != riket.value {
                out.append(Mismatch(code: .riketSumMismatch, what: "the 290 kommuner for \(label)", total: riket.value, sum: allSum, line: riket.line))
            }
            return out
        }
    }
}
