#if canImport(Glibc)
import Glibc
#endif

/// A strict, streaming XML tokenizer for the two parts that dominate reading time: worksheets
/// and the shared-string table. `Scripts/bench` shows why it exists: libxml2's SAX2 parser with
/// empty callbacks takes longer on the benchmark sheets than the whole budget Anslag has for
/// reading them (figures in README.md). Everything else still goes through libxml2.
///
/// It drives the same `XMLHandler`s as `XMLStream`, with the same name and attribute layout,
/// so the two paths share every rule about cells. It checks well-formedness as it goes (tag
/// nesting, one root, quoted attributes, known entities, no text outside the root) and refuses
/// DTDs like `XMLStream`. Documents in an encoding other than UTF-8 are handed to libxml2.
final class FastXMLScanner {
    /// Thrown before any event was delivered when the document needs the full parser.
    struct NeedsFullParser: Error {}

    private let file: String
    private let part: String
    private let handler: XMLHandler
    private var buffer: [UInt8] = []
    private var stack = ByteBuffer()         // names of open elements, each followed by a 0
    private var starts = UnsafeMutablePointer<Int>.allocate(capacity: 64)
    private var startsCapacity = 64
    private var depth = 0
    private var sawRoot = false
    private var rootClosed = false
    private var started = false
    private var line = 1
    private var scratch: [UInt8] = []        // decoded text
    private var attrScratch: [UInt8] = []    // decoded attribute values
    private var attrPointers = UnsafeMutablePointer<UnsafePointer<xmlCharCompat>?>.allocate(capacity: 5 * 64)
    private var attrCapacity = 64
    private var nameEnds = UnsafeMutablePointer<Int>.allocate(capacity: 64)
    private var attrCount = 0

    typealias xmlCharCompat = UInt8

    private init(file: String, part: String, handler: XMLHandler) {
        self.file = file; self.part = part; self.handler = handler
        buffer.reserveCapacity(1 << 19)
        scratch.reserveCapacity(1024)
        attrScratch.reserveCapacity(1024)
    }

    deinit { stack.free(); attrPointers.deallocate(); starts.deallocate(); nameEnds.deallocate() }

    private func pushName(_ p: UnsafeMutablePointer<UInt8>, _ n: Int) {
        if depth == startsCapacity {
            let q = UnsafeMutablePointer<Int>.allocate(capacity: startsCapacity * 2)
            q.update(from: starts, count: depth)
            starts.deallocate()
            starts = q
            startsCapacity *= 2
        }
        starts[depth] = stack.count
        depth += 1
        stack.append(UnsafeBufferPointer(start: p, count: n))
        stack.append(0)
    }

    private func addAttribute(_ name: UnsafePointer<UInt8>, _ start: UnsafePointer<UInt8>?, _ end: UnsafePointer<UInt8>?) {
        if attrCount == attrCapacity {
            let p = UnsafeMutablePointer<UnsafePointer<xmlCharCompat>?>.allocate(capacity: 10 * attrCapacity)
            p.update(from: attrPointers, count: 5 * attrCount)
            attrPointers.deallocate()
            attrPointers = p
            let e = UnsafeMutablePointer<Int>.allocate(capacity: 2 * attrCapacity)
            e.update(from: nameEnds, count: attrCount)
            nameEnds.deallocate()
            nameEnds = e
            attrCapacity *= 2
        }
        let b = attrPointers + 5 * attrCount
        b[0] = name; b[1] = nil; b[2] = nil; b[3] = start; b[4] = end
        attrCount += 1
    }

    /// Parses with this scanner, or with libxml2 when the document is not UTF-8.
    static func parse(file: String, part: String, handler: XMLHandler,
                      feed: ((UnsafeRawBufferPointer) throws -> Void) throws -> Void) throws {
        let scanner = FastXMLScanner(file: file, part: part, handler: handler)
        do {
            try feed { chunk in try scanner.push(chunk) }
            try scanner.finish()
        } catch is NeedsFullParser {
            try XMLStream.parse(file: file, part: part, handler: handler, feed: feed)
        }
    }

    private func malformed(_ what: String) -> ReadError {
        .malformed(file: file, part: part, detail: "malformed XML at line \(line): \(what)")
    }

