/// What the PxWeb client needs from HTTP: one GET, its status, headers and body. The core
/// builds the queries, pages, retries, parses and caches; a transport only moves bytes (the
/// executables give one over URLSession, in the AnslagFetch target, so AnslagCore stays free
/// of Foundation).
public protocol HTTPTransport: Sendable {
    /// Throws `HTTPTransportError` when no reply came (refused, timed out, bad address).
    func get(_ url: String, timeout: Double) throws -> HTTPResponse
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
public struct FetchError: Error, CustomStringConvertible, Equatable, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
