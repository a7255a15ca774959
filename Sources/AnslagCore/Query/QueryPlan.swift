/// A `PopulationQuery` worked out against one table, step by step: which period, regions,
/// sexes, ages and values of the other dimensions count, each checked to be exactly what the
/// query asks; then the sums.
struct QueryPlan {
    let query: PopulationQuery
    let table: PopulationTable
    let registry: RegionRegistry
    let regionIndex: Int
    /// Per dimension, the keys that count (nil: every key, the dimension is kept as it is).
    var accepted: [Set<String>?]
    /// Dimensions summed away in the output (age and sex).
    var collapsed: Set<Int> = []
    var notes: [String] = []

    init(_ query: PopulationQuery, table: PopulationTable, registry: RegionRegistry) throws {
        self.query = query; self.table = table; self.registry = registry
        guard let r = table.index(of: "region") else { throw QueryError("the table has no region dimension") }
        regionIndex = r
        accepted = Array(repeating: nil, count: table.dimensions.count)
        try checkSelectionsExist()
        try choosePeriod()
        try chooseRegions()
        try chooseSex()
        try chooseAges()
        try chooseOthers()
    }

    // MARK: Steps

    /// A selection must name a dimension the table has, under its key or an alias.
    func checkSelectionsExist() throws {
        for (name, _) in query.selections where dimension(named: name) == nil {
            let own = ["region", "age", "sex", "period"].contains(TextFold.fold(name)) || Self.roleAliases[TextFold.fold(name)] != nil
            if own { throw QueryError("choose \(name) with its own option", remedy: .ownSelection) }
            throw QueryError("the table has no dimension \(name); it has \(table.dimensions.joined(separator: ", "))")
        }
    }

    mutating func choosePeriod() throws {
        let p = table.index(of: "period")
        guard let period = query.period else { return }
        guard let p else {
            let ref = table.metadata.referencePeriod.map { " (it refers to \($0))" } ?? ""
            throw QueryError("the table has no period dimension to choose \(period) from\(ref)")
        }
        let periods = table.values(of: "period")
        guard periods.contains(period) else {
            throw QueryError("the table has no period \(period); it has \(Self.list(periods))")
        }
        accepted[p] = [period]
    }

    mutating func chooseRegions() throws {
        guard let wanted = query.regions else { return }
        let present = Set(table.values(of: "region"))
        let missing = wanted.filter { !present.contains($0) }
        if !missing.isEmpty {
            throw QueryError("the table has no region \(missing.prefix(5).joined(separator: ", "))\(missing.count > 5 ? ", …" : ""); it has \(present.count) regions (\(Self.list(table.values(of: "region"))))")
        }
        accepted[regionIndex] = Set(wanted)
    }

    /// One sex, or the total: the table's `total`, else men + women when both are there.
    mutating func chooseSex() throws {
        guard let s = table.index(of: "sex") else {
            if query.sex != "total" {
                throw QueryError("the table has no sex dimension (it has \(table.dimensions.joined(separator: ", "))); it cannot answer for \(query.sex == "female" ? "women" : query.sex == "male" ? "men" : query.sex)")
            }
            return
        }
        collapsed.insert(s)
        let sexes = Set(table.values(of: "sex"))
        if query.sex != "total" {
            guard sexes.contains(query.sex) else { throw QueryError("the table has no sex \(query.sex); it has \(Self.list(table.values(of: "sex")))") }
            accepted[s] = [query.sex]
        } else if sexes.contains("total") {
            accepted[s] = ["total"]
        } else if sexes.contains("male") && sexes.contains("female") {
            accepted[s] = ["male", "female"]
        } else {
            throw QueryError("the table's sex dimension has \(Self.list(table.values(of: "sex"))): no total, and not both men and women to add up")
        }
    }

    /// The age groups that make up the band exactly, or the total.
    mutating func chooseAges() throws {
        guard let a = table.index(of: "age") else {
            if case .band = query.ages { throw QueryError("the table has no age dimension for the age band \(query.ages.label)") }
            return
        }
        collapsed.insert(a)
        let labels = table.values(of: "age")
        switch query.ages {
        case .total:
            if labels.contains("total") { accepted[a] = ["total"]; return }
            accepted[a] = try AgeCover.cover(lo: 0, hi: nil, labels: labels, asked: "every age (the table has no total age)")
        case .band(let lo, let hi):
            if labels.contains(query.ages.label) { accepted[a] = [query.ages.label]; return }
            accepted[a] = try AgeCover.cover(lo: lo, hi: hi, labels: labels, asked: query.ages.label)
        }
    }