    private func push(_ chunk: UnsafeRawBufferPointer) throws {
        buffer.append(contentsOf: chunk.bindMemory(to: UInt8.self))
        if !started {
            if buffer.count < 4 { return }
            started = true
            if buffer.starts(with: [0xEF, 0xBB, 0xBF]) { buffer.removeFirst(3) }
            else if buffer.starts(with: [0xFF, 0xFE]) || buffer.starts(with: [0xFE, 0xFF]) || buffer[0] == 0 || buffer[1] == 0 {
                throw NeedsFullParser()
            }
        }
        let consumed = try scan(final: false)
        buffer.removeFirst(consumed)
    }

    private func finish() throws {
        if !started {
            started = true
            if buffer.starts(with: [0xEF, 0xBB, 0xBF]) { buffer.removeFirst(3) }
        }
        let consumed = try scan(final: true)
        if consumed < buffer.count {
            throw malformed("Premature end of data in a tag")
        }
        if !sawRoot { throw malformed("Document is empty") }
        if depth > 0 { throw malformed("Premature end of data: element not closed") }
    }

    /// Scans complete tokens; returns how many bytes were consumed.
    private func scan(final: Bool) throws -> Int {
        let count = buffer.count
        return try buffer.withUnsafeMutableBufferPointer { b -> Int in
            let base = b.baseAddress!
            var i = 0
            while i < count {
                if base[i] != 60 {  // text up to the next '<'
                    var j = i
                    if let p = memchr(base + i, 60, count - i) {
                        j = UnsafeMutableRawPointer(mutating: p).assumingMemoryBound(to: UInt8.self) - base
                    } else {
                        if !final {
                            // Deliver what cannot hold an entity split at the end; keep the rest.
                            var k = count
                            var back = count - 1
                            while back >= i && back >= count - 16 {
                                if base[back] == 38 { k = back; break }
                                back -= 1
                            }
                            if k > i && base[k - 1] == 13 { k -= 1 }  // a CR whose LF may follow
                            if k > i { try text(base, i, k) }
                            return k
                        }
                        j = count
                    }
                    try text(base, i, j)
                    i = j
                    continue
                }
                // A markup token starting at i.
                guard i + 1 < count else { return i }
                let next = base[i + 1]
                if next == 47 {  // '/'
                    var e = i + 2
                    while e < count && base[e] != 62 { e += 1 }
                    guard e < count else { return i }
                    let end = e
                    try endTag(base, i + 2, end)
                    i = end + 1
                } else if next == 33 {  // '!'
                    if matches(base, i, count, "<!--") {
                        guard let end = findSequence(base, from: i + 4, to: count, 45, 45, 62) else { return i }
                        countLines(base, i, end)
                        i = end + 3
                    } else if matches(base, i, count, "<![CDATA[") {
                        guard let end = findSequence(base, from: i + 9, to: count, 93, 93, 62) else { return i }
                        if depth == 0 { throw malformed("CDATA outside the root element") }
                        countLines(base, i, end)
                        handler.text(UnsafeBufferPointer(start: base + i + 9, count: end - i - 9))
                        i = end + 3
                    } else if i + 9 <= count || final {
                        if matches(base, i, count, "<!DOCTYPE") || matches(base, i, count, "<!ENTITY") {
                            throw ReadError.limitExceeded(file: file, part: part,
                                detail: "XML document type declarations (DTD, entities) are not allowed in spreadsheet parts")
                        }
                        throw malformed("unexpected markup '<!'")
                    } else {
                        return i
                    }
                } else if next == 63 {  // '?'
                    guard let end = findSequence(base, from: i + 2, to: count, 63, 62, nil) else { return i }
                    try processingInstruction(base, i + 2, end)
                    i = end + 2
                } else {
                    guard let end = try startTag(base, i + 1, count) else { return i }
                    i = end + 1
                }
            }
            return i
        }
    }

    @inline(__always)
    private func find(_ base: UnsafeMutablePointer<UInt8>, _ byte: UInt8, from: Int, to: Int) -> Int? {
        guard from < to, let p = memchr(base + from, Int32(byte), to - from) else { return nil }
        return UnsafeMutableRawPointer(mutating: p).assumingMemoryBound(to: UInt8.self) - base
    }

