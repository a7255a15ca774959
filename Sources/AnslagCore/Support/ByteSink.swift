#if canImport(Glibc)
import Glibc
#endif

/// A buffered byte writer over a C stream. Writers in the core write to one; the caller decides
/// whether it is standard output or an `AtomicFile`.
public final class ByteSink {
    private let stream: UnsafeMutablePointer<FILE>
    private var buffer: [UInt8] = []
    private let name: String
    private let capacity = 1 << 16

    public init(stream: UnsafeMutablePointer<FILE>, name: String) {
        self.stream = stream
        self.name = name
        buffer.reserveCapacity(capacity + 4096)
    }

    /// Standard output.
    public static func standardOutput() -> ByteSink { ByteSink(stream: fdopen(1, "wb"), name: "<stdout>") }

    @inline(__always)
    public func write(_ s: String) throws {
        var s = s
        s.withUTF8 { buffer.append(contentsOf: $0) }
        if buffer.count >= capacity { try flushBuffer() }
    }

    @inline(__always)
    public func write(byte: UInt8) throws {
        buffer.append(byte)
        if buffer.count >= capacity { try flushBuffer() }
    }

    /// Writes an integer in decimal without building a String.
    @inline(__always)
    public func write(integer v: Int64) throws {
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        var m = v.magnitude
        try withUnsafeMutableBytes(of: &digits) { raw in
            var k = raw.count
            repeat {
                k -= 1
                raw[k] = UInt8(truncatingIfNeeded: 48 &+ m % 10)
                m /= 10
            } while m > 0
            if v < 0 { k -= 1; raw[k] = 45 }
            try write(bytes: UnsafeRawBufferPointer(rebasing: raw[k...]).bindMemory(to: UInt8.self))
        }
    }

    @inline(__always)
    public func write(bytes: UnsafeBufferPointer<UInt8>) throws {
        buffer.append(contentsOf: bytes)
        if buffer.count >= capacity { try flushBuffer() }
    }

    public func write<S: Sequence>(bytes: S) throws where S.Element == UInt8 {
        buffer.append(contentsOf: bytes)
        if buffer.count >= capacity { try flushBuffer() }
    }

    private func flushBuffer() throws {
        guard !buffer.isEmpty else { return }
        let n = buffer.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, stream) }
        let wanted = buffer.count
        buffer.removeAll(keepingCapacity: true)
        if n != wanted {
            throw WriteError.failed(file: name, reason: String(cString: strerror(errno)))
        }
    }

    /// Writes everything buffered through to the stream.
    public func flush() throws {
        try flushBuffer()
        if fflush(stream) != 0 { throw WriteError.failed(file: name, reason: String(cString: strerror(errno))) }
    }
}

/// Why output could not be written.
public enum WriteError: Error, Equatable, CustomStringConvertible, Sendable {
    case failed(file: String, reason: String)
    case exists(file: String)
    case wouldOverwriteInput(file: String)

    public var description: String {
        switch self {
        case .failed(let file, let reason): return "\(file): cannot write: \(reason)"
        case .exists(let file): return "\(file): the output file exists; add --force to replace it"
        case .wouldOverwriteInput(let file): return "\(file): refusing to write the output over an input file"
        }
    }
}

/// Writes a file atomically: into a temporary file beside it, renamed over the target only
/// when the whole output succeeded. A failed run leaves no file and never touches an input.
public enum AtomicFile {
    /// Refuses to replace an input, or an existing file without `force`.
    static func checkTarget(_ path: String, force: Bool, inputs: [String]) throws {
        var st = stat()
        guard stat(path, &st) == 0 else { return }
        for input in inputs {
            var si = stat()
            if stat(input, &si) == 0 && si.st_dev == st.st_dev && si.st_ino == st.st_ino {
                throw WriteError.wouldOverwriteInput(file: path)
            }
        }
        if !force { throw WriteError.exists(file: path) }
    }

    /// A new temporary file beside `path`: its descriptor and name.
    static func temporary(beside path: String) throws -> (Int32, String) {
        let slash = path.lastIndex(of: "/")
        let dir = slash.map { String(path[...$0]) } ?? ""
        let base = slash.map { String(path[path.index(after: $0)...]) } ?? path
        var template = Array((dir + "." + base + ".anslag-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw WriteError.failed(file: path, reason: String(cString: strerror(errno))) }
        return (fd, String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self))
    }

    /// For writers that want a path (libxlsxwriter): `body` writes the file at the temporary
    /// path it is given, which is renamed over `path` only when `body` succeeds.
    public static func writePath(to path: String, force: Bool = false, inputs: [String] = [], _ body: (String) throws -> Void) throws {
        try checkTarget(path, force: force, inputs: inputs)
        let (fd, tmp) = try temporary(beside: path)
        close(fd)
        do {
            try body(tmp)
        } catch {
            unlink(tmp)
            throw error
        }
        chmod(tmp, 0o644)
        if rename(tmp, path) != 0 {
            let reason = String(cString: strerror(errno))
            unlink(tmp)
            throw WriteError.failed(file: path, reason: reason)
        }
    }

    public static func write(to path: String, force: Bool = false, inputs: [String] = [],
                             _ body: (ByteSink) throws -> Void) throws {
        try checkTarget(path, force: force, inputs: inputs)
        let (fd, tmp) = try temporary(beside: path)
        guard let f = fdopen(fd, "wb") else {
            close(fd); unlink(tmp)
            throw WriteError.failed(file: path, reason: String(cString: strerror(errno)))
        }
        do {
            let sink = ByteSink(stream: f, name: path)
            try body(sink)
            try sink.flush()
            fchmod(fd, 0o644)
            if fclose(f) != 0 { throw WriteError.failed(file: path, reason: String(cString: strerror(errno))) }
        } catch {
            fclose(f)
            unlink(tmp)
            throw error
        }
        if rename(tmp, path) != 0 {
            let reason = String(cString: strerror(errno))
            unlink(tmp)
            throw WriteError.failed(file: path, reason: reason)
        }
    }
}
