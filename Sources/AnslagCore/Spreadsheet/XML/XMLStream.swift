import CLibXML2
#if canImport(Glibc)
import Glibc
#endif

/// A local element or attribute name from the parser, compared without allocating.
/// Namespaces are ignored on purpose: transitional and Strict OOXML, and files with
/// non-standard prefixes, use the same local names.
struct XMLName {
    let pointer: UnsafePointer<UInt8>

    @inline(__always)
    func `is`(_ s: StaticString) -> Bool {
        // Byte by byte: names are short and most comparisons fail on the first byte.
        let n = s.utf8CodeUnitCount
        let p = s.utf8Start
        for i in 0..<n where pointer[i] != p[i] { return false }
        return pointer[n] == 0
    }

    var string: String { String(cString: pointer) }
}

/// The attributes of a start tag, as libxml2's SAX2 hands them over
/// (five pointers each: local name, prefix, URI, value start, value end).
struct XMLAttributes {
    let base: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?
    let count: Int

    @inline(__always)
    func bytes(_ name: StaticString) -> UnsafeBufferPointer<UInt8>? {
        guard let base else { return nil }
        for i in 0..<count {
            let local = XMLName(pointer: base[i * 5]!)
            if local.is(name) {
                let start = base[i * 5 + 3]!, end = base[i * 5 + 4]!
                return UnsafeBufferPointer(start: start, count: end - start)
            }
        }
        return nil
    }

    func string(_ name: StaticString) -> String? {
        bytes(name).map { String(decoding: $0, as: UTF8.self) }
    }

    /// A non-negative decimal integer attribute; nil when absent or not a number.
    @inline(__always)
    func int(_ name: StaticString) -> Int? {
        guard let b = bytes(name), !b.isEmpty else { return nil }
        return parseInt(b)
    }

    /// Every attribute as (local name, value), for the rare elements that need them all.
    var all: [(String, String)] {
        guard let base else { return [] }
        return (0..<count).map { i in
            let start = base[i * 5 + 3]!, end = base[i * 5 + 4]!
            return (String(cString: base[i * 5]!),
                    String(decoding: UnsafeBufferPointer(start: start, count: end - start), as: UTF8.self))
        }
    }
}

@inline(__always)
func parseInt(_ b: UnsafeBufferPointer<UInt8>) -> Int? {
    var v = 0
    var any = false
    for u in b {
        if u == 32 || u == 9 { if any { break } else { continue } }
        guard u >= 48 && u <= 57 else { return nil }
        v = v &* 10 &+ Int(u - 48)
        any = true
        if v > 1 << 40 { return nil }
    }
    return any ? v : nil
}

/// Receives parse events. Subclass and override; throwing from a handler stops the parse
/// and the error comes out of `XMLStream.parse`.
class XMLHandler {
    func start(_ name: XMLName, _ attributes: XMLAttributes) throws {}
    func end(_ name: XMLName) throws {}
    func text(_ bytes: UnsafeBufferPointer<UInt8>) {}
}

/// Streams one XML part through libxml2's SAX2 push parser, chunk by chunk, so memory does
/// not grow with the document. DTDs are refused outright (no entity declarations, no
/// external entities, no network), which closes entity-expansion bombs and XXE.
final class XMLStream {
    private final class Box {
        let handler: XMLHandler
        var error: (any Error)?
        var refusedDTD = false
        var parser: xmlParserCtxtPtr?
        init(_ handler: XMLHandler) { self.handler = handler }
    }

    static let silence: Void = {
        xmlSetStructuredErrorFunc(nil) { _, _ in }
        xmlSetGenericErrorFunc(nil, nil)
    }()

