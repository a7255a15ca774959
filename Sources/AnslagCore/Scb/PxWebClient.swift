#if canImport(Glibc)
import Glibc
#endif

/// The formats PxWeb API v2 serves that Anslag reads.
public enum PxWebFormat: String, Sendable, CaseIterable {
    case jsonStat = "json-stat2", csv, px
    var scbFormat: ScbFormat { self == .jsonStat ? .jsonStat : self == .csv ? .csv : .px }
}

/// A client for SCB's PxWeb API v2 (`GET /config`, `/tables/{id}/metadata`,
/// `/tables/{id}/data?valuecodes[VAR]=…&outputFormat=…`): resolves a `PopulationFetch`
/// against the table's metadata, pages a selection larger than the API's `maxDataCells`,
/// retries 429 (after `Retry-After`) and 5xx replies with backoff, and keeps every reply in an
/// on-disk cache keyed by its URL, so a second run sends nothing. Offline, only the cache.
public struct PxWebClient: Sendable {
    public var base: String
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

    public init(base: String = PxWebClient.defaultBase, transport: (any HTTPTransport)?, cache: FetchCache?, offline: Bool = false, timeout: Double = 60) {
        var b = base
        while b.hasSuffix("/") { b.removeLast() }
        self.base = b; self.transport = transport; self.cache = cache; self.offline = offline; self.timeout = timeout
    }

    /// What a fetch brought back: the bytes as SCB served them (pages merged into one
    /// document), the format, and how many requests reached the network.
    public struct Result: Sendable {
        public var body: [UInt8]
        public var format: PxWebFormat
        public var pages: Int
        public var requests: Int
        public var query: String
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
        let query = Self.describe(request)
        var session = Session(client: self, query: query)
        let config = try session.json("\(base)/config")
        let maxCells = max(1, config["maxDataCells"]?.int ?? 150_000)
        let table = Self.escape(request.table)
        let meta = try session.json("\(base)/tables/\(table)/metadata?lang=sv")
        let variables = try PxWebSelection.variables(meta, query: query)
        let selection = try PxWebSelection.resolve(request, variables: variables, query: query, registry: registry)
        let pages = try PxWebPaging.pages(selection.compactMap { v, codes in codes.map { (v.code, $0) } }, maxCells: maxCells, query: query)
        if pages.count > 1 && format == .px {
            throw FetchError("\(query): \(pages.count) pages of at most \(maxCells) cells; PX cannot be joined, fetch as json-stat2 or csv")
        }
        var bodies: [[UInt8]] = []
        for page in pages {
            let params = page.map { "valuecodes%5B\(Self.escape($0.0))%5D=\($0.1.map(Self.escape).joined(separator: ","))" }
            let url = "\(base)/tables/\(table)/data?lang=sv&outputFormat=\(format.rawValue)&" + params.joined(separator: "&")
            bodies.append(try session.get(url, expectJSON: format == .jsonStat))
        }
        let body = pages.count == 1 ? bodies[0] : try PxWebPaging.merge(bodies, format: format, query: query)
        return Result(body: body, format: format, pages: pages.count, requests: session.requests, query: query)
    }

    /// Fetches and reads the table at once.
    public func importPopulation(_ request: PopulationFetch, options: ScbReadOptions = ScbReadOptions()) throws -> (ScbImport, Result) {
        let result = try fetch(request)
        let name = "\(base)/tables/\(request.table)"
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
    struct Session {
        let client: PxWebClient
        let query: String
        var requests = 0

        mutating func json(_ url: String) throws -> JSONValue {
            let body = try get(url, expectJSON: true)
            do { return try JSONValue.parse(body) } catch { throw FetchError("\(query): \(url): the reply is not JSON") }
        }

        mutating func get(_ url: String, expectJSON: Bool) throws -> [UInt8] {
            if let cached = client.cache?.body(for: url) { return cached }
            if client.offline {
                throw FetchError("\(query): not in the cache\(client.cache.map { " (\($0.directory))" } ?? "")", remedy: .allowFetching(url: url))
            }
            guard let transport = client.transport else { throw FetchError("\(query): no way to reach \(client.base)") }
            var wait: Double = 1
            for attempt in 1...client.maxAttempts {
                requests += 1
                let reply: HTTPResponse
                do { reply = try transport.get(url, timeout: client.timeout) } catch let e as HTTPTransportError {
                    if e.timedOut { throw FetchError("\(query): no reply from \(client.base) within \(client.timeout == client.timeout.rounded() ? String(Int(client.timeout)) : String(client.timeout)) s", remedy: .longerTimeout) }
                    throw FetchError("\(query): \(e.description)")
                }
                switch reply.status {
                case 200:
                    if expectJSON && !Self.looksJSON(reply) {
                        throw FetchError("\(query): \(url): the reply is not JSON (\(reply.headers["content-type"] ?? "no content type"))")
                    }
                    try client.cache?.store(reply.body, for: url)
                    return reply.body
                case 429, 500...599:
                    guard attempt < client.maxAttempts else {
                        throw FetchError("\(query): \(reply.status == 429 ? "too many requests (429)" : "server error \(reply.status)") \(client.maxAttempts) times; try again later")
                    }
                    let after = reply.headers["retry-after"].flatMap { Double($0.trimmingCharacters()) }
                    client.sleep(min(client.maxWait, max(0, after ?? wait)))
                    wait = min(client.maxWait, wait * 2)
                default:
                    throw FetchError("\(query): \(Self.problem(reply))")
                }
            }
            throw FetchError("\(query): gave up after \(client.maxAttempts) attempts")
        }

        static func looksJSON(_ r: HTTPResponse) -> Bool {
            let first = r.body.first { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 && $0 != 0xEF && $0 != 0xBB && $0 != 0xBF }
            return first == UInt8(ascii: "{") || first == UInt8(ascii: "[")
        }

        /// An RFC 7807 problem (`title`, `detail`) as the API sends it, in one line.
        static func problem(_ r: HTTPResponse) -> String {
            let what: String
            switch r.status {
            case 400: what = "bad selection (400)"
            case 403: what = "too many cells (403)"
            case 404: what = "unknown table (404)"
            default: what = "HTTP \(r.status)"
            }
            if let j = try? JSONValue.parse(r.body), let detail = j["detail"]?.string ?? j["title"]?.string {
                return "\(what): \(detail)"
            }
            return looksJSON(r) || r.body.isEmpty ? what : "\(what): the reply is not JSON"
        }
    }
}
