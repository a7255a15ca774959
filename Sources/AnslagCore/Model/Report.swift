/// The findings report every checking tool writes (`anslag-allocate --check`, `anslag-import
/// --report`, `anslag-reconcile`): `Schemas/report.schema.json`.
public struct ReportFinding: Sendable, Equatable {
    /// Stable kebab-case: `allocation-mismatch`, `allocation-residual`, `sum-mismatch`, …
    public var code: FindingCode
    public var severity: Severity
    public var file: String?
    public var sheet: String?
    /// A1 reference of the cell stating the value (the total, the amount).
    public var cell: String?
    public var stated: Money?
    public var computed: Money?
    /// stated − computed.
    public var delta: Money?
    /// The cell range whose values were summed, when there is one.
    public var lines: String?
    /// Where in a file without sheets or cells (a population table): `line 12`, `dimension
    /// region`, `VALUES("region")`.
    public var place: String?
    /// For findings about counts rather than money (persons in a population table): what the
    /// total states, and what its parts sum to.
    public var statedCount: Int64?
    public var computedCount: Int64?
    public var message: String

    public init(code: FindingCode, severity: Severity, file: String? = nil, sheet: String? = nil, cell: String? = nil,
                stated: Money? = nil, computed: Money? = nil, lines: String? = nil, message: String) {
        self.code = code; self.severity = severity; self.file = file; self.sheet = sheet; self.cell = cell
        self.stated = stated; self.computed = computed; self.lines = lines; self.message = message
        if let stated, let computed { delta = stated - computed }
    }

    /// A finding about a file without sheets (a population table): where in `file`, and the
    /// counts that disagree.
    public init(code: FindingCode, severity: Severity, file: String?, place: String,
                statedCount: Int64? = nil, computedCount: Int64? = nil, message: String) {
        self.code = code; self.severity = severity; self.file = file; self.place = place
        self.statedCount = statedCount; self.computedCount = computedCount; self.message = message
    }

    /// `'Sheet'!C7`, or what there is of it; `file: line 12` in a file without sheets.
    public var location: String {
        if let place { return file.map { "\($0): \(place)" } ?? place }
        switch (sheet, cell) {
        case let (s?, c?): return "'\(s)'!\(c)"
        case let (s?, nil): return "'\(s)'"
        case let (nil, c?): return c
        default: return ""
        }
    }
}

/// How sure a finding is, and whether it makes the run fail.
public enum Severity: String, Sendable, Comparable, Codable {
    case info, warning, error
    private var rank: Int { self == .info ? 0 : self == .warning ? 1 : 2 }
    public static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }
}

public struct FindingsReport: Sendable, Equatable {
    public var file: String
    public var findings: [ReportFinding]
    public var tables: Int

    public init(file: String, findings: [ReportFinding], tables: Int) {
        self.file = file; self.findings = findings; self.tables = tables
    }

    public var valid: Bool { !findings.contains { $0.severity == .error } }
    public var errors: Int { findings.filter { $0.severity == .error }.count }
    public var warnings: Int { findings.filter { $0.severity == .warning }.count }
}
