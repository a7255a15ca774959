#if canImport(Glibc)
import Glibc
#endif

/// Replies from SCB kept on disk, keyed by the full request: for a GET its URL (base, which
/// names the API version, table, selection, format); for a POST (API v1 data) `POST URL`, a
/// newline and the JSON query, so the key holds the version, the table and the whole body.
/// `KEY.body` holds the bytes as served, `KEY.url` the request key, for people looking in.
/// Written atomically; only successful replies are kept.
public struct FetchCache: Sendable {
    public let directory: String

    public init(directory: String) { self.directory = directory }

    /// FNV-1a 64 of the request key, hex: stable across runs and machines.
    static func key(_ url: String) -> String {
        var h: UInt64 = 0xcbf29ce484222325
        for b in url.utf8 { h ^= UInt64(b); h = h &* 0x100000001b3 }
        let hex = String(h, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    public func body(for url: String) -> [UInt8]? {
        let base = "\(directory)/\(Self.key(url))"
        // A key collision (another URL) is a miss.
        guard let stored = try? FileInput.read(path: base + ".url", limit: 1 << 20),
              String(decoding: stored, as: UTF8.self) == url else { return nil }
        return try? FileInput.read(path: base + ".body", limit: 512 << 20)
    }

    public func store(_ body: [UInt8], for url: String) throws {
        try makeDirectory(directory)
        let base = "\(directory)/\(Self.key(url))"
        try AtomicFile.write(to: base + ".body", force: true) { try $0.write(bytes: body) }
        try AtomicFile.write(to: base + ".url", force: true) { try $0.write(url) }
    }

    /// `mkdir -p`.
    func makeDirectory(_ path: String) throws {
        var p = ""
        for (i, part) in path.split(separator: "/", omittingEmptySubsequences: false).enumerated() {
            p = i == 0 ? String(part) : p + "/" + part
            if p.isEmpty { continue }
            if mkdir(p, 0o755) != 0 && errno != EEXIST {
                throw FetchError("\(directory): cannot make the cache folder: \(String(cString: strerror(errno)))")
            }
        }
    }
}
