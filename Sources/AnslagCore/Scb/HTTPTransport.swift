/// What the PxWeb client needs from HTTP: a GET (API v2, and v1 metadata) or a POST of a
/// JSON query (API v1 data), with the reply's status, headers and body. The core builds the
/// queries, pages, retries, parses and caches; a transport only moves bytes (the executables
/// give one over URLSession, in the AnslagFetch target, so AnslagCore stays free of Foundation).
public protocol HTTPTransport: Sendable {
    /// Throws `HTTPTransportError` when no reply came (refused, timed out, bad address).
    func get(_ url: String, timeout: Double) throws -> HTTPResponse
    /// POSTs `body` (of `contentType`) to `url`. Throws `HTTPTransportError` when no reply came.
    func post(_ url: String, body: [UInt8], contentType: String, timeout: Double) throws -> HTTPResponse
}

extension HTTPTransport {
    /// A transport that only GETs cannot ask PxWeb API v1 for data.
    public func post(_ url: String, body: [UInt8], contentType: String, timeout: Double) throws -> HTTPResponse {
        throw HTTPTransportError("this transport cannot POST (needed for PxWeb API v1 data): \(url)")
    }
}

public struct HTTPResponse: Sendable {
    public var status: Int
    /// Header names in lower case.
    public var headers: [String: String]
    public var body: [UInt8]
    public init(status: Int, headers: [String: String], body: [UInt8]) {
        self.status = status; self.headers = headers; self.body = body
    }
}

public struct HTTPTransportError: Error, CustomStringConvertible, Sendable {
    public let description: String
    /// The reply did not come within the timeout.
    public let timedOut: Bool
    public init(_ description: String, timedOut: Bool = false) { self.description = description; self.timedOut = timedOut }
}

/// Why a fetch from SCB failed: one line naming the query.
/// The problem, and what could be done about it; the core names no command-line option
/// (a tool words the remedy with its own, `AnslagCLI`).
public struct FetchError: Error, CustomStringConvertible, Equatable, Sendable {
    public let problem: String
    public let remedy: FetchRemedy?
    public init(_ problem: String, remedy: FetchRemedy? = nil) { self.problem = problem; self.remedy = remedy }

    public var description: String {
        switch remedy {
        case nil: return problem
        case .chooseValue(let v)?: return problem + "; choose one (where: {\(v): VALUE})"
        case .allowFetching(let url)?: return problem + " and the client is offline: it does not fetch \(url)"
        case .longerTimeout?: return problem
        }
    }
}

/// What a failed fetch could do instead.
public enum FetchRemedy: Sendable, Equatable {
    /// Choose one value of this variable (it has several and cannot be eliminated).
    case chooseValue(variable: String)
    /// Fetch this address (the reply is not in the cache and the client is offline).
    case allowFetching(url: String)
    /// Wait longer for a reply.
    case longerTimeout
}
