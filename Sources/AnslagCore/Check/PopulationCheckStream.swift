/// `PopulationChecks` for a table that streams past, in memory that does not grow with the
/// number of rows: SCB tables list each region's rows together, so the men + women and the
/// age checks of a region are settled when the next region starts; the region sums keep one
/// running total per combination of the other dimensions (the table's width, not its length).
///
/// When a table is not in that order (a region comes back) or too wide to pack its keys,
/// `settled` is false and the caller runs `PopulationChecks` over the whole table instead.
public final class PopulationCheckStream: PopulationSink {
    private let registry: RegionRegistry
    private var keys: PopulationKeys!
    private var metadata = PopulationTable.Metadata(source: "")
    private var r: Int? = nil, s: Int? = nil, a: Int? = nil
    public private(set) var settled = true

    private struct Mismatch { var code: FindingCode; var what: String; var total: Int64; var sum: Int64; var line: Int }
    private var sexMismatches: [Mismatch] = []
    private var ageMismatches: [Mismatch] = []
    private var regionMismatches: [Mismatch] = []

    private struct SexGroup { var male: Int64?; var female: Int64?; var total: Int64?; var line = 0 }
    /// Single ages 0–127 as a bit set with their sum; anything else makes the group unfit.
    private struct AgeGroup {
        var low: UInt64 = 0, high: UInt64 = 0, singles = 0, maxAge = -1, sum: Int64 = 0
        var open: [(Int, Int64)] = []; var band = false; var total: Int64?; var line = 0
        mutating func add(single n: Int, _ v: Int64) {
            guard n >= 0, n < 128 else { band = true; return }
            let bit: UInt64 = 1 << UInt64(n & 63)
            if n < 64 { if low & bit != 0 { return }; low |= bit } else { if high & bit != 0 { return }; high |= bit }
            singles += 1; sum += v; maxAge = max(maxAge, n)
        }
    }
    // Groups live in arrays; a dictionary maps a packed key to its index.
    private var sexIndex = IntTable(), sexGroups: [SexGroup] = [], sexKeys: [UInt64] = []
    private var ageIndex = IntTable(), ageGroups: [AgeGroup] = [], ageKeys: [UInt64] = []
    private var regionIndex = IntTable(capacity: 16_384), regionKeys: [UInt64] = []
    // Region sums, flat: group × county.
    private var stated: [Int64] = [], statedSet: [Bool] = [], statedLines: [Int] = []
    private var sums: [Int64] = [], counts: [Int32] = []
    private var riket: [Int64?] = [], riketLines: [Int] = [], kommunCounts: [Int] = [], allSums: [Int64] = []
    // What each id of the sex and age dimensions means, worked out once.
    private enum SexKind { case male, female, total, other }
    private enum AgeKind { case total, single(Int), open(Int), band }
    private var sexKinds: [SexKind] = []
    private var ageKinds: [AgeKind] = []
    private var currentRegion: Int32 = -1
    private var finishedRegions: Set<Int32> = []
    /// The keys the current region has counted (a row given twice counts once).
    private var blockKeys = IntTable(capacity: 16_384)

    // Per region id: its county index (for kommuner), county index (for län), or Riket.
    private enum RegionKind { case riket, county(Int), kommun(Int), other }
    private var regionKinds: [RegionKind] = []
    private let counties: [String]
    private let countyIndex: [String: Int]
    private var kommunCountOf: [Int]
    private var kommunCounty: [String: Int] = [:]
    private var ageValues: [Int32: (Int?, Int?)] = [:]   // single age, open-ended start

    public init(registry: RegionRegistry = .bundled) {
        self.registry = registry
        counties = registry.counties.map(\.code)
        countyIndex = Dictionary(uniqueKeysWithValues: counties.enumerated().map { ($1, $0) })
        kommunCountOf = Array(repeating: 0, count: counties.count)
        for k in registry.municipalities { if let c = countyIndex[k.county] { kommunCountOf[c] += 1; kommunCounty[k.code] = c } }
    }

    public func begin(keys: PopulationKeys, metadata: PopulationTable.Metadata) throws {
        self.keys = keys
        self.metadata = metadata
        r = keys.dimensions.firstIndex(of: "region")
        s = keys.dimensions.firstIndex(of: "sex")
        a = keys.dimensions.firstIndex(of: "age")
        if keys.dimensions.count > 5 { settled = false }
    }

