/// A table's variables as PxWeb API v2's `/tables/{id}/metadata` gives them (JSON-stat 2.0
/// without values), and a `PopulationFetch` resolved against them: a list of value codes per
/// variable sent, or the variable left out for the API to eliminate (sum) where it may.
struct PxWebVariable {
    var code: String
    var label: String
    var values: [String]
    var labels: [String: String]
    var elimination: Bool
    /// region, age, sex, period or nil.
    var role: String?
}

enum PxWebSelection {
    static func variables(_ meta: JSONValue, query: String) throws -> [PxWebVariable] {
        guard let ids = meta["id"]?.array?.compactMap(\.string), let dims = meta["dimension"], !ids.isEmpty else {
            throw FetchError("\(query): the metadata is not JSON-stat (no id and dimension)")
        }
        var roles: [String: String] = [:]
        for (k, v) in meta["role"]?.members ?? [] {
            for id in v.array?.compactMap(\.string) ?? [] { roles[id] = k == "time" ? "period" : k == "geo" ? "region" : nil }
        }
        return try ids.map { id in
            guard let d = dims[id], let c = d["category"] else { throw FetchError("\(query): the metadata has no categories for \(id)") }
            var values: [String]
            if let list = c["index"]?.array { values = list.compactMap(\.string) }
            else if let m = c["index"]?.members { values = m.sorted { ($0.1.int ?? 0) < ($1.1.int ?? 0) }.map(\.0) }
            else { values = (c["label"]?.members ?? []).map(\.0) }
            var labels: [String: String] = [:]
            for (k, v) in c["label"]?.members ?? [] { labels[k] = v.string }
            let label = d["label"]?.string ?? id
            var role = roles[id]
            if role == nil, let r = ScbCsvReader.dimensionRole(id) ?? ScbCsvReader.dimensionRole(label) {
                role = ScbCsvReader.key(of: r)
            }
            let elimination: Bool
            if case .bool(let b)? = d["extension"]?["elimination"] { elimination = b } else { elimination = false }
            return PxWebVariable(code: id, label: label, values: values, labels: labels, elimination: elimination, role: role)
        }
    }

    /// Value codes per variable (nil: left out, eliminated by the API), in the table's order.
    static func resolve(_ fetch: PopulationFetch, variables: [PxWebVariable], query: String, registry: RegionRegistry) throws -> [(PxWebVariable, [String]?)] {
        for (name, _) in fetch.selections where !variables.contains(where: { matches($0, name) }) {
            throw FetchError("\(query): the table has no variable \(name); it has \(variables.map { "\($0.code) (\($0.label))" }.joined(separator: ", "))")
        }
        return try variables.map { v in (v, try choose(v, fetch: fetch, query: query, registry: registry)) }
    }

    static func matches(_ v: PxWebVariable, _ name: String) -> Bool {
        let f = TextFold.fold(name)
        return v.code == name || TextFold.fold(v.code) == f || TextFold.fold(v.label) == f
            || (QueryPlan.contentsAliases.contains(f) && TextFold.fold(v.code) == "contentscode")
    }

    static func value(_ v: PxWebVariable, _ wanted: String) -> String? {
        let f = TextFold.fold(wanted)
        return v.values.first { $0 == wanted } ?? v.values.first { TextFold.fold($0) == f || v.labels[$0].map(TextFold.fold) == f }
    }

    static func choose(_ v: PxWebVariable, fetch: PopulationFetch, query: String, registry: RegionRegistry) throws -> [String]? {
        let shown = v.values.prefix(8).map { c in v.labels[c].map { "\(c) \($0)" } ?? c }.joined(separator: ", ") + (v.values.count > 8 ? ", …" : "")
        if let (_, wanted) = fetch.selections.first(where: { matches(v, $0.key) }) {
            guard let c = value(v, wanted) else { throw FetchError("\(query): \(v.code) has no value \(wanted); it has \(shown)") }
            return [c]
        }
        switch v.role {
        case "period":
            guard let p = fetch.period else { return v.values }
            guard let c = v.values.first(where: { ScbLabels.period($0) == ScbLabels.period(p) && ScbLabels.period(p) != nil || $0 == p }) else {
                throw FetchError("\(query): the table has no period \(p); it has \(v.values.first ?? "")…\(v.values.last ?? "")")
            }
            return [c]
        case "region":
            return try regions(v, fetch.regions, query: query, registry: registry)
        case "age":
            guard let band = fetch.ages, band != "total" else { return v.values }
            // The table's ages as normalized labels, in the table's order.
            let normalized = v.values.map { ScbLabels.age(v.labels[$0] ?? $0) }
            let ages = PopulationQuery.Ages(band)!
            let chosen: Set<String>
            do {
                if normalized.contains(ages.label) { chosen = [ages.label] }
                else if case .band(let lo, let hi) = ages { chosen = try AgeCover.cover(lo: lo, hi: hi, labels: normalized, asked: band) }
                else { chosen = [] }
            } catch let e as QueryError { throw FetchError("\(query): \(e.description)") }
            return v.values.filter { chosen.contains(ScbLabels.age(v.labels[$0] ?? $0)) }
        case "sex":
            guard let s = fetch.sex, s != "total" else { return v.values }
            let c = v.values.filter { ScbLabels.sex(v.labels[$0] ?? $0) == s }
            guard !c.isEmpty else { throw FetchError("\(query): \(v.code) has no \(s); it has \(shown)") }
            return c
        default:
            if v.values.count == 1 { return v.values }
            if v.elimination { return nil }
            throw FetchError("\(query): the variable \(v.code) (\(v.label)) has several values (\(shown)) and cannot be left out", remedy: .chooseValue(variable: v.code))
        }
    }

    static func regions(_ v: PxWebVariable, _ asked: [String]?, query: String, registry: RegionRegistry) throws -> [String] {
        guard let asked, !asked.isEmpty else { return v.values }
        var out: [String] = []
        for a in asked {
            switch TextFold.fold(a) {
            case "all", "alla": return v.values
            case "lan", "lanen", "counties": out += v.values.filter { $0.count == 2 && $0 != "00" }
            case "kommun", "kommuner", "municipalities": out += v.values.filter { $0.count == 4 && $0.allSatisfy(\.isNumber) }
            case "riket": out += v.values.filter { $0 == "00" }
            default:
                let code = registry.region(code: a)?.code ?? registry.region(named: a)?.code ?? a
                guard v.values.contains(code) else { throw FetchError("\(query): the table has no region \(a)") }
                out.append(code)
            }
        }
        var seen: Set<String> = []
        return out.filter { seen.insert($0).inserted }
    }
}
