/// The internal totals of a population table, checked wherever the table holds both sides:
/// men + women = total; the single ages sum to "total"; a county's kommuner sum to the
/// county; the counties (or all kommuner) sum to Riket.
///
/// Tables from 2025 on carry SCB's Cell Key Method noise, so their parts need not add up; for
/// them the deviations are reported as information with their size, not as errors.
public enum PopulationChecks {
    public static func run(_ table: PopulationTable, registry: RegionRegistry = .bundled) -> [Finding] {
        let ckm = usesCellKeyMethod(table)
        var findings: [Finding] = []
        let file = table.metadata.source
        func report(_ code: String, _ what: String, total: Int64, sum: Int64, line: Int) {
            let diff = total - sum
            if ckm {
                findings.append(Finding(severity: .info, code: "ckm-deviation",
                    message: "\(what): parts sum to \(sum), total is \(total), a deviation of \(diff) (Cell Key Method noise)",
                    location: "\(file): line \(line)", expected: sum, actual: total))
            } else {
                findings.append(Finding(severity: .error, code: code,
                    message: "\(what): parts sum to \(sum) but the total says \(total) (difference \(diff))",
                    location: "\(file): line \(line)", expected: sum, actual: total))
            }
        }

        if let d = table.index(of: "sex") {
            for (label, members) in groups(table, excluding: d) {
                guard let total = members["total"], let m = members["male"], let f = members["female"] else { continue }
                if m.value + f.value != total.value {
                    report("sex-sum-mismatch", "men + women for \(label)", total: total.value, sum: m.value + f.value, line: total.line)
                }
            }
        }
        if let d = table.index(of: "age") {
            for (label, members) in groups(table, excluding: d) {
                guard let total = members["total"] else { continue }
                let singles = members.keys.compactMap { Int($0) }.sorted()
                guard singles.count >= 2, singles.first == 0, singles.last! - singles.first! + 1 == singles.count else { continue }
                let openEnded = members.keys.filter { $0.hasSuffix("+") }
                if openEnded.count > 1 { continue }
                if let top = openEnded.first, Int(top.dropLast()) != singles.last! + 1 { continue }
                // Bands beside single ages would count twice: leave such tables alone.
                if members.keys.contains(where: { $0.contains("-") }) { continue }
                let sum = singles.reduce(Int64(0)) { $0 + members[String($1)]!.value } + (openEnded.first.map { members[$0]!.value } ?? 0)
                if sum != total.value {
                    report("age-sum-mismatch", "the ages \(singles.first!)–\(openEnded.first ?? String(singles.last!)) for \(label)",
                           total: total.value, sum: sum, line: total.line)
                }
            }
        }
        if let d = table.index(of: "region") {
            let counties = registry.counties.map(\.code)
            for (label, members) in groups(table, excluding: d) {
                for county in counties {
                    guard let total = members[county] else { continue }
                    let kommuner = registry.municipalities(inCounty: county).map(\.code)
                    guard !kommuner.isEmpty, kommuner.allSatisfy({ members[$0] != nil }) else { continue }
                    let sum = kommuner.reduce(Int64(0)) { $0 + members[$1]!.value }
                    if sum != total.value {
                        report("county-sum-mismatch", "the kommuner of \(county) \(registry.region(code: county)?.name ?? "") for \(label)",
                               total: total.value, sum: sum, line: total.line)
                    }
                }
                guard let riket = members["00"] else { continue }
                if counties.allSatisfy({ members[$0] != nil }) {
                    let sum = counties.reduce(Int64(0)) { $0 + members[$1]!.value }
                    if sum != riket.value { report("riket-sum-mismatch", "the 21 län for \(label)", total: riket.value, sum: sum, line: riket.line) }
                } else {
                    let all = registry.municipalities.map(\.code)
                    if all.allSatisfy({ members[$0] != nil }) {
                        let sum = all.reduce(Int64(0)) { $0 + members[$1]!.value }
                        if sum != riket.value { report("riket-sum-mismatch", "the 290 kommuner for \(label)", total: riket.value, sum: sum, line: riket.line) }
                    }
                }
            }
        }
        return findings
    }

    struct Member { var value: Int64; var line: Int }

    /// Observations with a whole-number value, grouped by every key but `excluded`; each group
    /// maps the excluded dimension's value to the observation. The label names the group.
    static func groups(_ table: PopulationTable, excluding excluded: Int) -> [(String, [String: Member])] {
        var index: [[String]: Int] = [:]
        var out: [(String, [String: Member])] = []
        for o in table.observations {
            guard let v = o.value else { continue }
            var key = o.keys
            key.remove(at: excluded)
            let g: Int
            if let existing = index[key] {
                g = existing
            } else {
                g = out.count
                index[key] = g
                let label = zip(table.dimensions.enumerated().filter { $0.offset != excluded }.map(\.element), key)
                    .map { "\($0)=\($1)" }.joined(separator: ", ")
                out.append((label.isEmpty ? "the table" : label, [:]))
            }
            if out[g].1[o.keys[excluded]] == nil { out[g].1[o.keys[excluded]] = Member(value: v, line: o.line) }
        }
        return out
    }

    /// SCB perturbs tables published from 2025 on (Cell Key Method); such tables say so in
    /// their labels ("totalt, samtliga åldrar", the age "100+1") or cover 2025 or later.
    public static func usesCellKeyMethod(_ table: PopulationTable) -> Bool {
        if let d = table.index(of: "period") {
            for p in table.values(of: "period") where Int(p.prefix(4)).map({ $0 >= 2025 }) ?? false { _ = d; return true }
        }
        if table.values(of: "age").contains("100+1") { return true }
        let text = RegionRegistry.fold((table.metadata.title ?? "") + " " + table.metadata.notes.joined(separator: " "))
        return text.contains("samtliga aldrar") || text.contains("cell key") || text.contains("ckm")
    }
}