    /// The other dimensions' ids (plus one) in 16 bits each; nil when they do not fit.
    @inline(__always)
    private func pack(_ ids: UnsafeBufferPointer<Int32>, excluding d: Int) -> UInt64? {
        var k: UInt64 = 0
        for i in 0..<ids.count where i != d {
            let v = ids[i]
            if v >= 0xFFFF { return nil }
            k = k << 16 | UInt64(v + 1)
        }
        // Never 0 (the hash table's empty mark): a table with no other dimension has one group.
        return k == 0 ? 1 : k
    }

    private func unpackLabel(_ key: UInt64, excluding d: Int) -> String {
        var parts: [String] = []
        var k = key
        for i in stride(from: keys.dimensions.count - 1, through: 0, by: -1) where i != d {
            let v = Int32(k & 0xFFFF) - 1
            k >>= 16
            parts.append("\(keys.dimensions[i])=\(keys.value(v, dimension: i))")
        }
        return parts.isEmpty ? "the table" : parts.reversed().joined(separator: ", ")
    }

    private func kind(of id: Int32) -> RegionKind {
        while regionKinds.count <= Int(id) {
            let code = keys.value(Int32(regionKinds.count), dimension: r!)
            if code == "00" { regionKinds.append(.riket) }
            else if let c = countyIndex[code] { regionKinds.append(.county(c)) }
            else if let c = kommunCounty[code] { regionKinds.append(.kommun(c)) }
            else { regionKinds.append(.other) }
        }
        return regionKinds[Int(id)]
    }

    @inline(__always)
    private func sexKind(_ id: Int32) -> SexKind {
        while sexKinds.count <= Int(id) {
            switch keys.value(Int32(sexKinds.count), dimension: s!) {
            case "male": sexKinds.append(.male)
            case "female": sexKinds.append(.female)
            case "total": sexKinds.append(.total)
            default: sexKinds.append(.other)
            }
        }
        return sexKinds[Int(id)]
    }

    @inline(__always)
    private func ageKind(_ id: Int32) -> AgeKind {
        while ageKinds.count <= Int(id) {
            let label = keys.value(Int32(ageKinds.count), dimension: a!)
            if label == "total" { ageKinds.append(.total) }
            else if let n = Int(label) { ageKinds.append(.single(n)) }
            else if label.hasSuffix("+"), let n = Int(label.dropLast()) { ageKinds.append(.open(n)) }
            else { ageKinds.append(.band) }
        }
        return ageKinds[Int(id)]
    }

    public func observation(_ ids: UnsafeBufferPointer<Int32>, value: Int64?, decimal: String?, symbol: String?, line: Int) throws {
        guard settled, let v = value else { return }
        if let r {
            let region = ids[r]
            if region != currentRegion {
                if currentRegion >= 0 {
                    settleRegionBlock()
                    finishedRegions.insert(currentRegion)
                }
                if finishedRegions.contains(region) { settled = false; return }
                currentRegion = region
                blockKeys.removeAll()
            }
        }
        if let s {
            guard let k = pack(ids, excluding: s) else { settled = false; return }
            let g = Int(sexIndex.value(for: k) { sexGroups.append(SexGroup()); sexKeys.append(k); return Int32(sexGroups.count - 1) })
            switch sexKind(ids[s]) {
            case .male: if sexGroups[g].male == nil { sexGroups[g].male = v }
            case .female: if sexGroups[g].female == nil { sexGroups[g].female = v }
            case .total: if sexGroups[g].total == nil { sexGroups[g].total = v; sexGroups[g].line = line }
            case .other: break
            }
        }
        if let a {
            guard let k = pack(ids, excluding: a) else { settled = false; return }
            let g = Int(ageIndex.value(for: k) { ageGroups.append(AgeGroup()); ageKeys.append(k); return Int32(ageGroups.count - 1) })
            switch ageKind(ids[a]) {
            case .total: if ageGroups[g].total == nil { ageGroups[g].total = v; ageGroups[g].line = line }
            case .single(let n): ageGroups[g].add(single: n, v)
            case .open(let n): ageGroups[g].open.append((n, v))
            case .band: ageGroups[g].band = true
            }
        }
        if let r {
            let kindOf = kind(of: ids[r])
            if case .other = kindOf { return }
            guard let k = pack(ids, excluding: r) else { settled = false; return }
            let n = counties.count
            var isNew = false
            let g = Int(regionIndex.value(for: k) { isNew = true; return Int32(regionKeys.count) })
            if isNew {
                regionKeys.append(k)
                stated.append(contentsOf: repeatElement(0, count: n)); statedSet.append(contentsOf: repeatElement(false, count: n))
                statedLines.append(contentsOf: repeatElement(0, count: n)); sums.append(contentsOf: repeatElement(0, count: n))
                counts.append(contentsOf: repeatElement(0, count: n))
                riket.append(nil); riketLines.append(0); kommunCounts.append(0); allSums.append(0)
            }
            switch kindOf {
            case .riket: if riket[g] == nil { riket[g] = v; riketLines[g] = line }
            case .county(let c): if !statedSet[g * n + c] { statedSet[g * n + c] = true; stated[g * n + c] = v; statedLines[g * n + c] = line }
            case .kommun(let c):
                if blockKeys.insert(k) {
                    sums[g * n + c] += v; counts[g * n + c] += 1
                    kommunCounts[g] += 1; allSums[g] += v
                }
            case .other: break
            }
        }
    }

