/// An ordered JSON value for writing: keys stay in the order given, so output is deterministic
/// and diffs cleanly. Printed with one object per line where an object holds only scalars.
public indirect enum JSONOut: Sendable, Equatable {
    case object([(String, JSONOut)])
    case array([JSONOut])
    case string(String)
    case int(Int64)
    /// A number written as given (exact decimals).
    case number(String)
    case bool(Bool)
    case null

    public static func == (a: JSONOut, b: JSONOut) -> Bool { a.text() == b.text() }

    public static func optional(_ s: String?) -> JSONOut { s.map { .string($0) } ?? .null }
    public static func optional(_ v: Int64?) -> JSONOut { v.map { .int($0) } ?? .null }

    var isScalarLike: Bool {
        switch self {
        case .object(let m): return m.allSatisfy { $0.1.isFlat }
        case .array(let a): return a.allSatisfy { $0.isFlat }
        default: return true
        }
    }

    private var isFlat: Bool {
        switch self {
        case .object(let m): return m.isEmpty
        case .array(let a): return a.allSatisfy { if case .object = $0 { return false }; if case .array = $0 { return false }; return true }
        default: return true
        }
    }

    /// The whole document, ending with a newline.
    public func text() -> String { String(decoding: bytes(), as: UTF8.self) }

    /// The whole document as UTF-8, ending with a newline.
    public func bytes() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(1 << 16)
        write(to: &out, indent: 0)
        out.append(10)
        return out
    }

    /// This value as UTF-8, printed as if it stood at `indent` (no trailing newline).
    public func bytes(indent: Int) -> [UInt8] {
        var out: [UInt8] = []
        write(to: &out, indent: indent)
        return out
    }

    private static func indent(_ out: inout [UInt8], _ n: Int) {
        for _ in 0..<n { out.append(32) }
    }

    private static func append(_ out: inout [UInt8], _ s: String) {
        var s = s
        s.withUTF8 { out.append(contentsOf: $0) }
    }

    private func write(to out: inout [UInt8], indent: Int) {
        switch self {
        case .string(let s): JSONOut.quote(s, into: &out)
        case .int(let v): JSONOut.append(&out, String(v))
        case .number(let n): JSONOut.append(&out, n)
        case .bool(let b): JSONOut.append(&out, b ? "true" : "false")
        case .null: JSONOut.append(&out, "null")
        case .array(let items):
            if items.isEmpty { JSONOut.append(&out, "[]"); return }
            if isScalarLike && items.allSatisfy({ if case .object = $0 { return false }; return true }) {
                out.append(UInt8(ascii: "["))
                for (i, v) in items.enumerated() {
                    if i > 0 { out.append(44); out.append(32) }
                    v.write(to: &out, indent: indent)
                }
                out.append(UInt8(ascii: "]"))
                return
            }
            JSONOut.append(&out, "[\n")
            for (i, v) in items.enumerated() {
                JSONOut.indent(&out, indent + 2)
                v.write(to: &out, indent: indent + 2)
                if i + 1 < items.count { out.append(44) }
                out.append(10)
            }
            JSONOut.indent(&out, indent)
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            if members.isEmpty { JSONOut.append(&out, "{}"); return }
            if isScalarLike {
                out.append(UInt8(ascii: "{"))
                for (i, (k, v)) in members.enumerated() {
                    if i > 0 { out.append(44); out.append(32) }
                    JSONOut.quote(k, into: &out)
                    out.append(58); out.append(32)
                    v.write(to: &out, indent: indent)
                }
                out.append(UInt8(ascii: "}"))
                return
            }
            JSONOut.append(&out, "{\n")
            for (i, (k, v)) in members.enumerated() {
                JSONOut.indent(&out, indent + 2)
                JSONOut.quote(k, into: &out)
                out.append(58); out.append(32)
                v.write(to: &out, indent: indent + 2)
                if i + 1 < members.count { out.append(44) }
                out.append(10)
            }
            JSONOut.indent(&out, indent)
            out.append(UInt8(ascii: "}"))
        }
    }

    static func quote(_ s: String, into out: inout [UInt8]) {
        out.append(34)
        JSONText.appendEscaped(s, to: &out)
        out.append(34)
    }
}
