/// The internal totals of a population table, checked wherever the table holds both sides:
/// men + women = total; the single ages sum to "total"; a county's kommuner sum to the
/// county; the counties (or all kommuner) sum to Riket.
///
/// Tables from 2025 on carry SCB's Cell Key Method noise, so their parts need not add up; for
/// them the deviations are reported as information with their size, not as errors.
///
/// Each check makes one pass over the observations with the other dimensions' values packed
/// into one integer key, so a table of millions of observations checks in a fraction of a second.
public enum PopulationChecks {
    public static func run(_ table: PopulationTable, registry: RegionRegistry = .bundled) -> [ReportFinding] {
        let ckm = usesCellKeyMethod(table)
        var findings: [ReportFinding] = []
        let file = table.metadata.source
        let keys = KeyPacker(table)
        func report(_ code: FindingCode, _ what: String, total: Int64, sum: Int64, line: Int) {
            findings.append(finding(code, what, total: total, sum: sum, line: line, file: file, ckm: ckm))
        }

        if let d = table.index(of: "sex") {
            struct Group { var male: Int64?; var female: Int64?; var total: Int64?; var line = 0; var first = 0 }
            var groups: [Int: Group] = [:]
            var order: [Int] = []
            for (n, o) in table.observations.enumerated() {
                guard let v = o.value else { continue }
                let k = keys.key(n, excluding: d)
                if groups[k] == nil { groups[k] = Group(first: n); order.append(k) }
                switch o.keys[d] {
                case "male": if groups[k]!.male == nil { groups[k]!.male = v }
                case "female": if groups[k]!.female == nil { groups[k]!.female = v }
                case "total": if groups[k]!.total == nil { groups[k]!.total = v; groups[k]!.line = o.line }
                default: break
                }
            }
            for k in order {
                let g = groups[k]!
                guard let m = g.male, let f = g.female, let t = g.total, m + f != t else { continue }
                report(.sexSumMismatch, "men + women for \(keys.label(g.first, excluding: d))", total: t, sum: m + f, line: g.line)
            }
        }
        if let d = table.index(of: "age") {
            struct Group { var singles: [Int: Int64] = [:]; var open: [(Int, Int64)] = []; var band = false
                           var total: Int64?; var line = 0; var first = 0 }
            var groups: [Int: Group] = [:]
            var order: [Int] = []
            for (n, o) in table.observations.enumerated() {
                guard let v = o.value else { continue }
                let k = keys.key(n, excluding: d)
                if groups[k] == nil { groups[k] = Group(first: n); order.append(k) }
                let label = o.keys[d]
                if label == "total" {
                    if groups[k]!.total == nil { groups[k]!.total = v; groups[k]!.line = o.line }
                } else if let a = Int(label) {
                    if groups[k]!.singles[a] == nil { groups[k]!.singles[a] = v }
                } else if label.hasSuffix("+"), let a = Int(label.dropLast()) {
                    groups[k]!.open.append((a, v))
                } else {
                    groups[k]!.band = true
                }
            }
            for k in order {
                let g = groups[k]!
                guard let total = g.total, !g.band, g.open.count <= 1, g.singles.count >= 2 else { continue }
                let ages = g.singles.keys.sorted()
                guard ages.first == 0, ages.last! + 1 == ages.count else { continue }
                if let top = g.open.first, top.0 != ages.last! + 1 { continue }
                let sum = g.singles.values.reduce(0, +) + (g.open.first?.1 ?? 0)
                if sum != total {
                    let top = g.open.first.map { "\($0.0)+" } ?? String(ages.last!)
                    report(.ageSumMismatch, "the ages 0–\(top) for \(keys.label(g.first, excluding: d))", total: total, sum: sum, line: g.line)
                }
            }
        }
        if let d = table.index(of: "region") {
            let counties = registry.counties.map(\.code)
            let countyIndex = Dictionary(uniqueKeysWithValues: counties.enumerated().map { ($1, $0) })
            var kommunerOf = [[String]](repeating: [], count: counties.count)
            var kommunCounty: [String: Int] = [:]
            for k in registry.municipalities { if let c = countyIndex[k.county] { kommunerOf[c].append(k.code); kommunCounty[k.code] = c } }
            let allKommuner = registry.municipalities.count
            struct Group {
                var stated: [Int64?]; var lines: [Int]; var sums: [Int64]; var seen: [Set<String>]
                var riket: Int64?; var riketLine = 0; var first = 0; var allSum: Int64 = 0
                init(_ n: Int, first: Int) {
                    stated = Array(repeating: nil, count: n); lines = Array(repeating: 0, count: n)
                    sums = Array(repeating: 0, count: n); seen = Array(repeating: [], count: n); self.first = first
                }
            }
            var groups: [Int: Group] = [:]
            var order: [Int] = []
            for (n, o) in table.observations.enumerated() {
                guard let v = o.value else { continue }
                let code = o.keys[d]
                let k = keys.key(n, excluding: d)
                if groups[k] == nil { groups[k] = Group(counties.count, first: n); order.append(k) }
                if code == "00" {
                    if groups[k]!.riket == nil { groups[k]!.riket = v; groups[k]!.riketLine = o.line }
                } else if let c = countyIndex[code] {
                    if groups[k]!.stated[c] == nil { groups[k]!.stated[c] = v; groups[k]!.lines[c] = o.line }
                } else if let c = kommunCounty[code], groups[k]!.seen[c].insert(code).inserted {
                    groups[k]!.sums[c] += v
                    groups[k]!.allSum += v
                }
            }
            for k in order {
                let g = groups[k]!
                let label = keys.label(g.first, excluding: d)
                for c in counties.indices {
                    guard let stated = g.stated[c], !kommunerOf[c].isEmpty, g.seen[c].count == kommunerOf[c].count else { continue }
                    if g.sums[c] != stated {
                        report(.countySumMismatch, "the kommuner of \(counties[c]) \(registry.region(code: counties[c])?.name ?? "") for \(label)",
                               total: stated, sum: g.sums[c], line: g.lines[c])
                    }
                }
                guard let riket = g.riket else { continue }
                if g.stated.allSatisfy({ $0 != nil }) {
                    let sum = g.stated.reduce(Int64(0)) { $0 + $1! }
                    if sum != riket { report(.riketSumMismatch, "the 21 län for \(label)", total: riket, sum: sum, line: g.riketLine) }
                } else if g.seen.reduce(0, { $0 + $1.count }) == allKommuner, g.allSum != riket {
                    report(.riketSumMismatch, "the 290 kommuner for \(label)", total: riket, sum: g.allSum, line: g.riketLine)
                }
            }
        }
        return findings
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

    /// A mismatch as a finding: an error, or information about Cell Key Method noise.
    static func finding(_ code: FindingCode, _ what: String, total: Int64, sum: Int64, line: Int, file: String, ckm: Bool) -> ReportFinding {
        let diff = total - sum
        if ckm {
            return ReportFinding(code: .ckmDeviation, severity: .info, file: file, place: "line \(line)", statedCount: total, computedCount: sum,
                message: "\(what): parts sum to \(sum), total is \(total), a deviation of \(diff) (Cell Key Method noise)")
        }
        return ReportFinding(code: code, severity: .error, file: file, place: "line \(line)", statedCount: total, computedCount: sum,
            message: "\(what): parts sum to \(sum) but the total says \(total) (difference \(diff))")
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