    /// Settles the sex and age groups of the region that just ended.
    private func settleRegionBlock() {
        if let s {
            for (i, g) in sexGroups.enumerated() {
                guard let m = g.male, let f = g.female, let t = g.total, m + f != t else { continue }
                sexMismatches.append(Mismatch(code: .sexSumMismatch, what: "men + women for \(unpackLabel(sexKeys[i], excluding: s))", total: t, sum: m + f, line: g.line))
            }
            sexGroups.removeAll(keepingCapacity: true); sexKeys.removeAll(keepingCapacity: true); sexIndex.removeAll()
        }
        if let a {
            for (i, g) in ageGroups.enumerated() {
                let k = ageKeys[i]
                // Distinct ages 0…max, as many as max + 1: every age is there.
                guard let total = g.total, !g.band, g.open.count <= 1, g.singles >= 2, g.singles == g.maxAge + 1 else { continue }
                if let top = g.open.first, top.0 != g.maxAge + 1 { continue }
                let sum = g.sum + (g.open.first?.1 ?? 0)
                if sum != total {
                    let top = g.open.first.map { "\($0.0)+" } ?? String(g.maxAge)
                    ageMismatches.append(Mismatch(code: .ageSumMismatch, what: "the ages 0–\(top) for \(unpackLabel(k, excluding: a))",
                                                  total: total, sum: sum, line: g.line))
                }
            }
            ageGroups.removeAll(keepingCapacity: true); ageKeys.removeAll(keepingCapacity: true); ageIndex.removeAll()
        }
    }

    public func end(metadata: PopulationTable.Metadata) throws {
        self.metadata = metadata
        guard settled else { return }
        settleRegionBlock()
        guard let r else { return }
        let n = counties.count
        for (g, k) in regionKeys.enumerated() {
            let label = unpackLabel(k, excluding: r)
            for c in counties.indices {
                let i = g * n + c
                guard statedSet[i], kommunCountOf[c] > 0, Int(counts[i]) == kommunCountOf[c] else { continue }
                if sums[i] != stated[i] {
                    regionMismatches.append(Mismatch(code: .countySumMismatch,
                        what: "the kommuner of \(counties[c]) \(registry.region(code: counties[c])?.name ?? "") for \(label)",
                        total: stated[i], sum: sums[i], line: statedLines[i]))
                }
            }
            guard let total = riket[g] else { continue }
            if statedSet[(g * n)..<((g + 1) * n)].allSatisfy({ $0 }) {
                let sum = stated[(g * n)..<((g + 1) * n)].reduce(0, +)
                if sum != total { regionMismatches.append(Mismatch(code: .riketSumMismatch, what: "the 21 län for \(label)", total: total, sum: sum, line: riketLines[g])) }
            } else if kommunCounts[g] == registry.municipalities.count, allSums[g] != total {
                regionMismatches.append(Mismatch(code: .riketSumMismatch, what: "the 290 kommuner for \(label)", total: total, sum: allSums[g], line: riketLines[g]))
            }
        }
    }

    /// The findings, once the stream has ended (meaningful only when `settled`).
    public var findings: [ReportFinding] {
        var periods: [String] = []
        var ages: [String] = []
        if let p = keys.dimensions.firstIndex(of: "period") { periods = keys.values[p] }
        if let a { ages = keys.values[a] }
        let ckm = PopulationChecks.usesCellKeyMethod(periods: periods, ages: ages, metadata: metadata)
        return (sexMismatches + ageMismatches + regionMismatches).map { m in
            PopulationChecks.finding(m.code, m.what, total: m.total, sum: m.sum, line: m.line, file: metadata.source, ckm: ckm)
        }
    }
}