    /// Every other dimension: the value the query selects (by code or text), its only value,
    /// or its total; otherwise refused, naming it.
    mutating func chooseOthers() throws {
        for (d, name) in table.dimensions.enumerated() where !["region", "age", "sex", "period"].contains(name) {
            let values = table.values(of: name)
            let labels = table.metadata.valueLabels[name] ?? [:]
            if let (_, wanted) = query.selections.first(where: { dimension(named: $0.key) == d }) {
                let f = TextFold.fold(wanted)
                guard let v = values.first(where: { $0 == wanted }) ?? values.first(where: { TextFold.fold($0) == f || labels[$0].map(TextFold.fold) == f }) else {
                    throw QueryError("the dimension \(name) has no value \(wanted); it has \(Self.list(values.map { v in labels[v].map { "\(v) \($0)" } ?? v }))")
                }
                accepted[d] = [v]
                notes.append("\(name)=\(v)")
                continue
            }
            if values.count <= 1 { continue }
            if let total = values.first(where: { Self.isTotal($0) || labels[$0].map(Self.isTotal) == true }), name != "contents" {
                accepted[d] = [total]
                notes.append("\(name)=\(total)")
                continue
            }
            let shown = Self.list(values.map { v in labels[v].map { "\(v) \($0)" } ?? v })
            throw QueryError("the table has a dimension \(name) with several values (\(shown)) and no total", remedy: .chooseValue(dimension: name))
        }
    }

    // MARK: The answer

    func answer() throws -> PopulationTable {
        let kept = table.dimensions.indices.filter { !collapsed.contains($0) }
        var sums: [[String]: (value: Int64?, line: Int)] = [:]
        var order: [[String]] = []
        observations: for o in table.observations {
            for (d, set) in accepted.enumerated() { if let set, !set.contains(o.keys[d]) { continue observations } }
            var key = kept.map { o.keys[$0] }
            if query.byCounty {
                guard let r = registry.region(code: key[0]), r.kind == .kommun else { continue }
                key[0] = r.county
            }
            if let existing = sums[key] {
                sums[key] = (existing.value.flatMap { a in o.value.map { a + $0 } }, existing.line)
            } else {
                sums[key] = (o.value, o.line)
                order.append(key)
            }
        }
        if query.byCounty { try checkCounties(order) }
        var out = PopulationTable(metadata: table.metadata, dimensions: kept.map { table.dimensions[$0] })
        if out.metadata.referencePeriod == nil, let p = query.period { out.metadata.referencePeriod = p }
        let extra = notes.isEmpty ? "" : ", " + notes.joined(separator: ", ")
        out.metadata.notes.append("query: period \(query.period ?? "all"), age \(query.ages.label), sex \(query.sex)\(extra)\(query.byCounty ? ", kommuner summed to län" : "")")
        for key in order {
            let s = sums[key]!
            out.observations.append(Observation(keys: key, value: s.value, symbol: s.value == nil ? ".." : nil, line: s.line))
        }
        for code in Set(order.map { $0[0] }) {
            out.regionNames[code] = query.byCounty ? registry.region(code: code)?.name : (table.regionNames[code] ?? registry.region(code: code)?.name)
        }
        return out
    }

    /// A county is summed only from all of its kommuner.
    func checkCounties(_ order: [[String]]) throws {
        let present = Set(table.observations.map { $0.keys[regionIndex] })
        for county in Set(order.map { $0[0] }).sorted() {
            let missing = registry.municipalities(inCounty: county).map(\.code).filter { !present.contains($0) }
            if !missing.isEmpty {
                throw QueryError("län \(county) cannot be summed: the table lacks its kommuner \(missing.prefix(5).joined(separator: ", "))\(missing.count > 5 ? ", …" : "")")
            }
        }
    }

    // MARK: Helpers

    static let roleAliases: [String: String] = ["alder": "age", "kon": "sex", "tid": "period", "ar": "period", "manad": "period"]
    static let contentsAliases: Set<String> = ["contents", "contentscode", "tabellinnehall", "innehall"]

