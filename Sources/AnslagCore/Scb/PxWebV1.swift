/// PxWeb API v1, for tables SCB serves only there (SCB's "PxWebApi 1.0 description",
/// api_description.pdf; the examples at https://api.scb.se/OV0104/v1/doris/sv/ssd):
///
/// * `GET {base}/?config`: the API's limits, `maxValues` (cells per query), `maxCalls` per
///   `timeWindow` seconds (as dannil/scb-java-client reads them from
///   `http://api.scb.se/OV0104/v1/doris/en/ssd/?config`).
/// * `GET {base}/{path}` (`BE/BE0101/BE0101A/BefolkningNy`): the table's metadata, `title` and
///   `variables`, each with `code`, `text`, `values`, `valueTexts`, and `elimination: true` or
///   `time: true` where they hold.
/// * `POST {base}/{path}` with `{"query": [{"code": VAR, "selection": {"filter": "item",
///   "values": [...]}}], "response": {"format": "json-stat2"}}`: the data (`csv` and `px` by the
///   same names). A variable left out of the query is eliminated where the table allows it.
/// * Errors: 403 when the query has more cells than the limit ("HTTP 403 Forbidden markerar
///   att maxvärdet är överskridet"), 400 for a selection the table does not have, 404 for an
///   unknown table, 429 when the calls per time window are used up.
///
/// When `?config` is not there (404) or not in the cache offline, SCB's published limits for
/// its API are used: at most 100 000 values per query and ten calls per ten seconds from one
/// address (https://www.scb.se/vara-tjanster/oppna-data/ "Så fungerar SCB:s API", and in
/// English https://scb.se/en/services/open-data-api "How Statistics Sweden's API works").
enum PxWebV1 {
    static let defaultMaxCells = 100_000
    static let defaultMaxCalls = 10
    static let defaultTimeWindow = 10

    /// A v1 table path, each segment percent-encoded, without leading or trailing slashes.
    static func path(_ table: String) -> String {
        table.split(separator: "/").map { PxWebClient.escape(String($0)) }.joined(separator: "/")
    }

    /// The table's variables from v1 metadata (`variables`: code, text, values, valueTexts,
    /// elimination, time).
    static func variables(_ meta: JSONValue, query: String) throws -> [PxWebVariable] {
        guard let list = meta["variables"]?.array, !list.isEmpty else {
            throw FetchError("\(query): the metadata is not PxWeb API v1 table metadata (no variables)")
        }
        return try list.map { v in
            guard let code = v["code"]?.string, let values = v["values"]?.array?.compactMap(\.string), !values.isEmpty else {
                throw FetchError("\(query): the metadata has a variable without code or values")
            }
            let texts = v["valueTexts"]?.array?.compactMap(\.string) ?? []
            var labels: [String: String] = [:]
            for (c, t) in zip(values, texts) { labels[c] = t }
            let label = v["text"]?.string ?? code
            var role: String?
            if case .bool(true)? = v["time"] { role = "period" }
            else if let r = ScbCsvReader.dimensionRole(code) ?? ScbCsvReader.dimensionRole(label) { role = ScbCsvReader.key(of: r) }
            let elimination: Bool
            if case .bool(let b)? = v["elimination"] { elimination = b } else { elimination = false }
            return PxWebVariable(code: code, label: label, values: values, labels: labels, elimination: elimination, role: role)
        }
    }

    /// The JSON query for one page: every chosen variable by `item`, in the table's order
    /// (so equal selections give equal bytes, and one cache entry).
    static func body(_ page: PxWebPaging.Selection, format: PxWebFormat) -> [UInt8] {
        let query: [JSONOut] = page.map { code, values in
            .object([("code", .string(code)),
                     ("selection", .object([("filter", .string("item")), ("values", .array(values.map { .string($0) }))]))])
        }
        return JSONOut.object([("query", .array(query)), ("response", .object([("format", .string(format.rawValue))]))]).bytes()
    }
}

extension PxWebClient {
    /// The fetch through API v1 at `base`: limits, metadata, then one POST per page.
    func fetchV1(_ request: PopulationFetch, format: PxWebFormat, base: String) throws -> Result {
        let query = Self.describe(request)
        var session = Session(client: self, query: query, base: base)
        session.v1 = true
        var maxCells = PxWebV1.defaultMaxCells
        if let body = try session.send(Request(url: "\(base)/?config"), expectJSON: true, missingIsNil: true) {
            guard let config = try? JSONValue.parse(body) else { throw FetchError("\(query): \(base)/?config: the reply is not JSON") }
            maxCells = max(1, config["maxValues"]?.int ?? config["maxCells"]?.int ?? PxWebV1.defaultMaxCells)
            session.pace(calls: config["maxCalls"]?.int ?? PxWebV1.defaultMaxCalls, window: config["timeWindow"]?.int ?? PxWebV1.defaultTimeWindow)
        } else {
            session.pace(calls: PxWebV1.defaultMaxCalls, window: PxWebV1.defaultTimeWindow)
        }
        let url = "\(base)/\(PxWebV1.path(request.table))"
        let meta = try session.json(url)
        let variables = try PxWebV1.variables(meta, query: query)
        let selection = try PxWebSelection.resolve(request, variables: variables, query: query, registry: registry)
        let (body, pages) = try PxWebPaging.fetchAll(selection.compactMap { v, codes in codes.map { (v.code, $0) } },
                                                     maxCells: maxCells, format: format, query: query) { page in
            try session.send(Request(url: url, body: PxWebV1.body(page, format: format)), expectJSON: format == .jsonStat)!
        }
        return Result(body: body, format: format, pages: pages, requests: session.requests, query: query, api: .v1, base: base)
    }
}
