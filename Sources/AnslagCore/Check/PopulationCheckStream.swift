/// `PopulationChecks` for a table that streams past, in memory that does not grow with the
/// number of rows: SCB tables list each region's rows together, so the men + women and the
/// age checks of a region are settled when the next region starts; the region sums keep one
/// running total per combination of the other dimensions (the table's width, not its length).
///
/// When a table is not in that order (a region comes back) or too wide to pack its keys,
/// `settled` is false and the caller runs `PopulationChecks` over the whole table instead.
public final class PopulationCheckStream: PopulationSink {
    private var keys: PopulationKeys!
    private var metadata = PopulationTable.Metadata(source: "")
    private var r: Int? = nil, s: Int? = nil, a: Int? = nil
    public private(set) var settled = true

    private var sexMismatches: [PopulationRules.Mismatch] = []
    private var ageMismatches: [PopulationRules.Mismatch] = []
    private var regionMismatches: [PopulationRules.Mismatch] = []

    // Groups live in arrays; a dictionary maps a packed key to its index.
    private var sexIndex = IntTable(), sexGroups: [PopulationRules.SexGroup] = [], sexKeys: [UInt64] = []
    private var ageIndex = IntTable(), ageGroups: [PopulationRules.AgeGroup] = [], ageKeys: [UInt64] = []
    private var regionIndex = IntTable(capacity: 16_384), regionKeys: [UInt64] = []
    // Region sums, flat: group × county.
    private var stated: [Int64] = [], statedSet: [Bool] = [], statedLines: [Int] = []
    private var sums: [Int64] = [], counts: [Int32] = []
    private var riket: [Int64?] = [], riketLines: [Int] = [], kommunCounts: [Int] = [], allSums: [Int64] = []
    // What each id of the sex, age and region dimensions means, worked out once.
    private var sexKinds: [PopulationRules.SexKind] = []
    private var ageKinds: [PopulationRules.AgeKind] = []
    private var regionKinds: [PopulationRules.RegionKind] = []
    private let regions: PopulationRules.Regions
    private var currentRegion: Int32 = -1
    private var finishedRegions: Set<Int32> = []
    /// The keys the current region has counted (a row given twice counts once).
    private var blockKeys = IntTable(capacity: 16_384)

    public init(registry: RegionRegistry = .bundled) {
        regions = PopulationRules.Regions(registry)
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

    private func kind(of id: Int32) -> PopulationRules.RegionKind {
        while regionKinds.count <= Int(id) { regionKinds.append(regions.kind(keys.value(Int32(regionKinds.count), dimension: r!))) }
        return regionKinds[Int(id)]
    }

    @inline(__always)
    private func sexKind(_ id: Int32) -> PopulationRules.SexKind {
        while sexKinds.count <= Int(id) { sexKinds.append(PopulationRules.SexKind(keys.value(Int32(sexKinds.count), dimension: s!))) }
        return sexKinds[Int(id)]
    }

    @inline(__always)
    private func ageKind(_ id: Int32) -> PopulationRules.AgeKind {
        while ageKinds.count <= Int(id) { ageKinds.append(PopulationRules.AgeKind(keys.value(Int32(ageKinds.count), dimension: a!))) }
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
            let g = Int(sexIndex.value(for: k) { sexGroups.append(PopulationRules.SexGroup()); sexKeys.append(k); return Int32(sexGroups.count - 1) })
            sexGroups[g].add(sexKind(ids[s]), v, line: line)
        }
        if let a {
            guard let k = pack(ids, excluding: a) else { settled = false; return }
            let g = Int(ageIndex.value(for: k) { ageGroups.append(PopulationRules.AgeGroup()); ageKeys.append(k); return Int32(ageGroups.count - 1) })
            ageGroups[g].add(ageKind(ids[a]), v, line: line)
        }
        if let r {
            let kindOf = kind(of: ids[r])
            if case .other = kindOf { return }
            guard let k = pack(ids, excluding: r) else { settled = false; return }
            let n = regions.counties.count
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
                if let m = g.mismatch({ unpackLabel(sexKeys[i], excluding: s) }) { sexMismatches.append(m) }
            }
            sexGroups.removeAll(keepingCapacity: true); sexKeys.removeAll(keepingCapacity: true); sexIndex.removeAll()
        }
        if let a {
            for (i, g) in ageGroups.enumerated() {
                if let m = g.mismatch({ unpackLabel(ageKeys[i], excluding: a) }) { ageMismatches.append(m) }
            }
            ageGroups.removeAll(keepingCapacity: true); ageKeys.removeAll(keepingCapacity: true); ageIndex.removeAll()
        }
    }

    public func end(metadata: PopulationTable.Metadata) throws {
        self.metadata = metadata
        guard settled else { return }
        settleRegionBlock()
        guard let r else { return }
        let n = regions.counties.count
        for (g, k) in regionKeys.enumerated() {
            let base = g * n
            regionMismatches += regions.mismatches(label: unpackLabel(k, excluding: r),
                stated: { self.statedSet[base + $0] ? (self.stated[base + $0], self.statedLines[base + $0]) : nil },
                sum: { self.sums[base + $0] }, seen: { Int(self.counts[base + $0]) },
                riket: riket[g].map { ($0, riketLines[g]) }, kommunerSeen: kommunCounts[g], allSum: allSums[g])
        }
    }

    /// The findings, once the stream has ended (meaningful only when `settled`).
    public var findings: [ReportFinding] {
        var periods: [String] = []
        var ages: [String] = []
        if let p = keys.dimensions.firstIndex(of: "period") { periods = keys.values[p] }
        if let a { ages = keys.values[a] }
        let ckm = PopulationChecks.usesCellKeyMethod(periods: periods, ages: ages, metadata: metadata)
        return (sexMismatches + ageMismatches + regionMismatches).map { $0.finding(file: metadata.source, ckm: ckm) }
    }
}