    /// The table's dimension a selection names: its key, its folded code, or (for contents)
    /// the names SCB uses.
    func dimension(named name: String) -> Int? {
        let f = TextFold.fold(name)
        if let i = table.dimensions.firstIndex(where: { $0 == name || $0 == ScbLabels.dimensionCode(name) }),
           !["region", "age", "sex", "period"].contains(table.dimensions[i]) { return i }
        if Self.contentsAliases.contains(f) { return table.index(of: "contents") }
        return nil
    }

    static func isTotal(_ s: String) -> Bool {
        ["total", "totalt", "tot", "samtliga", "alla", "summa", "all", "overall"].contains(TextFold.fold(s))
            || TextFold.fold(s).hasPrefix("totalt ")
    }

    static func list(_ values: [String]) -> String {
        values.prefix(12).joined(separator: ", ") + (values.count > 12 ? ", … (\(values.count) in all)" : "")
    }
}

/// Which of a table's age groups make up an age band exactly: single ages, bands (`45-54`)
/// and the open-ended oldest group (`100+`), each inside the band, together covering every age
/// of it once.
enum AgeCover {
    enum Group: Equatable { case span(Int, Int), open(Int) }

    static func parse(_ label: String) -> Group? {
        if let v = Int(label), v >= 0 { return .span(v, v) }
        if label.hasSuffix("+"), let n = Int(label.dropLast()), n >= 0 { return .open(n) }
        let parts = label.split(separator: "-")
        if parts.count == 2, let a = Int(parts[0]), let b = Int(parts[1]), a <= b, a >= 0 { return .span(a, b) }
        return nil
    }

    /// Walks the band from `lo`, each step taking the narrowest group that starts there and
    /// stays inside; a gap or a group straddling the band's end refuses the query.
    static func cover(lo: Int, hi: Int?, labels: [String], asked: String) throws -> Set<String> {
        let groups = labels.compactMap { l in parse(l).map { (l, $0) } }
        var chosen: Set<String> = []
        var x = lo
        while hi.map({ x <= $0 }) ?? true {
            var best: (String, Int?)?
            for (label, g) in groups {
                switch g {
                case .span(let a, let b) where a == x && (hi.map { b <= $0 } ?? true):
                    if best == nil || (best!.1 ?? Int.max) > b { best = (label, b) }
                case .open(let a) where a == x && hi == nil:
                    if best == nil { best = (label, nil) }
                default: break
                }
            }
            guard let (label, end) = best else { throw refusal(at: x, lo: lo, hi: hi, groups: groups, labels: labels, asked: asked) }
            chosen.insert(label)
            guard let end else { return chosen }
            x = end + 1
        }
        return chosen
    }

    static func refusal(at x: Int, lo: Int, hi: Int?, groups: [(String, Group)], labels: [String], asked: String) -> QueryError {
        let has = "the table's ages are \(summary(labels))"
        for (label, g) in groups {
            switch g {
            case .span(let a, let b) where a <= x && b >= x && (a < x || (hi.map { b > $0 } ?? false)):
                return QueryError("the age band \(label) straddles \(asked); \(has); choose a band the table's groups fit")
            case .open(let a) where a <= x || (hi != nil && a <= hi!):
                if hi != nil && a <= hi! {
                    return QueryError("the age group \(label) is open-ended; it cannot be split to fit \(asked); \(has)")
                }
            default: break
            }
        }
        if hi == nil && x > lo {
            return QueryError("\(asked) is not covered exactly: the table has no age \(x) or older group (\(x)+); \(has)")
        }
        return QueryError("\(asked) is not covered exactly: the table has no age \(x); \(has)")
    }

    /// `0–99, 100+, total`: runs of single ages shortened.
    static func summary(_ labels: [String]) -> String {
        var singles = labels.compactMap { Int($0) }.sorted()
        var parts: [String] = []
        while let first = singles.first {
            var last = first
            var n = 1
            while n < singles.count, singles[n] == last + 1 { last = singles[n]; n += 1 }
            parts.append(first == last ? "\(first)" : "\(first)–\(last)")
            singles.removeFirst(n)
        }
        parts += labels.filter { Int($0) == nil }
        return parts.joined(separator: ", ")
    }
}
