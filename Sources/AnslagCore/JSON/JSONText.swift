/// JSON string escaping, shared by every JSON writer.
public enum JSONText {
    public static func writeString(_ s: String, to sink: ByteSink) throws {
        try sink.write(byte: 0x22)
        try writeEscaped(s, to: sink)
        try sink.write(byte: 0x22)
    }

    /// The string with JSON's escapes, no quotes around it.
    static func writeEscaped(_ s: String, to sink: ByteSink) throws {
        var s = s
        var needsEscape = false
        s.withUTF8 { b in needsEscape = b.contains { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C } }
        if !needsEscape {
            try sink.write(s)
        } else {
            var out: [UInt8] = []
            appendEscaped(s, to: &out)
            try sink.write(bytes: out)
        }
    }

    /// The string's UTF-8 with JSON's escapes (no quotes around it).
    static func appendEscaped(_ s: String, to out: inout [UInt8]) {
        var s = s
        s.withUTF8 { b in
            for u in b {
                switch u {
                case 0x22: out += [0x5C, 0x22]
                case 0x5C: out += [0x5C, 0x5C]
                case 0x0A: out += [0x5C, 0x6E]
                case 0x0D: out += [0x5C, 0x72]
                case 0x09: out += [0x5C, 0x74]
                case 0..<0x20:
                    let hex = Array("0123456789abcdef".utf8)
                    out += [0x5C, 0x75, 0x30, 0x30, hex[Int(u >> 4)], hex[Int(u & 15)]]
                default: out.append(u)
                }
            }
        }
    }
}
