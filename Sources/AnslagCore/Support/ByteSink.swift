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
        case .exists(let file): return "\(file): the output file exists"
        case .wouldOverwriteInput(let file): return "\(file): refusing to write the output over an input file"
        }
    }
}
