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
    public func text() -> String {
        var out = ""
        write(to: &out, indent: 0)
        out.append("\n")
        return out
    }

    private func write(to out: inout String, indent: Int) {
        switch self {
        case .string(let s): out.append(JSONOut.quote(s))
        case .int(let v): out.append(String(v))
        case .number(let n): out.append(n)
        case .bool(let b): out.append(b ? "true" : "false")
        case .null: out.append("null")
        case .array(let items):
            if items.isEmpty { out.append("[]"); return }
            if isScalarLike && items.allSatisfy({ if case .object = $0 { return false }; return true }) {
                out.append("[")
                for (i, v) in items.enumerated() { if i > 0 { out.append(", ") }; v.write(to: &out, indent: indent) }
                out.append("]")
                return
            }
            out.append("[\n")
            for (i, v) in items.enumerated() {
                out.append(String(repeating: " ", count: indent + 2))
                v.write(to: &out, indent: indent + 2)
                out.append(i + 1 < items.count ? ",\n" : "\n")
            }
            out.append(String(repeating: " ", count: indent) + "]")
        case .object(let members):
            if members.isEmpty { out.append("{}"); return }
            if isScalarLike {
                out.append("{")
                for (i, (k, v)) in members.enumerated() {
                    if i > 0 { out.append(", ") }
                    out.append(JSONOut.quote(k)); out.append(": ")
                    v.write(to: &out, indent: indent)
                }
                out.append("}")
                return
            }
            out.append("{\n")
            for (i, (k, v)) in members.enumerated() {
                out.append(String(repeating: " ", count: indent + 2))
                out.append(JSONOut.quote(k)); out.append(": ")
                v.write(to: &out, indent: indent + 2)
                out.append(i + 1 < members.count ? ",\n" : "\n")
            }
            out.append(String(repeating: " ", count: indent) + "}")
        }
    }

    static func quote(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out.append("\\\"")
            case "\\": out.append("\\\\")
            case "\n": out.append("\\n")
            case "\r": out.append("\\r")
            case "\t": out.append("\\t")
            case _ where u.value < 0x20:
                let h = String(u.value, radix: 16)
                out.append("\\u" + String(repeating: "0", count: 4 - h.count) + h)
            default: out.unicodeScalars.append(u)
            }
        }
        out.append("\"")
        return out
    }
}
