#if canImport(Glibc)
import Glibc
#endif

/// The formats PxWeb API v2 (and v1, by the same names) serves that Anslag reads.
public enum PxWebFormat: String, Sendable, CaseIterable {
    case jsonStat = "json-stat2", csv, px
    var scbFormat: ScbFormat { self == .jsonStat ? .jsonStat : self == .csv ? .csv : .px }
}

/// Which PxWeb API a table is asked through.
public enum PxWebAPI: String, Sendable {
    /// `GET /config`, `/tables/{id}/metadata`, `/tables/{id}/data?valuecodes[VAR]=…`.
    case v2
    /// `GET {base}/?config`, `GET {base}/{path}` (metadata), `POST {base}/{path}` (a JSON query).
    case v1
}

/// A client for SCB's PxWeb API v2 (`GET /config`, `/tables/{id}/metadata`,
/// `/tables/{id}/data?valuecodes[VAR]=…&outputFormat=…`) and, for a table given by its v1 path
/// (`BE/BE0101/BE0101A/BefolkningNy`) or at a v1 base, API v1 (`PxWebV1.swift`): resolves a
/// `PopulationFetch` against the table's metadata, pages a selection larger than the API's
/// cell limit, retries 429 (after `Retry-After`) and 5xx replies with backoff, keeps under the
/// API's calls per time window, and keeps every reply in an on-disk cache keyed by its request
/// (URL; for a POST also the method and body), so a second run sends nothing. Offline, only
/// the cache.
public struct PxWebClient: Sendable {
    /// The base address given (`--api`): v2, or v1 when it has a `/v1/` segment.
    public var base: String
    /// Where a table given by its v1 path is asked when `base` is a v2 address.
    public var v1Base: String
    public var transport: (any HTTPTransport)?
    public var cache: FetchCache?
    public var offline: Bool
    public var timeout: Double
    public var maxAttempts = 5
    /// Longest wait for a `Retry-After` or a backoff step, in seconds.
    public var maxWait: Double = 60
    public var registry: RegionRegistry = .bundled
    /// How the client waits between attempts (tests may record instead of sleeping).
    public var sleep: @Sendable (Double) -> Void = { s in
        var ts = timespec(tv_sec: Int(s), tv_nsec: Int((s - Double(Int(s))) * 1e9))
        _ = nanosleep(&ts, nil)
    }

    public static let defaultBase = "https://statistikdatabasen.scb.se/api/v2"
    /// SCB's API v1 for the Statistical Database (Swedish texts), as SCB's API description
    /// and its examples address it.
    public static let defaultV1Base = "https://api.scb.se/OV0104/v1/doris/sv/ssd"

    public init(base: String = PxWebClient.defaultBase, v1Base: String = PxWebClient.defaultV1Base, transport: (any HTTPTransport)?, cache: FetchCache?, offline: Bool = false, timeout: Double = 60) {
        self.base = Self.trimmed(base); self.v1Base = Self.trimmed(v1Base)
        self.transport = transport; self.cache = cache; self.offline = offline; self.timeout = timeout
    }

    static func trimmed(_ s: String) -> String {
        var b = s
        while b.hasSuffix("/") { b.removeLast() }
        return b
    }

    /// A base address of API v1: one with a `v1` path segment (`…/OV0104/v1/doris/sv/ssd`,
    /// `…/PXWeb/api/v1/sv/…`).
    public static func isV1(base: String) -> Bool {
        base.split(separator: "/").dropFirst(2).contains { $0 == "v1" }
    }

    /// The API and base a table is asked through: v1 at `base` when `base` is a v1 address;
    /// v1 at `v1Base` for a table given by its v1 path (it has a `/`, which no v2 id has);
    /// else v2 at `base`. No fallback from one to the other: the two name tables differently
    /// (`TAB5444` against `BE/BE0101/BE0101A/BefolkManad`).
    public func api(for table: String) -> (api: PxWebAPI, base: String) {
        if Self.isV1(base: base) { return (.v1, base) }
        if table.contains("/") { return (.v1, v1Base) }
        return (.v2, base)
    }

    /// The table's address, for provenance and messages.
    public func address(of table: String) -> String {
        let (api, b) = api(for: table)
        return api == .v1 ? "\(b)/\(PxWebV1.path(table))" : "\(b)/tables/\(table)"
    }

    /// What a fetch brought back: the bytes as SCB served them (pages merged into one
    /// document), the format, and how many requests reached the network.
    public struct Result: Sendable {
        public var body: [UInt8]
        public var format: PxWebFormat
        public var pages: Int
        public var requests: Int
        public var query: String
        /// The API and base address asked.
        public var api: PxWebAPI = .v2
        public var base: String = ""
    }