    private func findSequence(_ base: UnsafeMutablePointer<UInt8>, from: Int, to: Int, _ a: UInt8, _ b: UInt8, _ c: UInt8?) -> Int? {
        var k = from
        while let p = find(base, a, from: k, to: to) {
            if p + 1 < to && base[p + 1] == b {
                if let c {
                    if p + 2 < to && base[p + 2] == c { return p }
                } else {
                    return p
                }
            }
            if p + 2 >= to { return nil }
            k = p + 1
        }
        return nil
    }

    private func matches(_ base: UnsafeMutablePointer<UInt8>, _ i: Int, _ count: Int, _ s: StaticString) -> Bool {
        let n = s.utf8CodeUnitCount
        return i + n <= count && memcmp(base + i, s.utf8Start, n) == 0
    }

    private func countLines(_ base: UnsafeMutablePointer<UInt8>, _ from: Int, _ to: Int) {
        var k = from
        while let p = find(base, 10, from: k, to: to) { line += 1; k = p + 1 }
    }

    @inline(__always)
    private static func isSpace(_ c: UInt8) -> Bool { c == 32 || c == 10 || c == 9 || c == 13 }

    private func text(_ base: UnsafeMutablePointer<UInt8>, _ from: Int, _ to: Int) throws {
        guard from < to else { return }
        if depth == 0 {
            for k in from..<to where !Self.isSpace(base[k]) {
                throw malformed(rootClosed ? "Extra content at the end of the document" : "Start tag expected, '<' not found")
            }
            countLines(base, from, to)
            return
        }
        var special = false
        for k in from..<to where base[k] == 38 || base[k] == 13 || base[k] == 10 { special = true; break }
        if special { countLines(base, from, to) }
        if !special || (memchr(base + from, 38, to - from) == nil && memchr(base + from, 13, to - from) == nil) {
            handler.text(UnsafeBufferPointer(start: base + from, count: to - from))
            return
        }
        scratch.removeAll(keepingCapacity: true)
        try decode(base, from, to, into: &scratch, attribute: false)
        scratch.withUnsafeBufferPointer { handler.text($0) }
    }

    /// Decodes entity and character references, and normalizes line ends (attribute values
    /// also turn tab, CR and LF into spaces, as XML says).
    private func decode(_ base: UnsafeMutablePointer<UInt8>, _ from: Int, _ to: Int, into out: inout [UInt8], attribute: Bool) throws {
        var k = from
        while k < to {
            let c = base[k]
            if c == 38 {
                guard let semi = find(base, 59, from: k + 1, to: to), semi - k <= 12 else {
                    throw malformed("'&' without a reference")
                }
                let name = UnsafeBufferPointer(start: base + k + 1, count: semi - k - 1)
                if let u = Self.entity(name) {
                    Self.appendUTF8(u, to: &out)
                } else {
                    throw malformed("Entity '\(String(decoding: name, as: UTF8.self))' not defined")
                }
                k = semi + 1
            } else if c == 13 {
                out.append(attribute ? 32 : 10)
                if k + 1 < to && base[k + 1] == 10 { k += 1 }
                k += 1
            } else if attribute && (c == 9 || c == 10) {
                out.append(32); k += 1
            } else {
                out.append(c); k += 1
            }
        }
    }

    private static func entity(_ n: UnsafeBufferPointer<UInt8>) -> UInt32? {
        guard let first = n.first else { return nil }
        if first == 35 {  // '#'
            var v: UInt32 = 0
            var any = false
            if n.count > 1 && (n[1] == 120 || n[1] == 88) {
                for c in n.dropFirst(2) {
                    let d: UInt32
                    switch c {
                    case 48...57: d = UInt32(c - 48)
                    case 65...70: d = UInt32(c - 55)
                    case 97...102: d = UInt32(c - 87)
                    default: return nil
                    }
                    v = v &* 16 &+ d; any = true
                    if v > 0x10FFFF { return nil }
                }
            } else {
                for c in n.dropFirst() {
                    guard c >= 48 && c <= 57 else { return nil }
                    v = v &* 10 &+ UInt32(c - 48); any = true
                    if v > 0x10FFFF { return nil }
                }
            }
            guard any, v != 0, Unicode.Scalar(v) != nil else { return nil }
            return v
        }
        switch String(decoding: n, as: UTF8.self) {
        case "lt": return 60
        case "gt": return 62
        case "amp": return 38
        case "quot": return 34
        case "apos": return 39
        default: return nil
        }
    }

