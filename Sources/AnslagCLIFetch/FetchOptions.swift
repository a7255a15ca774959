import AnslagCore
import AnslagFetch
import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif

/// The core's HTTP transport over AnslagFetch's URLSession GET and POST.
struct URLSessionTransport: HTTPTransport {
    func get(_ url: String, timeout: Double) throws -> HTTPResponse {
        try Self.response(HTTPGet.get(url, timeout: timeout))
    }

    func post(_ url: String, body: [UInt8], contentType: String, timeout: Double) throws -> HTTPResponse {
        try Self.response(HTTPGet.post(url, body: body, contentType: contentType, timeout: timeout))
    }

    static func response(_ r: HTTPGetReply) throws -> HTTPResponse {
        if let failure = r.failure { throw HTTPTransportError(failure, timedOut: r.timedOut) }
        return HTTPResponse(status: r.status, headers: r.headers, body: r.body)
    }
}

/// `--api`, `--api-v1`, `--cache`, `--offline`, `--timeout`: where SCB's PxWeb API is and how
/// replies are kept. The base addresses also come from `ANSLAG_SCB_API` and
/// `ANSLAG_SCB_API_V1`, the cache folder from `ANSLAG_CACHE` (else
/// `$XDG_CACHE_HOME/anslag/scb`, else `~/.cache/anslag/scb`).
public struct FetchOptions: ParsableArguments {
    @Option(name: .long, help: "PxWeb API base address: v2, or v1 when it has a /v1/ segment (default: $ANSLAG_SCB_API, else \(PxWebClient.defaultBase)).")
    public var api: String?

    @Option(name: .customLong("api-v1"), help: "PxWeb API v1 base address for a table given by its v1 path, e.g. BE/BE0101/BE0101A/BefolkningNy (default: $ANSLAG_SCB_API_V1, else \(PxWebClient.defaultV1Base)).")
    public var apiV1: String?

    @Option(name: .long, help: "Folder of cached SCB replies (default: $ANSLAG_CACHE, else ~/.cache/anslag/scb).")
    public var cache: String?

    @Flag(name: .long, help: "Never fetch: answer from the cache only (exit 2 when the reply is not there).")
    public var offline = false

    @Option(name: .long, help: "Seconds to wait for a reply from SCB (default 60).")
    public var timeout: Double = 60

    public init() {}

    static func env(_ name: String) -> String? {
        guard let v = getenv(name) else { return nil }
        let s = String(cString: v)
        return s.isEmpty ? nil : s
    }

    public var cacheDirectory: String {
        if let cache { return cache }
        if let c = Self.env("ANSLAG_CACHE") { return c }
        if let x = Self.env("XDG_CACHE_HOME") { return x + "/anslag/scb" }
        return (Self.env("HOME") ?? "/tmp") + "/.cache/anslag/scb"
    }

    public func client() throws -> PxWebClient {
        guard timeout > 0, timeout <= 3600 else { throw ValidationError("--timeout takes seconds between 0 and 3600") }
        return PxWebClient(base: api ?? Self.env("ANSLAG_SCB_API") ?? PxWebClient.defaultBase,
                           v1Base: apiV1 ?? Self.env("ANSLAG_SCB_API_V1") ?? PxWebClient.defaultV1Base,
                           transport: offline ? nil : URLSessionTransport(), cache: FetchCache(directory: cacheDirectory),
                           offline: offline, timeout: timeout)
    }
}
