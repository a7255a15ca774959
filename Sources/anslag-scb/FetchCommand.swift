import AnslagCLI
import AnslagCLIFetch
import AnslagCore
import ArgumentParser

/// `anslag-scb fetch TABLE [selections]`: the table from SCB's PxWeb API v2 (or v1, for a
/// table given by its v1 path), as served or imported at once.
struct ScbFetch: AnslagCommand {
    static let configuration = CommandConfiguration(
        commandName: "anslag-scb fetch",
        abstract: "Fetch an SCB table from the PxWeb API (v2, or v1 where a table is only there) and import it (or keep it as served).",
        discussion: """
        API: a table id (TAB5444) is asked through API v2 at --api. A table given by its v1 path, with slashes \
        (BE/BE0101/BE0101A/BefolkningNy), is asked through API v1 at --api-v1 (GET for the metadata, POST of a JSON \
        query for the data); so is every table when --api itself is a v1 address (one with a /v1/ segment). \
        There is no fallback: a table v2 does not know (404) is an error, as v1 and v2 name tables differently.
        Selections: --period, --region (lan, kommun, all, or codes), --age (a band, made of the table's \
        own ages exactly), --sex, and --where VARIABLE=VALUE for any other variable (codes or texts). A variable \
        left out is eliminated by the API where the table allows it; otherwise the fetch is refused, naming it. \
        Large selections are fetched in pages under the API's cell limit (v2 /config maxDataCells, v1 ?config \
        maxValues); 429 replies are retried after Retry-After, and no more calls are sent per time window than the \
        API allows. Every reply is kept in the cache (--cache; keyed by the request: URL, and for v1 data the POST \
        body), so the same query again sends nothing; \
        --offline answers from the cache only.
        Output: the imported table (json, csv or xlsx, as with a file), or with --served the bytes as SCB \
        served them (--format json-stat2, csv or px; pages joined).
        Exit status: 0 done; 1 findings of severity error; 2 could not fetch or read.
        """)

    @Argument(help: "The table: a v2 id (TAB5444) or a v1 path (BE/BE0101/BE0101A/BefolkningNy).")
    var table: String

    @Option(name: .long, help: "Only this period (2023M10).")
    var period: String?

    @Option(name: .long, help: "Regions: lan, kommun, all, or codes (comma-separated; repeatable). Default: every region.")
    var region: [String] = []

    @Option(name: .long, help: "An age band (0-25, 65+) the table's ages make up exactly. Default: every age.")
    var age: AgeBand?

    @Option(name: .long, help: "One sex (male, female). Default: every value.")
    var sex: Sex?

    @Option(name: .customLong("where"), help: "VARIABLE=VALUE for any other variable (codes or texts; repeatable).")
    var selections: [String] = []

    @Flag(name: .long, help: "Write the reply as SCB served it (pages joined) instead of importing it.")
    var served = false

    @Option(name: .long, help: "What to ask SCB for: json-stat2 (default), csv or px.")
    var format: PxWebFormat = .jsonStat

    @Option(name: .long, help: "Imported output: json, csv or xlsx (default: json, or as -o's extension says).")
    var to: OutputFormat?

    @Flag(name: .long, help: "Skip the total checks of the imported table.")
    var noCheck = false

    @OptionGroup var fetch: FetchOptions
    @OptionGroup var out: OutputOptions

    mutating func execute() throws -> ExitStatus {
        let fmt = format
        var request = PopulationFetch(table: table, period: period.map { ScbLabels.period($0) ?? $0 })
        let codes = region.flatMap { $0.split(separator: ",").map { String($0).trimmed() } }
        if !codes.isEmpty { request.regions = codes }
        if let age { request.ages = age.text }
        if let sex { request.sex = sex.code }
        request.selections = try QueryOptions.selections(selections)
        let client = try fetch.client()
        let result: PxWebClient.Result
        do { result = try client.fetch(request, format: fmt) } catch let e as FetchError { throw UserError(e.worded) }
        if served || out.ends(with: ".px") || out.ends(with: ".jsonstat") {
            try out.write(inputs: []) { try $0.write(bytes: result.body) }
            return .ok
        }
        let name = client.address(of: table)
        let imported = try importPopulation(.bytes(result.body, name: name), format: fmt == .jsonStat ? .jsonStat : fmt == .csv ? .csv : .px)
        var findings = imported.findings.map(\.worded)
        if !noCheck { findings += PopulationChecks.run(imported.table) }
        let target = out.format(to, default: .json)
        return try ScbOutput.write(imported.table, findings: findings, query: nil, target: target, out: out, inputs: [])
    }
}

extension String {
    /// Without leading and trailing spaces and tabs.
    func trimmed() -> String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