    private static func appendUTF8(_ v: UInt32, to out: inout [UInt8]) {
        switch v {
        case 0..<0x80: out.append(UInt8(v))
        case 0x80..<0x800: out += [UInt8(0xC0 | v >> 6), UInt8(0x80 | v & 0x3F)]
        case 0x800..<0x10000: out += [UInt8(0xE0 | v >> 12), UInt8(0x80 | v >> 6 & 0x3F), UInt8(0x80 | v & 0x3F)]
        default: out += [UInt8(0xF0 | v >> 18), UInt8(0x80 | v >> 12 & 0x3F), UInt8(0x80 | v >> 6 & 0x3F), UInt8(0x80 | v & 0x3F)]
        }
    }

    private func processingInstruction(_ base: UnsafeMutablePointer<UInt8>, _ from: Int, _ to: Int) throws {
        countLines(base, from, to)
        let body = String(decoding: UnsafeBufferPointer(start: base + from, count: to - from), as: UTF8.self)
        guard body.hasPrefix("xml ") || body.hasPrefix("xml\t") || body == "xml" else { return }
        if sawRoot { throw malformed("XML declaration allowed only at the start of the document") }
        // Hand documents in other encodings to libxml2.
        let lower = body.lowercased()
        if let r = lower.firstRange(of: "encoding") {
            let rest = lower[r.upperBound...].drop { $0 == " " || $0 == "=" || $0 == "\"" || $0 == "'" }
            let enc = rest.prefix { $0 != "\"" && $0 != "'" }
            if enc != "utf-8" && enc != "utf8" {
                if started && !sawRoot { throw NeedsFullParser() }
            }
        }
    }

    @inline(__always)
    private func nameEnd(_ base: UnsafeMutablePointer<UInt8>, _ from: Int, _ to: Int) -> Int {
        var k = from
        while k < to {
            let c = base[k]
            if Self.isSpace(c) || c == 47 || c == 62 || c == 61 { break }
            k += 1
        }
        return k
    }

    @inline(__always)
    private func localName(_ base: UnsafeMutablePointer<UInt8>, _ from: Int, _ to: Int) -> Int {
        var k = to - 1
        while k >= from { if base[k] == 58 { return k + 1 }; k -= 1 }
        return from
    }

