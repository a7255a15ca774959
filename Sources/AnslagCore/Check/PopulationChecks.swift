/// The internal totals of a population table, checked wherever the table holds both sides:
/// men + women = total; the single ages sum to "total"; a county's kommuner sum to the
/// county; the counties (or all kommuner) sum to Riket.
///
/// Tables from 2025 on carry SCB's Cell Key Method noise, so their parts need not add up; for
/// them the deviations are reported as information with their size, not as errors.
///
/// Each check makes one pass over the observations with the other dimensions' values packed
/// into one integer key, so a table of millions of observations checks in a fraction of a second.
/// What a group keeps and when it disagrees is `PopulationRules`, which the streamed pass
/// (`PopulationCheckStream`) applies too.
public enum PopulationChecks {
    public static func run(_ table: PopulationTable, registry: RegionRegistry = .bundled) -> [ReportFinding] {
        var mismatches: [PopulationRules.Mismatch] = []
        let keys = KeyPacker(table)

        if let d = table.index(of: "sex") {
            var groups: [Int: (group: PopulationRules.SexGroup, first: Int)] = [:]
            var order: [Int] = []
            for (n, o) in table.observations.enumerated() {
                guard let v = o.value else { continue }
                let k = keys.key(n, excluding: d)
                if groups[k] == nil { groups[k] = (PopulationRules.SexGroup(), n); order.append(k) }
                groups[k]!.group.add(PopulationRules.SexKind(o.keys[d]), v, line: o.line)
            }
            for k in order {
                let g = groups[k]!
                if let m = g.group.mismatch({ keys.label(g.first, excluding: d) }) { mismatches.append(m) }
            }
        }
        if let d = table.index(of: "age") {
            var groups: [Int: (group: PopulationRules.AgeGroup, first: Int)] = [:]
            var order: [Int] = []
            for (n, o) in table.observations.enumerated() {
                guard let v = o.value else { continue }
                let k = keys.key(n, excluding: d)
                if groups[k] == nil { groups[k] = (PopulationRules.AgeGroup(), n); order.append(k) }
                groups[k]!.group.add(PopulationRules.AgeKind(o.keys[d]), v, line: o.line)
            }
            for k in order {
                let g = groups[k]!
                if let m = g.group.mismatch({ keys.label(g.first, excluding: d) }) { mismatches.append(m) }
            }
        }
        if let d = table.index(of: "region") {
            let regions = PopulationRules.Regions(registry)
            let n = regions.counties.count
            struct Group {
                var stated: [(value: Int64, line: Int)?]; var sums: [Int64]; var seen: [Set<String>]
                var riket: (value: Int64, line: Int)?; var first = 0; var allSum: Int64 = 0
                init(_ n: Int, first: Int) {
                    stated = Array(repeating: nil, count: n); sums = Array(repeating: 0, count: n)
                    seen = Array(repeating: [], count: n); self.first = first
                }
            }
            var groups: [Int: Group] = [:]
            var order: [Int] = []
            for (i, o) in table.observations.enumerated() {
                guard let v = o.value else { continue }
                let code = o.keys[d]
                let k = keys.key(i, excluding: d)
                if groups[k] == nil { groups[k] = Group(n, first: i); order.append(k) }
                switch regions.kind(code) {
                case .riket: if groups[k]!.riket == nil { groups[k]!.riket = (v, o.line) }
                case .county(let c): if groups[k]!.stated[c] == nil { groups[k]!.stated[c] = (v, o.line) }
                case .kommun(let c):
                    if groups[k]!.seen[c].insert(code).inserted {
                        groups[k]!.sums[c] += v
                        groups[k]!.allSum += v
                    }
                case .other: break
                }
            }
            for k in order {
                let g = groups[k]!
                mismatches += regions.mismatches(label: keys.label(g.first, excluding: d), stated: { g.stated[$0] }, sum: { g.sums[$0] },
                                                 seen: { g.seen[$0].count }, riket: g.riket,
                                                 kommunerSeen: g.seen.reduce(0, { $0 + $1.count }), allSum: g.allSum)
            }
        }
        let ckm = usesCellKeyMethod(table)
        return mismatches.map { $0.finding(file: table.metadata.source, ckm: ckm) }
    }

    /// Packs an observation's dimension values, all but one, into one integer (mixed radix over
    /// each dimension's distinct values).
    struct KeyPacker {
        let table: PopulationTable
        var ids: [[Int32]]          // per observation, per dimension
        var radix: [Int]
        /// Whether the packed key fits in an Int; when it does not, keys are numbered instead.
        let fits: Bool
        private let numbering = Numbering()

        final class Numbering { var keys: [[Int32]: Int] = [:] }

        init(_ table: PopulationTable) {
            self.table = table
            let n = table.dimensions.count
            var maps = [[String: Int32]](repeating: [:], count: n)
            ids = []
            ids.reserveCapacity(table.observations.count)
            for o in table.observations {
                var row = [Int32](repeating: 0, count: n)
                for i in 0..<n {
                    let k = o.keys[i]
                    if let id = maps[i][k] { row[i] = id } else { let id = Int32(maps[i].count); maps[i][k] = id; row[i] = id }
                }
                ids.append(row)
            }
            radix = maps.map { max($0.count, 1) }
            var product = 1
            var ok = true
            for r in radix {
                let (p, overflow) = product.multipliedReportingOverflow(by: r)
                if overflow { ok = false; break }
                product = p
            }
            fits = ok
        }

        @inline(__always)
        func key(_ n: Int, excluding d: Int) -> Int {
            guard fits else {
                var row = ids[n]
                row[d] = -1
                if let k = numbering.keys[row] { return k }
                let k = numbering.keys.count
                numbering.keys[row] = k
                return k
            }
            var k = 0
            let row = ids[n]
            for i in 0..<row.count where i != d { k = k &* radix[i] &+ Int(row[i]) }
            return k
        }

        func label(_ n: Int, excluding d: Int) -> String {
            let o = table.observations[n]
            let parts = table.dimensions.indices.filter { $0 != d }.map { "\(table.dimensions[$0])=\(o.keys[$0])" }
            return parts.isEmpty ? "the table" : parts.joined(separator: ", ")
        }
    }

    /// SCB perturbs tables published from 2025 on (Cell Key Method); such tables say so in
    /// their labels ("totalt, samtliga åldrar", the age "100+1") or cover 2025 or later.
    public static func usesCellKeyMethod(_ table: PopulationTable) -> Bool {
        usesCellKeyMethod(periods: table.values(of: "period"), ages: table.values(of: "age"), metadata: table.metadata)
    }

    static func usesCellKeyMethod(periods: [String], ages: [String], metadata: PopulationTable.Metadata) -> Bool {
        if metadata.cellKeyMethod { return true }
        for p in periods where Int(p.prefix(4)).map({ $0 >= 2025 }) ?? false { return true }
        if ages.contains("100+1") { return true }
        let text = TextFold.fold((metadata.title ?? "") + " " + metadata.notes.joined(separator: " "))
        return text.contains("samtliga aldrar") || text.contains("cell key") || text.contains("ckm")
    }
}
