/// Where an allocation's population figures came from and what date they refer to, so every
/// output (JSON, CSV comment-free, xlsx provenance lines, `--explain`) can say it.
public struct PopulationProvenance: Sendable, Equatable {
    /// The file read, or the SCB query (`SCB BE0101N1 via https://…`).
    public var source: String
    public var tableId: String?
    /// What the figures refer to: the period used (`2023M10`) or SCB's words for it.
    public var referencePeriod: String?
    /// When SCB last updated the table, as SCB wrote it.
    public var updated: String?
    /// Every period the keys used, in order.
    public var periods: [String]

    public init(source: String, tableId: String? = nil, referencePeriod: String? = nil, updated: String? = nil, periods: [String] = []) {
        self.source = source; self.tableId = tableId; self.referencePeriod = referencePeriod
        self.updated = updated; self.periods = periods
    }
}

/// A population to fetch from SCB's PxWeb API (a rule file's `population: {scb: TABLE, …}`
/// or `anslag-scb fetch`): the table id and a selection per variable.
public struct PopulationFetch: Sendable, Equatable, Hashable {
    public var table: String
    public var period: String?
    /// `lan`, `kommun`, `all`, or a list of codes.
    public var regions: [String]?
    /// An age band (`0-25`, `65+`) or nil for every age the table has.
    public var ages: String?
    /// `male`, `female`, or nil for every value the table has.
    public var sex: String?
    /// Variable (code or text) → value (code or text) for any other variable.
    public var selections: [String: String]

    public init(table: String, period: String? = nil, regions: [String]? = nil, ages: String? = nil, sex: String? = nil,
                selections: [String: String] = [:]) {
        self.table = table; self.period = period; self.regions = regions; self.ages = ages; self.sex = sex
        self.selections = selections
    }
}