    /// Parses a start tag whose name begins at `from`, in one pass; returns the index of its
    /// closing '>', or nil when the tag runs past the buffered bytes (the caller waits for more).
    private func startTag(_ base: UnsafeMutablePointer<UInt8>, _ from: Int, _ count: Int) throws -> Int? {
        if rootClosed { throw malformed("Extra content at the end of the document") }
        // The element name.
        var k = from
        while k < count {
            let c = base[k]
            if c <= 32 || c == 47 || c == 62 { break }
            k += 1
        }
        guard k < count else { return nil }
        let ne = k
        guard ne > from, base[from] != 45, !(base[from] >= 48 && base[from] <= 57), base[from] != 61 else {
            throw malformed("invalid element name")
        }
        attrCount = 0
        var pendingDecode: [(slot: Int, start: Int, end: Int)] = []
        var selfClosing = false
        // Attributes, up to '>' or '/>'.
        while true {
            guard k < count else { return nil }
            let c = base[k]
            if c == 62 { break }
            if c == 32 || c == 10 || c == 9 || c == 13 { if c == 10 { line += 1 }; k += 1; continue }
            if c == 47 {
                guard k + 1 < count else { return nil }
                guard base[k + 1] == 62 else { throw malformed("expected '>' after '/'") }
                selfClosing = true
                k += 1
                break
            }
            // name = "value"
            let an = k
            var colon = -1
            while k < count {
                let d = base[k]
                if d == 61 || d <= 32 || d == 62 || d == 47 { break }
                if d == 58 { colon = k }
                k += 1
            }
            let ae = k
            guard k < count else { return nil }
            guard ae > an else { throw malformed("attributes construct error") }
            while k < count && Self.isSpace(base[k]) { k += 1 }
            guard k < count else { return nil }
            guard base[k] == 61 else { throw malformed("Specification mandates value for attribute") }
            k += 1
            while k < count && Self.isSpace(base[k]) { k += 1 }
            guard k < count else { return nil }
            let quote = base[k]
            guard quote == 34 || quote == 39 else { throw malformed("AttValue: \" or ' expected") }
            k += 1
            let vs = k
            var special = false
            while k < count {
                let d = base[k]
                if d == quote { break }
                if d < 39 {
                    if d == 38 || d == 13 || d == 10 || d == 9 { special = true }
                } else if d == 60 {
                    throw malformed("Unescaped '<' not allowed in attribute values")
                }
                k += 1
            }
            guard k < count else { return nil }
            let ve = k
            k += 1
            // Namespace declarations are not attributes (as in libxml2's SAX2).
            if ae - an >= 5 && memcmp(base + an, "xmlns", 5) == 0 && (ae - an == 5 || base[an + 5] == 58) { continue }
            nameEnds[attrCount] = ae
            let aLocal = colon >= 0 ? colon + 1 : an
            if special {
                pendingDecode.append((attrCount, vs, ve))
                addAttribute(UnsafePointer(base + aLocal), nil, nil)
            } else {
                addAttribute(UnsafePointer(base + aLocal), UnsafePointer(base + vs), UnsafePointer(base + ve))
            }
        }
        let end = k  // index of '>'
        // The tag is complete: only now may its bytes change. Terminate the attribute names
        // (each was followed by '=' or a space).
        for a in 0..<attrCount { base[nameEnds[a]] = 0 }
        if !pendingDecode.isEmpty {
            // Values holding references or line ends are decoded into scratch space.
            attrScratch.removeAll(keepingCapacity: true)
            var ranges: [(Int, Int, Int)] = []
            for (slot, vs, ve) in pendingDecode {
                let s = attrScratch.count
                try decode(base, vs, ve, into: &attrScratch, attribute: true)
                ranges.append((slot, s, attrScratch.count))
            }
            attrScratch.append(0)
            attrScratch.withUnsafeBufferPointer { sb in
                for (slot, s, e) in ranges {
                    attrPointers[slot * 5 + 3] = sb.baseAddress! + s
                    attrPointers[slot * 5 + 4] = sb.baseAddress! + e
                }
            }
        }
        // Push the element, terminate its name and deliver.
        var colon = -1
        for q in from..<ne where base[q] == 58 { colon = q }
        pushName(base + from, ne - from)
        sawRoot = true
        base[ne] = 0
        let name = XMLName(pointer: UnsafePointer(base + (colon >= 0 ? colon + 1 : from)))
        try handler.start(name, XMLAttributes(base: attrPointers, count: attrCount))
        if selfClosing { try closeTop(name) }
        return end
    }

    private func endTag(_ base: UnsafeMutablePointer<UInt8>, _ from: Int, _ end: Int) throws {
        var ne = nameEnd(base, from, end)
        var k = ne
        while k < end && Self.isSpace(base[k]) { k += 1 }
        guard k == end, ne > from else { throw malformed("expected '>' in an end tag") }
        guard depth > 0 else { throw malformed("Extra content at the end of the document") }
        let top = starts[depth - 1]
        let open = stack.count - 1 - top
        let same = open == ne - from && memcmp(stack.pointer + top, base + from, open) == 0
        guard same else {
            let openName = String(decoding: UnsafeBufferPointer(start: stack.pointer + top, count: open), as: UTF8.self)
            throw malformed("Opening and ending tag mismatch: \(openName) and \(String(decoding: UnsafeBufferPointer(start: base + from, count: ne - from), as: UTF8.self))")
        }
        let local = localName(base, from, ne)
        base[ne] = 0
        ne = 0
        try closeTop(XMLName(pointer: UnsafePointer(base + local)))
    }

    private func closeTop(_ name: XMLName) throws {
        depth -= 1
        stack.truncate(to: starts[depth])
        if depth == 0 { rootClosed = true }
        try handler.end(name)
    }
}
