/// Text encodings Anslag reads.
public enum TextEncoding: String, Sendable, CaseIterable {
    case utf8 = "utf-8"
    case utf8BOM = "utf-8-bom"
    case windows1252 = "windows-1252"
    case utf16LE = "utf-16le"
    case utf16BE = "utf-16be"

    /// Accepts the usual spellings: `utf8`, `UTF-8`, `latin1`, `iso-8859-1`, `cp1252`, …
    public init?(name: String) {
        switch String(name.lowercased().map { $0 == "_" ? "-" : $0 }) {
        case "utf-8", "utf8": self = .utf8
        case "utf-8-bom", "utf8-bom", "utf-8-sig", "utf8bom": self = .utf8BOM
        case "windows-1252", "cp1252", "latin1", "latin-1", "iso-8859-1", "iso8859-1", "ansi": self = .windows1252
        case "utf-16le", "utf16le": self = .utf16LE
        case "utf-16be", "utf16be": self = .utf16BE
        default: return nil
        }
    }
}

public enum TextDecoding {
    /// Decodes bytes: a BOM decides; else valid UTF-8 is UTF-8; else Windows-1252 (a superset
    /// of ISO-8859-1 for the printable range, which is what Swedish Excel and SCB write).
    /// Returns the text (without BOM) and the encoding used.
    public static func decode(_ bytes: [UInt8], as forced: TextEncoding? = nil) -> (String, TextEncoding) {
        // Detected UTF-8 is validated and decoded in one pass.
        if forced == nil, !bytes.starts(with: [0xEF, 0xBB, 0xBF]), !bytes.starts(with: [0xFF, 0xFE]),
           !bytes.starts(with: [0xFE, 0xFF]), let text = String(validating: bytes, as: UTF8.self) {
            return (text, .utf8)
        }
        let encoding = forced ?? detect(bytes)
        switch encoding {
        case .utf8, .utf8BOM:
            let body = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(bytes[3...]) : bytes
            return (String(decoding: body, as: UTF8.self), encoding)
        case .windows1252:
            return (windows1252(bytes), .windows1252)
        case .utf16LE, .utf16BE:
            var units: [UInt16] = []
            units.reserveCapacity(bytes.count / 2)
            var i = 0
            while i + 1 < bytes.count {
                let u = encoding == .utf16LE ? UInt16(bytes[i]) | UInt16(bytes[i + 1]) << 8
                                             : UInt16(bytes[i]) << 8 | UInt16(bytes[i + 1])
                units.append(u)
                i += 2
            }
            if units.first == 0xFEFF { units.removeFirst() }
            return (String(decoding: units, as: UTF16.self), encoding)
        }
    }

    public static func detect(_ bytes: [UInt8]) -> TextEncoding {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { return .utf8BOM }
        if bytes.starts(with: [0xFF, 0xFE]) { return .utf16LE }
        if bytes.starts(with: [0xFE, 0xFF]) { return .utf16BE }
        return isValidUTF8(bytes) ? .utf8 : .windows1252
    }

    public static func isValidUTF8(_ bytes: [UInt8]) -> Bool {
        String(validating: bytes, as: UTF8.self) != nil
    }

    /// The 0x80–0x9F range of Windows-1252; the rest maps to the same code point.
    private static let high: [UInt32] = [
        0x20AC, 0x81, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8D, 0x017D, 0x8F,
        0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x9D, 0x017E, 0x0178,
    ]

    static func windows1252(_ bytes: [UInt8]) -> String {
        var s = String.UnicodeScalarView()
        s.reserveCapacity(bytes.count)
        for b in bytes {
            let v: UInt32 = b >= 0x80 && b < 0xA0 ? high[Int(b - 0x80)] : UInt32(b)
            s.append(Unicode.Scalar(v)!)
        }
        return String(s)
    }
}