    /// Parses the part named `part` of `file`, fed by `feed`, which calls its argument with
    /// successive chunks.
    static func parse(file: String, part: String, handler: XMLHandler,
                      feed: ((UnsafeRawBufferPointer) throws -> Void) throws -> Void) throws {
        _ = silence
        var sax = xmlSAXHandler()
        sax.initialized = XML_SAX2_MAGIC
        sax.startElementNs = { ctx, localname, _, _, _, _, nbAttributes, _, attributes in
            let box = Unmanaged<Box>.fromOpaque(ctx!).takeUnretainedValue()
            guard box.error == nil, let localname else { return }
            do {
                try box.handler.start(XMLName(pointer: localname),
                                      XMLAttributes(base: attributes, count: Int(nbAttributes)))
            } catch {
                box.error = error
                xmlStopParser(box.parser)
            }
        }
        sax.endElementNs = { ctx, localname, _, _ in
            let box = Unmanaged<Box>.fromOpaque(ctx!).takeUnretainedValue()
            guard box.error == nil, let localname else { return }
            do { try box.handler.end(XMLName(pointer: localname)) } catch {
                box.error = error
                xmlStopParser(box.parser)
            }
        }
        let characters: charactersSAXFunc = { ctx, chars, len in
            let box = Unmanaged<Box>.fromOpaque(ctx!).takeUnretainedValue()
            guard box.error == nil, let chars else { return }
            box.handler.text(UnsafeBufferPointer(start: chars, count: Int(len)))
        }
        sax.characters = characters
        sax.cdataBlock = characters
        sax.internalSubset = { ctx, _, _, _ in
            let box = Unmanaged<Box>.fromOpaque(ctx!).takeUnretainedValue()
            box.refusedDTD = true
            xmlStopParser(box.parser)
        }
        sax.entityDecl = { ctx, _, _, _, _, _ in
            let box = Unmanaged<Box>.fromOpaque(ctx!).takeUnretainedValue()
            box.refusedDTD = true
            xmlStopParser(box.parser)
        }
        sax.serror = { _, _ in }

        let box = Box(handler)
        let unmanaged = Unmanaged.passRetained(box)
        defer { unmanaged.release() }
        guard let ctxt = xmlCreatePushParserCtxt(&sax, unmanaged.toOpaque(), nil, 0, nil) else {
            throw ReadError.unreadable(file: file, reason: "cannot start the XML parser")
        }
        defer { xmlFreeParserCtxt(ctxt) }
        box.parser = ctxt
        // NOENT only decodes the predefined entities in attributes: with DTDs refused,
        // no other entity can exist.
        xmlCtxtUseOptions(ctxt, Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOENT.rawValue
                                      | XML_PARSE_NOCDATA.rawValue | XML_PARSE_COMPACT.rawValue))

        func check(_ rc: Int32) throws {
            if let error = box.error { throw error }
            if box.refusedDTD {
                throw ReadError.limitExceeded(file: file, part: part,
                    detail: "XML document type declarations (DTD, entities) are not allowed in spreadsheet parts")
            }
            if rc != 0 {
                var detail = "malformed XML"
                if let err = xmlCtxtGetLastError(ctxt), let msg = err.pointee.message {
                    let text = String(cString: msg).trimmingCharacters()
                    detail = "malformed XML at line \(err.pointee.line): \(text)"
                }
                throw ReadError.malformed(file: file, part: part, detail: detail)
            }
        }
        try feed { chunk in
            guard let base = chunk.baseAddress, box.error == nil else { return }
            var offset = 0
            // xmlParseChunk takes an Int32 size.
            while offset < chunk.count {
                let n = min(chunk.count - offset, 1 << 24)
                let rc = xmlParseChunk(ctxt, (base + offset).assumingMemoryBound(to: CChar.self), Int32(n), 0)
                try check(rc)
                offset += n
            }
        }
        try check(xmlParseChunk(ctxt, nil, 0, 1))
    }

    /// Parses an in-memory part.
    static func parse(file: String, part: String, bytes: [UInt8], handler: XMLHandler) throws {
        try parse(file: file, part: part, handler: handler) { sink in
            try bytes.withUnsafeBytes { try sink($0) }
        }
    }
}

