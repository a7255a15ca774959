import CZlib
#if canImport(Glibc)
import Glibc
#endif

/// PDF tables through poppler-glib: each page's words with their positions, its ruling lines
/// (found on the page rendered at 1 pixel a point, `PdfRaster`), and `PdfLayout`'s reconstruction. Tables
/// are `Sida P, tabell K`; one that goes on over a page break is joined to its first page's.
/// A PDF without a text layer is refused (it needs OCR), an encrypted one says so, and poppler's
/// errors become one line naming the file and the page (poppler's own logging is silenced).
enum PdfDocuments {
    static func read(_ source: InputSource, limits: ReadLimits) throws -> DocumentReader {
        let file = source.displayName
        let bytes = try source.readAll(limit: limits.maxInputBytes)
        try PdfPrescan.check(bytes, file: file, limits: limits)
        let pop = try Poppler.get(for: file)
        _ = silence
        guard let data = bytes.withUnsafeBytes({ pop.g_bytes_new($0.baseAddress, $0.count) }) else {
            throw ReadError.unreadable(file: file, reason: "out of memory")
        }
        defer { pop.g_bytes_unref(data) }
        var rawError: UnsafeMutableRawPointer?
        guard let doc = pop.poppler_document_new_from_bytes(data, nil, &rawError) else {
            let error = rawError?.assumingMemoryBound(to: Poppler.GError.self).pointee
            let message = error?.message.map { String(cString: $0) } ?? "unknown error"
            let encrypted = error?.domain == pop.poppler_error_quark() && error?.code == Poppler.errorEncrypted
            if rawError != nil { pop.g_error_free(rawError) }
            if encrypted {
                throw ReadError.unsupported(file: file, what: "encrypted PDF (password-protected); save it without a password and try again")
            }
            throw ReadError.malformed(file: file, part: nil, detail: "not a PDF Anslag can read (poppler: \(message))")
        }
        defer { pop.g_object_unref(UnsafeMutableRawPointer(doc)) }
        let pages = Int(pop.poppler_document_get_n_pages(doc))
        guard pages > 0 else { throw ReadError.malformed(file: file, part: nil, detail: "the PDF has no pages") }
        guard pages <= limits.maxPdfPages else {
            throw ReadError.limitExceeded(file: file, part: nil, detail: "\(pages) pages, more than the \(limits.maxPdfPages) allowed")
        }
        var tables: [DocumentTable] = []
        var paragraphs: [DocumentParagraph] = []
        var characters = 0
        var last: (table: PdfLayout.Table, index: Int, page: Int)? = nil
        let raster = PdfRaster(pop)
        for p in 0..<pages {
            let started = monotonicSeconds()
            guard let page = pop.poppler_document_get_page(doc, Int32(p)) else {
                throw ReadError.malformed(file: file, part: "page \(p + 1)", detail: "poppler cannot read the page")
            }
            defer { pop.g_object_unref(UnsafeMutableRawPointer(page)) }
            // Rendered first: poppler-glib keeps the text it finds while rendering, and the words reuse it.
            let rendered = raster.rasterize(page)
            let (words, count) = Self.words(page, pop)
            characters += count
            let (horizontal, vertical) = words.isEmpty || !rendered ? ([], []) : raster.rulingLines(words: words)
            let layout = PdfLayout(words: words, horizontal: horizontal, vertical: vertical).run()
            var k = 0
            let firstTable = tables.count
            var joinedFirst = false
            for (n, t) in layout.tables.enumerated() {
                if n == 0, let prev = last, prev.page == p - 1, let joined = joinAcrossPages(prev.table, t) {
                    tables[prev.index].cells = joined.cells
                    tables[prev.index].merged = joined.merged
                    last = (joined, prev.index, p)
                    joinedFirst = true
                    continue
                }
                k += 1
                tables.append(DocumentTable(name: "Sida \(p + 1), tabell \(k)", captions: t.captions, cells: t.cells, merged: t.merged))
                last = (t, tables.count - 1, p)
            }
            // Only a table that ends its page (no running text below it) may go on over the break.
            if layout.tables.isEmpty || layout.paragraphs.contains(where: { $0.tablesBefore == layout.tables.count }) { last = nil }
            for (n, para) in layout.paragraphs.enumerated() {
                paragraphs.append(DocumentParagraph(text: para.text, location: "Sida \(p + 1), stycke \(n + 1)",
                                                    tablesBefore: firstTable + max(0, para.tablesBefore - (joinedFirst ? 1 : 0))))
            }
            let took = monotonicSeconds() - started
            if took > limits.maxPdfSecondsPerPage {
                throw ReadError.limitExceeded(file: file, part: "page \(p + 1)",
                    detail: "reading the page took \(Int(took)) s, more than the \(Int(limits.maxPdfSecondsPerPage)) s allowed")
            }
        }
        if characters == 0 {
            throw ReadError.unsupported(file: file,
                what: "a PDF without a text layer (scanned pages?): it needs OCR (text recognition, e.g. ocrmypdf) before its tables can be read")
        }
        return DocumentReader(file: file, kind: .pdf, tables: tables, paragraphs: paragraphs)
    }

    /// Poppler logs its complaints through GLib; they must not reach stderr.
    static let silence: Void = {
        guard case .success(let pop) = Poppler.loaded else { return }
        let quiet: Poppler.LogFunc = { _, _, _, _ in }
        _ = pop.g_log_set_handler("Poppler", 0xFF, quiet, nil)
        _ = pop.g_log_set_handler(nil, 0xFC, quiet, nil)
    }()

