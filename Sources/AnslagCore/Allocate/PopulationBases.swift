/// Population bases for allocation keys, from one population table read once. Each distinct
/// question (period, age band, sex, selections) is answered once and kept.
///
/// Sendable with a lock: the cache, the question count and the lazily built index are only
/// touched inside `monitor.locked`, so nested rules computed on several threads share it safely.
public final class PopulationBases: @unchecked Sendable {
    public let table: PopulationTable
    public let file: String
    let registry: RegionRegistry
    /// Selections every question makes (a rule file's `population: {where: …}`).
    let selections: [String: String]
    private let monitor = Monitor()
    private var cache: [PopulationBasis: [String: Int64]] = [:]
    private var periodsUsed: [String] = []
    private var queryCount = 0
    private var index: SingleAgeIndex??

    public init(table: PopulationTable, file: String, registry: RegionRegistry = .bundled, selections: [String: String] = [:]) {
        self.table = table; self.file = file; self.registry = registry; self.selections = selections
    }

    /// How many distinct population questions were answered (each once).
    public var queries: Int { monitor.locked { queryCount } }

    /// The source and the dates the answers referred to.
    public var provenance: PopulationProvenance {
        monitor.locked {
            // The period the keys used, with SCB's own words for the date where they differ.
            var reference = table.metadata.referencePeriod
            if periodsUsed.count == 1 {
                let p = periodsUsed[0]
                reference = reference.map { $0 == p ? p : "\(p) (\($0))" } ?? p
            }
            return PopulationProvenance(source: file, tableId: table.metadata.tableId, referencePeriod: reference,
                                        updated: table.metadata.updated, periods: periodsUsed)
        }
    }

    /// Region code → population for the basis; län missing from the table are summed from
    /// their kommuner when all of them are there.
    func values(_ basis: PopulationBasis) throws -> [String: Int64] {
        try monitor.locked {
            var basis = basis
            for (k, v) in selections where basis.selections[k] == nil { basis.selections[k] = v }
            if let v = cache[basis] { return v }
            queryCount += 1
            let period = try resolvePeriod(basis.period)
            if let period, !periodsUsed.contains(period) { periodsUsed.append(period) }
            var out: [String: Int64]
            if basis.selections.isEmpty, let index = singleAges(),
               let fast = try index.values(period: period, ages: PopulationQuery.Ages(basis.ages)!, sex: basis.sex, file: file) {
                out = fast
            } else {
                out = try queried(basis, period: period)
            }
            addCounties(&out)
            cache[basis] = out
            return out
        }
    }

    /// The period asked, or the table's only one.
    private func resolvePeriod(_ asked: String?) throws -> String? {
        guard asked == nil, table.index(of: "period") != nil else { return asked }
        let periods = table.values(of: "period")
        guard periods.count == 1 else {
            throw QueryError("\(file) has the periods \(periods.prefix(6).joined(separator: ", "))\(periods.count > 6 ? ", …" : ""); say which one (period: 2023M10)")
        }
        return periods[0]
    }

    /// Län the table does not state: the sum of all their kommuner.
    private func addCounties(_ out: inout [String: Int64]) {
        for county in registry.counties where out[county.code] == nil {
            let ks = registry.municipalities(inCounty: county.code)
            if !ks.isEmpty, ks.allSatisfy({ out[$0.code] != nil }) { out[county.code] = ks.reduce(0) { $0 + out[$1.code]! } }
        }
    }

    /// The general path: a `PopulationQuery` over the whole table.
    private func queried(_ basis: PopulationBasis, period: String?) throws -> [String: Int64] {
        let q = PopulationQuery(period: period, ages: PopulationQuery.Ages(basis.ages)!, sex: basis.sex, selections: basis.selections)
        let answer: PopulationTable
        do { answer = try q.apply(table, registry: registry) }
        catch let e as QueryError { throw QueryError("\(file): \(e.description)") }
        catch { throw QueryError("\(file): \(error)") }
        let regionIndex = answer.index(of: "region")!
        let others = answer.dimensions.indices.filter { $0 != regionIndex && answer.dimensions[$0] != "period" }
        if let extra = others.first(where: { d in Set(answer.observations.map { $0.keys[d] }).count > 1 }) {
            throw QueryError("\(file) has a dimension \(answer.dimensions[extra]) that the key does not choose from")
        }
        var out: [String: Int64] = [:]
        for o in answer.observations {
            if let v = o.value { out[o.keys[regionIndex]] = v }
        }
        return out
    }

    /// For SCB's usual shape (region × single years of age × sex × period), an index built
    /// once answers any age band by adding up to 101 numbers per region. Inside the lock.
    private func singleAges() -> SingleAgeIndex? {
        if let index { return index }
        let built = SingleAgeIndex(table)
        index = .some(built)
        return built
    }
}
