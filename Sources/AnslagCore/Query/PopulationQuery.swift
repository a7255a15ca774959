/// Why a query cannot be answered from a table.
public struct QueryError: Error, Equatable, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// The questions allocation keys ask of a population table: population by region for a
/// period, for an age band, for a sex, and kommuner summed to their län.
///
/// Age and sex are collapsed: a band sums the single ages (and `N+` groups and bands that lie
/// inside it); no band means the table's `total` age, or every age summed when it has none.
/// Sex means `total`, or men + women when there is no total. Other dimensions stay.
public struct PopulationQuery: Sendable, Equatable {
    public enum Ages: Sendable, Equatable {
        case total
        case band(Int, Int?)   // lower, upper (nil: no upper bound)

        /// `0-25`, `65+`, `7`, `total`.
        public init?(_ text: String) {
            let t = text.trimmingCharacters()
            if t == "total" { self = .total; return }
            if t.hasSuffix("+"), let lo = Int(t.dropLast()) { self = .band(lo, nil); return }
            let parts = t.split(separator: "-", omittingEmptySubsequences: false)
            if parts.count == 2, let lo = Int(parts[0]), let hi = Int(parts[1]), lo <= hi { self = .band(lo, hi); return }
            if let v = Int(t) { self = .band(v, v); return }
            return nil
        }

        var label: String {
            switch self {
            case .total: return "total"
            case .band(let lo, let hi): return hi.map { $0 == lo ? "\(lo)" : "\(lo)-\($0)" } ?? "\(lo)+"
            }
        }
    }

    public var period: String?
    public var ages: Ages = .total
    public var sex: String = "total"
    public var byCounty = false

    public init(period: String? = nil, ages: Ages = .total, sex: String = "total", byCounty: Bool = false) {
        self.period = period; self.ages = ages; self.sex = sex; self.byCounty = byCounty
    }

    public func apply(_ table: PopulationTable, registry: RegionRegistry = .bundled) throws -> PopulationTable {
        guard let rIndex = table.index(of: "region") else { throw QueryError("the table has no region dimension") }
        let aIndex = table.index(of: "age"), sIndex = table.index(of: "sex"), pIndex = table.index(of: "period")
        if let period {
            guard let pIndex else { throw QueryError("the table has no period dimension to choose \(period) from") }
            guard table.observations.contains(where: { $0.keys[pIndex] == period }) else {
                throw QueryError("the table has no period \(period); it has \(table.values(of: "period").joined(separator: ", "))")
            }
        }
        if case .band = ages, aIndex == nil { throw QueryError("the table has no age dimension for an age band") }
        let ageLabels = Set(table.values(of: "age"))
        let sexLabels = Set(table.values(of: "sex"))
        let useSexTotal = sexLabels.contains("total")
        if sex != "total" && sIndex != nil && !sexLabels.contains(sex) { throw QueryError("the table has no sex \(sex)") }

        /// Whether an observation's age counts toward the selection.
        func ageCounts(_ label: String) throws -> Bool {
            switch ages {
            case .total:
                return ageLabels.contains("total") ? label == "total" : label != "total"
            case .band(let lo, let hi):
                if ageLabels.contains(ages.label) { return label == ages.label }
                if label == "total" { return false }
                if let v = Int(label) { return v >= lo && (hi.map { v <= $0 } ?? true) }
                if label.hasSuffix("+"), let n = Int(label.dropLast()) {
                    if n >= lo && hi == nil { return true }
                    if n > (hi ?? Int.max) || n < lo { return false }
                    throw QueryError("the age group \(label) is open-ended; it cannot be split to fit \(ages.label)")
                }
                let parts = label.split(separator: "-")
                if parts.count == 2, let a = Int(parts[0]), let b = Int(parts[1]) {
                    if a >= lo && (hi.map { b <= $0 } ?? true) { return true }
                    if b < lo || a > (hi ?? Int.max) { return false }
                    throw QueryError("the age band \(label) straddles \(ages.label); choose a band the table's bands fit")
                }
                return false
            }
        }

        // The output keeps region, period and any other dimension; age and sex collapse.
        let kept = table.dimensions.indices.filter { $0 != aIndex && $0 != sIndex }
        var sums: [[String]: (value: Int64?, line: Int)] = [:]
        var order: [[String]] = []
        for o in table.observations {
            if let pIndex, let period, o.keys[pIndex] != period { continue }
            if let sIndex {
                let s = o.keys[sIndex]
                if sex == "total" { if useSexTotal ? s != "total" : (s != "male" && s != "female") { continue } }
                else if s != sex { continue }
            }
            if let aIndex, try !ageCounts(o.keys[aIndex]) { continue }
            var key = kept.map { o.keys[$0] }
            if byCounty {
                let code = key[0]
                guard let r = registry.region(code: code), r.kind == .kommun else { continue }
                key[0] = r.county
            }
            if let existing = sums[key] {
                sums[key] = (existing.value.flatMap { a in o.value.map { a + $0 } }, existing.line)
            } else {
                sums[key] = (o.value, o.line)
                order.append(key)
            }
        }
        if byCounty {
            // A county is summed only from all of its kommuner.
            let present = Set(table.observations.map { $0.keys[rIndex] })
            for county in Set(order.map { $0[0] }) {
                let missing = registry.municipalities(inCounty: county).map(\.code).filter { !present.contains($0) }
                if !missing.isEmpty {
                    throw QueryError("län \(county) cannot be summed: the table lacks its kommuner \(missing.prefix(5).joined(separator: ", "))\(missing.count > 5 ? ", …" : "")")
                }
            }
        }
        var out = PopulationTable(metadata: table.metadata, dimensions: kept.map { table.dimensions[$0] })
        out.metadata.notes.append("query: period \(period ?? "all"), age \(ages.label), sex \(sex)\(byCounty ? ", kommuner summed to län" : "")")
        for key in order {
            let s = sums[key]!
            out.observations.append(Observation(keys: key, value: s.value, symbol: s.value == nil ? ".." : nil, line: s.line))
        }
        for code in Set(order.map { $0[0] }) {
            out.regionNames[code] = byCounty ? registry.region(code: code)?.name : (table.regionNames[code] ?? registry.region(code: code)?.name)
        }
        return out
    }
}