    /// The query in words, for messages: `BE0101N1 (period 2023M10, region lan)`.
    public static func describe(_ f: PopulationFetch) -> String {
        var parts: [String] = []
        if let p = f.period { parts.append("period \(p)") }
        if let r = f.regions { parts.append("region \(r.joined(separator: ","))") }
        if let a = f.ages { parts.append("age \(a)") }
        if let s = f.sex { parts.append("sex \(s)") }
        for (k, v) in f.selections.sorted(by: { $0.key < $1.key }) { parts.append("\(k)=\(v)") }
        return "SCB \(f.table)" + (parts.isEmpty ? "" : " (\(parts.joined(separator: ", ")))")
    }

    public func fetch(_ request: PopulationFetch, format: PxWebFormat = .jsonStat) throws -> Result {
        let (api, apiBase) = api(for: request.table)
        if api == .v1 { return try fetchV1(request, format: format, base: apiBase) }
        let query = Self.describe(request)
        var session = Session(client: self, query: query, base: base)
        let config = try session.json("\(base)/config")
        let maxCells = max(1, config["maxDataCells"]?.int ?? 150_000)
        session.pace(calls: config["maxCallsPerTimeWindow"]?.int, window: config["timeWindow"]?.int)
        let table = Self.escape(request.table)
        let meta = try session.json("\(base)/tables/\(table)/metadata?lang=sv")
        let variables = try PxWebSelection.variables(meta, query: query)
        let selection = try PxWebSelection.resolve(request, variables: variables, query: query, registry: registry)
        let (body, pages) = try PxWebPaging.fetchAll(selection.compactMap { v, codes in codes.map { (v.code, $0) } },
                                                     maxCells: maxCells, format: format, query: query) { page in
            let params = page.map { "valuecodes%5B\(Self.escape($0.0))%5D=\($0.1.map(Self.escape).joined(separator: ","))" }
            let url = "\(base)/tables/\(table)/data?lang=sv&outputFormat=\(format.rawValue)&" + params.joined(separator: "&")
            return try session.get(url, expectJSON: format == .jsonStat)
        }
        return Result(body: body, format: format, pages: pages, requests: session.requests, query: query, api: .v2, base: base)
    }

    /// Fetches and reads the table at once.
    public func importPopulation(_ request: PopulationFetch, options: ScbReadOptions = ScbReadOptions()) throws -> (ScbImport, Result) {
        let result = try fetch(request)
        let name = address(of: request.table)
        let imported = try AnslagCore.importPopulation(.bytes(result.body, name: name), format: result.format.scbFormat, options: options)
        return (imported, result)
    }

    /// Percent-encoding for a path segment or query value (UTF-8, unreserved characters kept).
    static func escape(_ s: String) -> String {
        var out = ""
        for b in s.utf8 {
            if (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x2D || b == 0x2E || b == 0x5F || b == 0x7E {
                out.append(Character(Unicode.Scalar(b)))
            } else {
                let hex = String(b, radix: 16, uppercase: true)
                out += "%" + (hex.count == 1 ? "0" : "") + hex
            }
        }
        return out
    }
}


extension PxWebClient {
    /// One request as sent and as kept: the cache key is the URL for a GET (as before, so
    /// kept v2 replies stay valid) and `POST URL` and the body for a POST, so two queries to
    /// one v1 table are two entries.
    struct Request {
        var url: String
        var body: [UInt8]? = nil
        var key: String { body.map { "POST \(url)\n" + String(decoding: $0, as: UTF8.self) } ?? url }
        var shown: String { body == nil ? url : "POST \(url)" }
    }

    struct Session {
        let client: PxWebClient
        let query: String
        /// The base address asked, for messages.
        let base: String
        var requests = 0
        /// At most `calls` requests in any `window` seconds (the API's own limit), if known.
        var calls: Int?
        var window: Double = 10
        var sent: [Double] = []
        /// v1 error replies are worded without RFC 7807 expectations.
        var v1 = false

        init(client: PxWebClient, query: String, base: String) {
            self.client = client; self.query = query; self.base = base
        }

        mutating func pace(calls: Int?, window: Int?) {
            guard let calls, calls > 0 else { return }
            self.calls = calls
            self.window = Double(max(1, min(window ?? 10, 3600)))
        }

        mutating func json(_ url: String) throws -> JSONValue {
            let body = try get(url, expectJSON: true)
            do { return try JSONValue.parse(body) } catch { throw FetchError("\(query): \(url): the reply is not JSON") }
        }

        mutating func get(_ url: String, expectJSON: Bool) throws -> [UInt8] {
            try send(Request(url: url), expectJSON: expectJSON)!
        }

