// HTTP GET and POST through URLSession (FoundationNetworking ships with the Swift toolchain on
// Linux).
// Foundation stays inside this module: its ICU clashes with libxml2's in one module, so the
// API below uses plain Swift types only and AnslagCore never sees Foundation.
internal import Foundation
#if canImport(FoundationNetworking)
internal import FoundationNetworking
#endif

/// The reply to one GET or POST, or why none came.
public struct HTTPGetReply: Sendable {
    public var status: Int
    public var headers: [String: String]
    public var body: [UInt8]
    /// Set when no reply came: the reason, and whether the timeout ran out.
    public var failure: String?
    public var timedOut: Bool
}

public enum HTTPGet {
    /// Fetches `url`, waiting at most `timeout` seconds for the whole reply. Header names
    /// come back in lower case. No cookies, no cache, no redirects to other schemes.
    public static func get(_ url: String, timeout: Double) -> HTTPGetReply {
        request(url, method: "GET", body: nil, contentType: nil, timeout: timeout)
    }

    /// POSTs `body` (with `Content-Type: contentType`) to `url`, as `get` does otherwise: PxWeb
    /// API v1 answers a JSON query POSTed to a table's address with its data.
    public static func post(_ url: String, body: [UInt8], contentType: String, timeout: Double) -> HTTPGetReply {
        request(url, method: "POST", body: body, contentType: contentType, timeout: timeout)
    }

    static func request(_ url: String, method: String, body: [UInt8]?, contentType: String?, timeout: Double) -> HTTPGetReply {
        guard let u = URL(string: url), u.scheme == "http" || u.scheme == "https" else {
            return HTTPGetReply(status: 0, headers: [:], body: [], failure: "\(url) is not an http(s) address", timedOut: false)
        }
        let config = URLSessionConfiguration.ephemeral
        config.timeoutIntervalForRequest = timeout
        config.timeoutIntervalForResource = timeout
        config.urlCache = nil
        config.requestCachePolicy = .reloadIgnoringLocalCacheData
        let session = URLSession(configuration: config)
        defer { session.finishTasksAndInvalidate() }
        var request = URLRequest(url: u, timeoutInterval: timeout)
        request.setValue("application/json, text/csv, */*", forHTTPHeaderField: "Accept")
        request.setValue("Anslag (https://github.com/anslag)", forHTTPHeaderField: "User-Agent")
        request.httpMethod = method
        if let body {
            request.httpBody = Data(body)
            if let contentType { request.setValue(contentType, forHTTPHeaderField: "Content-Type") }
        }
        let done = DispatchSemaphore(value: 0)
        let box = ReplyBox()
        let task = session.dataTask(with: request) { data, response, error in
            if let error {
                let ns = error as NSError
                let timedOut = ns.domain == NSURLErrorDomain && ns.code == NSURLErrorTimedOut
                box.reply = HTTPGetReply(status: 0, headers: [:], body: [], failure: error.localizedDescription, timedOut: timedOut)
            } else if let http = response as? HTTPURLResponse {
                var headers: [String: String] = [:]
                for (k, v) in http.allHeaderFields {
                    if let k = k as? String, let v = v as? String { headers[k.lowercased()] = v }
                }
                box.reply = HTTPGetReply(status: http.statusCode, headers: headers, body: data.map { [UInt8]($0) } ?? [], failure: nil, timedOut: false)
            } else {
                box.reply = HTTPGetReply(status: 0, headers: [:], body: [], failure: "no HTTP reply", timedOut: false)
            }
            done.signal()
        }
        task.resume()
        // The session's own timeout ends the task; a second guard in case it does not.
        if done.wait(timeout: .now() + timeout + 5) == .timedOut {
            task.cancel()
            return HTTPGetReply(status: 0, headers: [:], body: [], failure: "no reply within \(timeout) s", timedOut: true)
        }
        return box.reply!
    }
}

/// Written once by the task's completion handler before the semaphore is signalled, read
/// after the wait: the semaphore orders the two, so no lock is needed.
private final class ReplyBox: @unchecked Sendable {
    var reply: HTTPGetReply?
}
