/// Careful byte-level editing of OOXML parts: find an element's start tag by its local name
/// (with the part's own namespace prefix), read and set attributes, insert text. Nothing is
/// parsed into a tree, so everything not edited stays byte for byte.
struct XmlBytes {
    var bytes: [UInt8]
    /// The root element's prefix with its colon (`x:`), or empty.
    let prefix: [UInt8]

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        var p: [UInt8] = []
        var i = 0
        while i + 1 < bytes.count {
            if bytes[i] == UInt8(ascii: "<"), bytes[i + 1] != UInt8(ascii: "?"), bytes[i + 1] != UInt8(ascii: "!") {
                var j = i + 1
                var name: [UInt8] = []
                while j < bytes.count, !XmlBytes.isNameEnd(bytes[j]) { name.append(bytes[j]); j += 1 }
                if let colon = name.firstIndex(of: UInt8(ascii: ":")) { p = Array(name[...colon]) }
                break
            }
            i += 1
        }
        prefix = p
    }

    static func isNameEnd(_ b: UInt8) -> Bool {
        b == UInt8(ascii: " ") || b == UInt8(ascii: ">") || b == UInt8(ascii: "/") || b == 9 || b == 10 || b == 13
    }

    func find(_ needle: [UInt8], from start: Int, before end: Int? = nil) -> Int? {
        let limit = (end ?? bytes.count) - needle.count
        guard !needle.isEmpty, start <= limit else { return nil }
        let first = needle[0]
        var i = start
        while i <= limit {
            if bytes[i] == first {
                var k = 1
                while k < needle.count && bytes[i + k] == needle[k] { k += 1 }
                if k == needle.count { return i }
            }
            i += 1
        }
        return nil
    }

    /// The next start tag `<prefix:name …>` from `start`: its range, up to and including `>`.
    func startTag(_ name: String, from start: Int, before end: Int? = nil) -> Range<Int>? {
        let needle = [UInt8(ascii: "<")] + prefix + Array(name.utf8)
        var i = start
        while let at = find(needle, from: i, before: end) {
            let after = at + needle.count
            if after < bytes.count, XmlBytes.isNameEnd(bytes[after]), let close = tagEnd(from: after) { return at..<(close + 1) }
            i = at + 1
        }
        return nil
    }

    /// The `>` closing a tag that started before `from`, skipping quoted attribute values.
    func tagEnd(from: Int) -> Int? {
        var quote: UInt8 = 0
        var i = from
        while i < bytes.count {
            let b = bytes[i]
            if quote != 0 { if b == quote { quote = 0 } }
            else if b == UInt8(ascii: "\"") || b == UInt8(ascii: "'") { quote = b }
            else if b == UInt8(ascii: ">") { return i }
            i += 1
        }
        return nil
    }

    /// The end tag `</prefix:name>` from `start`: where it begins.
    func endTag(_ name: String, from start: Int) -> Int? {
        find(Array("</".utf8) + prefix + Array(name.utf8) + [UInt8(ascii: ">")], from: start)
    }

    func selfClosing(_ tag: Range<Int>) -> Bool { tag.count >= 2 && bytes[tag.upperBound - 2] == UInt8(ascii: "/") }

    /// An attribute's value in a tag (unescaped only of nothing: the values used here are plain).
    static func attribute(_ name: String, in tag: ArraySlice<UInt8>) -> String? {
        let tagBytes = Array(tag)
        let needle = Array(name.utf8) + [UInt8(ascii: "=")]
        var i = 0
        while i + needle.count < tagBytes.count {
            if (tagBytes[i] == UInt8(ascii: " ") || tagBytes[i] == 9 || tagBytes[i] == 10 || tagBytes[i] == 13),
               Array(tagBytes[(i + 1)..<min(tagBytes.count, i + 1 + needle.count)]) == needle {
                let q = i + 1 + needle.count
                guard q < tagBytes.count else { return nil }
                let quote = tagBytes[q]
                guard let close = tagBytes[(q + 1)...].firstIndex(of: quote) else { return nil }
                return String(decoding: tagBytes[(q + 1)..<close], as: UTF8.self)
            }
            i += 1
        }
        return nil
    }

    /// The tag with `name` set to `value`: replaced where it is, else added before the end.
    static func setting(_ name: String, _ value: String, in tag: [UInt8]) -> [UInt8] {
        let needle = Array(name.utf8) + [UInt8(ascii: "=")]
        var i = 0
        while i + needle.count < tag.count {
            if (tag[i] == UInt8(ascii: " ") || tag[i] == 9 || tag[i] == 10 || tag[i] == 13),
               Array(tag[(i + 1)..<(i + 1 + needle.count)]) == needle {
                let q = i + 1 + needle.count
                let quote = tag[q]
                if let close = tag[(q + 1)...].firstIndex(of: quote) {
                    return Array(tag[...q]) + Array(value.utf8) + Array(tag[close...])
                }
            }
            i += 1
        }
        let end = tag.count - (tag.count >= 2 && tag[tag.count - 2] == UInt8(ascii: "/") ? 2 : 1)
        return Array(tag[..<end]) + Array(" \(name)=\"\(value)\"".utf8) + Array(tag[end...])
    }

    mutating func insert(_ text: String, at i: Int) { bytes.insert(contentsOf: Array(text.utf8), at: i) }

    /// Sets `count` on a container's start tag to `n`.
    mutating func setCount(_ tag: Range<Int>, _ n: Int) {
        let t = XmlBytes.setting("count", String(n), in: Array(bytes[tag]))
        bytes.replaceSubrange(tag, with: t)
    }

    /// The child elements `name` directly in `start..<end` (their full ranges).
    func elements(_ name: String, from start: Int, to end: Int) -> [Range<Int>] {
        var out: [Range<Int>] = []
        var i = start
        while let tag = startTag(name, from: i, before: end) {
            if selfClosing(tag) { out.append(tag); i = tag.upperBound; continue }
            guard let close = endTag(name, from: tag.upperBound) else { break }
            let stop = close + 3 + prefix.count + name.utf8.count
            out.append(tag.lowerBound..<stop)
            i = stop
        }
        return out
    }
}

enum XmlText {
    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for ch in s.unicodeScalars {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default:
                // Characters XML 1.0 cannot hold are left out.
                if ch.value < 0x20 && ch != "\t" && ch != "\n" && ch != "\r" { continue }
                out.unicodeScalars.append(ch)
            }
        }
        return out
    }
}
