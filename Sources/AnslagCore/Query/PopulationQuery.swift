/// Why a query cannot be answered from a table: the problem, and what could be chosen
/// instead. The core names no command-line option; a tool words the remedy with its own
/// (`AnslagCLI`), and `description` words it for a rule file.
public struct QueryError: Error, Equatable, CustomStringConvertible, Sendable {
    public let problem: String
    public let remedy: QueryRemedy?
    public init(_ problem: String, remedy: QueryRemedy? = nil) { self.problem = problem; self.remedy = remedy }

    public var description: String { problem + (remedy?.inRuleFile ?? "") }
}

/// What a refused query could choose instead.
public enum QueryRemedy: Sendable, Equatable {
    /// One value of this dimension (it has several and no total).
    case chooseValue(dimension: String)
    /// Region, age, sex and period are chosen by their own selections, not as a value of a
    /// dimension.
    case ownSelection

    /// The remedy as a rule file states it.
    public var inRuleFile: String {
        switch self {
        case .chooseValue(let d): return "; choose one (where: {\(d): VALUE} in a rule)"
        case .ownSelection: return " (period:, age:, sex: in a rule), not as a selection"
        }
    }
}

/// The questions allocation keys ask of a population table: population by region for a
/// period, for an age band, for a sex, for chosen values of any other dimension, and kommuner
/// summed to their län.
///
/// Every query answers exactly what it asks or is refused (`QueryError`, saying what the
/// table has): a period, region, sex or dimension value the table lacks; an age band the
/// table's ages and bands do not cover exactly; a dimension the query leaves open that has
/// several values and no total. Nothing falls back to a total silently.
public struct PopulationQuery: Sendable, Equatable {
    public enum Ages: Sendable, Equatable {
        case total
        case band(Int, Int?)   // lower, upper (nil: no upper bound)

        /// `0-25`, `65+`, `7`, `total`.
        public init?(_ text: String) {
            let t = text.trimmingCharacters()
            if t == "total" { self = .total; return }
            if t.hasSuffix("+"), let lo = Int(t.dropLast()), lo >= 0 { self = .band(lo, nil); return }
            let parts = t.split(separator: "-", omittingEmptySubsequences: false)
            if parts.count == 2, let lo = Int(parts[0]), let hi = Int(parts[1]), lo >= 0, lo <= hi { self = .band(lo, hi); return }
            if let v = Int(t), v >= 0 { self = .band(v, v); return }
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
    /// Only these regions (codes); nil: every region the table has.
    public var regions: [String]?
    /// Dimension → value (a code or the text SCB gave) for the table's other dimensions.
    public var selections: [String: String] = [:]

    public init(period: String? = nil, ages: Ages = .total, sex: String = "total", byCounty: Bool = false,
                regions: [String]? = nil, selections: [String: String] = [:]) {
        self.period = period; self.ages = ages; self.sex = sex; self.byCounty = byCounty
        self.regions = regions; self.selections = selections
    }

    public func apply(_ table: PopulationTable, registry: RegionRegistry = .bundled) throws -> PopulationTable {
        let plan = try QueryPlan(self, table: table, registry: registry)
        return try plan.answer()
    }
}
