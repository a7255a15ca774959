import AnslagCore

// The core says what is wrong and what could be chosen instead without naming an option; the
// tools say it with their own.

extension QueryRemedy {
    /// The remedy in anslag-scb's options (and a rule file's keys).
    public var inOptions: String {
        switch self {
        case .chooseValue(let d): return "; choose one (--where \(d)=VALUE, or where: {\(d): VALUE} in a rule)"
        case .ownSelection: return " (--period, --age, --sex, --region; period:, age:, sex: in a rule), not as a selection"
        }
    }
}

extension QueryError {
    /// The problem and its remedy in the tool's options.
    public var worded: String { problem + (remedy?.inOptions ?? "") }
}

extension FetchError {
    /// The problem and its remedy in the options of `anslag-scb fetch` and `anslag-allocate`.
    public var worded: String {
        switch remedy {
        case nil: return problem
        case .chooseValue(let v)?: return problem + "; choose one with --where \(v)=VALUE"
        case .allowFetching(let url)?: return problem + " and --offline forbids fetching \(url)"
        case .longerTimeout?: return problem + " (--timeout)"
        }
    }
}

/// The one line a tool prints for the error that ends its run: the core's words, and the
/// remedy in the tools' options where the core has a typed error for it.
public func worded(_ error: any Error) -> String {
    switch error {
    case WriteError.exists: return "\(error); add --force to replace it"
    case ReadError.sheetTooSparse: return "\(error) (anslag-convert --to csv)"
    case ReadError.spreadsheetNotScb: return "\(error); convert it with anslag-convert first, or download the table as CSV or PX"
    case is PopulationNeeded: return "\(error); give --population FILE or population: in the rule file"
    default: return "\(error)"
    }
}

extension ReportFinding {
    /// The finding with its advice in the tool's options.
    public var worded: ReportFinding {
        var f = self
        if code == .encodingSwitched { f.message += " (--encoding chooses)" }
        return f
    }
}
