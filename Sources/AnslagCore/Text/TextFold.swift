/// The text folding every name and label matcher uses: lower case, no diacritics, single
/// spaces, dashes as spaces.
enum TextFold {
    /// Folds a name for lookup: lower case, no diacritics, single spaces.
    static func fold(_ s: String) -> String { foldASCII(s) ?? foldCharacters(s) }

    /// `fold`, character by character (any text).
    static func foldCharacters(_ s: String) -> String {
        var out = ""
        var lastSpace = true
        for ch in s.lowercased() {
            let c: Character
            switch ch {
            case "å", "ä", "á", "à", "â": c = "a"
            case "ö", "ó", "ò", "ô", "ø": c = "o"
            case "é", "è", "ê", "ë": c = "e"
            case "ü", "ú": c = "u"
            case "-", "\u{2013}": c = " "
            default: c = ch
            }
            if c == " " || c == "\u{00A0}" {
                if !lastSpace { out.append(" ") }
                lastSpace = true
            } else {
                out.append(c)
                lastSpace = false
            }
        }
        if out.hasSuffix(" ") { out.removeLast() }
        return out
    }

    /// `fold` of ASCII text, byte by byte; nil when the text is not all ASCII.
    static func foldASCII(_ s: String) -> String? {
        var s = s
        return s.withUTF8 { u -> String? in
            guard !u.contains(where: { $0 >= 0x80 }) else { return nil }
            return String(unsafeUninitializedCapacity: u.count) { out in
                var n = 0
                var lastSpace = true
                for b in u {
                    let c = b == UInt8(ascii: "-") ? UInt8(ascii: " ") : (b >= 65 && b <= 90 ? b + 32 : b)
                    if c == UInt8(ascii: " ") {
                        if !lastSpace { out[n] = c; n += 1 }
                        lastSpace = true
                    } else {
                        out[n] = c; n += 1
                        lastSpace = false
                    }
                }
                if n > 0 && out[n - 1] == UInt8(ascii: " ") { n -= 1 }
                return n
            }
        }
    }
}