    static func monotonicSeconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }

    /// The page's words with their boxes, and how many characters (not spaces) it has.
    static func words(_ page: OpaquePointer, _ pop: Poppler) -> ([PdfLayout.Word], Int) {
        guard let textPtr = pop.poppler_page_get_text(page) else { return ([], 0) }
        defer { pop.g_free(textPtr) }
        let text = String(cString: textPtr)
        var rawRects: UnsafeMutableRawPointer?
        var n: UInt32 = 0
        guard pop.poppler_page_get_text_layout(page, &rawRects, &n) != 0, let rawRects else { return ([], 0) }
        defer { pop.g_free(rawRects) }
        let rects = rawRects.bindMemory(to: Poppler.Rectangle.self, capacity: Int(n))
        var words: [PdfLayout.Word] = []
        var current = "", box = (0.0, 0.0, 0.0, 0.0), characters = 0
        func flush() {
            if !current.isEmpty { words.append(PdfLayout.Word(text: current, x0: box.0, y0: box.1, x1: box.2, y1: box.3)) }
            current = ""
        }
        var i = 0
        for scalar in text.unicodeScalars {
            guard i < Int(n) else { break }
            let r = rects[i]
            i += 1
            if scalar.properties.isWhitespace || scalar.value < 32 { flush(); continue }
            characters += 1
            if current.isEmpty { box = (r.x1, r.y1, r.x2, r.y2) }
            else {
                // A jump back or down is a new word even without a space between.
                // (Poppler does not always put a space between words far apart: a visible gap
                // of a third of the glyph's height is one too.)
                if r.x1 < box.2 - 1 || r.y1 > box.3 || r.x1 - box.2 > (r.y2 - r.y1) / 3 {
                    flush(); box = (r.x1, r.y1, r.x2, r.y2)
                }
                box = (min(box.0, r.x1), min(box.1, r.y1), max(box.2, r.x2), max(box.3, r.y2))
            }
            current.unicodeScalars.append(scalar)
        }
        flush()
        return (words, characters)
    }
}

/// Bounds a PDF before poppler reads it: its object count (the largest cross-reference `/Size`)
/// and every Flate stream's inflated size (each stream is inflated once here, into a scratch
/// buffer, and refused past `ReadLimits.maxPdfStreamBytes`).
enum PdfPrescan {
    static func check(_ bytes: [UInt8], file: String, limits: ReadLimits) throws {
        let size = Array("/Size".utf8), stream = Array("stream".utf8), flate = Array("FlateDecode".utf8)
        var objects = 0
        var scratch = [UInt8](repeating: 0, count: 1 << 16)
        try bytes.withUnsafeBufferPointer { b in
            var i = 0
            let n = b.count
            func matches(_ needle: [UInt8], at i: Int) -> Bool {
                guard i + needle.count <= n else { return false }
                for k in 0..<needle.count where b[i + k] != needle[k] { return false }
                return true
            }
            var lastStreamEnd = 0
            while i < n {
                let c = b[i]
                if c == UInt8(ascii: "/"), matches(size, at: i) {
                    var j = i + size.count, v = 0
                    while j < n, b[j] == 32 || b[j] == 10 || b[j] == 13 { j += 1 }
                    while j < n, b[j] >= 48, b[j] <= 57, v < 1 << 40 { v = v * 10 + Int(b[j] - 48); j += 1 }
                    objects = max(objects, v)
                    if objects > limits.maxPdfObjects {
                        throw ReadError.limitExceeded(file: file, part: nil, detail: "\(objects) objects, more than the \(limits.maxPdfObjects) allowed")
                    }
                    i = j
                    continue
                }
                if c == UInt8(ascii: "s"), matches(stream, at: i), i >= 3, b[i - 1] != UInt8(ascii: "d") {
                    var j = i + stream.count
                    if j < n, b[j] == 13 { j += 1 }
                    guard j < n, b[j] == 10 || b[j - 1] == 13 else { i += 1; continue }
                    if b[j] == 10 { j += 1 }
                    // The stream's dictionary lies between the previous stream's end and here.
                    let from = max(lastStreamEnd, i - 4096)
                    var isFlate = false
                    var k = from
                    while k + flate.count <= i { if b[k] == UInt8(ascii: "F"), matches(flate, at: k) { isFlate = true; break }; k += 1 }
                    if isFlate {
                        let inflated = try inflatedSize(b, from: j, scratch: &scratch, limit: limits.maxPdfStreamBytes)
                        if inflated > limits.maxPdfStreamBytes {
                            throw ReadError.limitExceeded(file: file, part: "stream at byte \(i)",
                                detail: "a compressed stream inflates past \(limits.maxPdfStreamBytes >> 20) MiB (a decompression bomb?)")
                        }
                    }
                    lastStreamEnd = j
                    i = j
                    continue
                }
                i += 1
            }
        }
    }

    /// Inflates from `from` until the stream ends, the data stops being zlib, or `limit` is passed.
    static func inflatedSize(_ b: UnsafeBufferPointer<UInt8>, from: Int, scratch: inout [UInt8], limit: Int64) throws -> Int64 {
        var z = z_stream()
        guard inflateInit_(&z, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else { return 0 }
        defer { inflateEnd(&z) }
        var total: Int64 = 0
        let available = b.count - from
        guard available > 0 else { return 0 }
        z.next_in = UnsafeMutablePointer(mutating: b.baseAddress! + from)
        z.avail_in = uInt(min(available, Int(UInt32.max)))
        while true {
            let rc: Int32 = scratch.withUnsafeMutableBufferPointer { out in
                z.next_out = out.baseAddress
                z.avail_out = uInt(out.count)
                let rc = inflate(&z, Z_NO_FLUSH)
                total += Int64(out.count - Int(z.avail_out))
                return rc
            }
            if rc != Z_OK || total > limit { break }
        }
        return total
    }
}
