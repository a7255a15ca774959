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
            // Every age summed only when the ages end in an open group: otherwise the general
            // path says why it cannot answer.
            if !hasTotalAge && openFrom == nil { return nil }
            slots = hasTotalAge ? [ages] : Array(0..<ages)
        case .band(let lo, let hi):
            if let f = openFrom, let hi, f <= hi { return nil }
            if let f = openFrom, hi == nil, f < lo { return nil }
            // A band past the table's oldest age, or open-ended without an open group.
            if let hi, hi >= ages { return nil }
            if hi == nil && openFrom == nil { return nil }
            slots = Array(lo..<min(ages, (hi ?? Int.max - 1) + 1))
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