        /// The reply's body; nil for a 404 (or, offline, a miss) when `missingIsNil` (an
        /// optional address).
        mutating func send(_ r: Request, expectJSON: Bool, missingIsNil: Bool = false) throws -> [UInt8]? {
            if let cached = client.cache?.body(for: r.key) { return cached }
            if client.offline {
                if missingIsNil { return nil }
                throw FetchError("\(query): not in the cache\(client.cache.map { " (\($0.directory))" } ?? "")", remedy: .allowFetching(url: r.shown))
            }
            guard let transport = client.transport else { throw FetchError("\(query): no way to reach \(base)") }
            var wait: Double = 1
            for attempt in 1...client.maxAttempts {
                waitForWindow()
                requests += 1
                let reply: HTTPResponse
                do {
                    if let body = r.body { reply = try transport.post(r.url, body: body, contentType: "application/json; charset=utf-8", timeout: client.timeout) }
                    else { reply = try transport.get(r.url, timeout: client.timeout) }
                } catch let e as HTTPTransportError {
                    if e.timedOut { throw FetchError("\(query): no reply from \(base) within \(client.timeout == client.timeout.rounded() ? String(Int(client.timeout)) : String(client.timeout)) s", remedy: .longerTimeout) }
                    throw FetchError("\(query): \(e.description)")
                }
                switch reply.status {
                case 200:
                    if expectJSON && !Self.looksJSON(reply) {
                        throw FetchError("\(query): \(r.shown): the reply is not JSON (\(reply.headers["content-type"] ?? "no content type"))")
                    }
                    try client.cache?.store(reply.body, for: r.key)
                    return reply.body
                case 404 where missingIsNil:
                    return nil
                case 429, 500...599:
                    guard attempt < client.maxAttempts else {
                        throw FetchError("\(query): \(reply.status == 429 ? "too many requests (429)" : "server error \(reply.status)") \(client.maxAttempts) times; try again later")
                    }
                    let after = reply.headers["retry-after"].flatMap { Double($0.trimmingCharacters()) }
                    client.sleep(min(client.maxWait, max(0, after ?? wait)))
                    wait = min(client.maxWait, wait * 2)
                default:
                    throw FetchError("\(query): \(v1 ? Self.v1Problem(reply) : Self.problem(reply))")
                }
            }
            throw FetchError("\(query): gave up after \(client.maxAttempts) attempts")
        }

        /// Before a request: when `calls` requests went out in the last `window` seconds,
        /// waits until the oldest of them is `window` seconds old.
        mutating func waitForWindow() {
            guard let calls else { return }
            let now = Self.monotonic()
            sent = sent.filter { now - $0 < window }
            if sent.count >= calls, let oldest = sent.first {
                client.sleep(min(client.maxWait, max(0, window - (now - oldest))))
            }
            sent.append(Self.monotonic())
        }

        static func monotonic() -> Double {
            var ts = timespec()
            clock_gettime(CLOCK_MONOTONIC, &ts)
            return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
        }

        static func looksJSON(_ r: HTTPResponse) -> Bool {
            let first = r.body.first { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 && $0 != 0xEF && $0 != 0xBB && $0 != 0xBF }
            return first == UInt8(ascii: "{") || first == UInt8(ascii: "[")
        }

        static func what(_ status: Int) -> String {
            switch status {
            case 400: return "bad selection (400)"
            case 403: return "too many cells (403)"
            case 404: return "unknown table (404)"
            default: return "HTTP \(status)"
            }
        }

        /// An RFC 7807 problem (`title`, `detail`) as the API sends it, in one line.
        static func problem(_ r: HTTPResponse) -> String {
            let what = what(r.status)
            if let j = try? JSONValue.parse(r.body), let detail = j["detail"]?.string ?? j["title"]?.string {
                return "\(what): \(detail)"
            }
            return looksJSON(r) || r.body.isEmpty ? what : "\(what): the reply is not JSON"
        }

        /// API v1 answers an error with a short text (or a JSON `error`, or a web page): the
        /// status in words, and the text when it is one short line.
        static func v1Problem(_ r: HTTPResponse) -> String {
            let what = what(r.status)
            if let j = try? JSONValue.parse(r.body), let detail = j["error"]?.string ?? j["detail"]?.string ?? j["title"]?.string {
                return "\(what): \(detail)"
            }
            let text = String(decoding: r.body.prefix(240), as: UTF8.self).trimmingCharacters()
            if !text.isEmpty && r.body.count <= 240 && !text.contains("<") && !text.contains("\n") { return "\(what): \(text)" }
            return what
        }
    }
}
