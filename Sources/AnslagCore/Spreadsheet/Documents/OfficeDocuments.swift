/// Word (`.docx`) and PowerPoint (`.pptx`) tables through the zip and XML stack of the xlsx
/// reader (libxml2 SAX, no DTDs, the zip ratio limits).
enum OfficeDocuments {
    /// `word/document.xml`: the body's `w:tbl`, nested tables as their own tables (numbered in
    /// the order they start); headers, footers (other parts), text boxes (`w:txbxContent`) and
    /// the fallback copies of alternate content are left out.
    static func docx(_ zip: ZipArchive, limits: ReadLimits) throws -> DocumentReader {
        let h = DocxHandler(limit: limits.maxRepeatedCells)
        try parse(zip, "word/document.xml", h, limits: limits)
        return DocumentReader(file: zip.file, kind: .docx, tables: h.tables, paragraphs: h.paragraphs)
    }

    /// `ppt/presentation.xml` gives the slide order; each slide's `a:tbl` (in graphic frames)
    /// is a table, its title placeholder the table's title; the slide's other text is running text.
    static func pptx(_ zip: ZipArchive, limits: ReadLimits) throws -> DocumentReader {
        let pres = PresentationHandler()
        try parse(zip, "ppt/presentation.xml", pres, limits: limits)
        var targets: [String: String] = [:]
        if zip.contains("ppt/_rels/presentation.xml.rels") {
            let rels = DocumentRelationshipsHandler()
            try parse(zip, "ppt/_rels/presentation.xml.rels", rels, limits: limits)
            targets = rels.targets
        }
        var tables: [DocumentTable] = []
        var paragraphs: [DocumentParagraph] = []
        for (n, id) in pres.slideIds.enumerated() {
            guard let target = targets[id] else {
                throw ReadError.malformed(file: zip.file, part: "ppt/presentation.xml", detail: "slide \(n + 1) (\(id)) has no part")
            }
            let part = target.hasPrefix("/") ? String(target.dropFirst()) : "ppt/" + target
            guard zip.contains(part) else {
                throw ReadError.malformed(file: zip.file, part: part, detail: "slide \(n + 1) is missing")
            }
            let slide = SlideHandler(number: n + 1, limit: limits.maxRepeatedCells)
            try parse(zip, part, slide, limits: limits)
            let before = tables.count
            for t in slide.tables {
                var t = t
                if let title = slide.title, !title.isEmpty { t.captions = [title] }
                if slide.hidden { t.state = .hidden }
                tables.append(t)
            }
            for (k, p) in slide.texts.enumerated() {
                paragraphs.append(DocumentParagraph(text: p, location: "Bild \(n + 1), stycke \(k + 1)", tablesBefore: before))
            }
        }
        return DocumentReader(file: zip.file, kind: .pptx, tables: tables, paragraphs: paragraphs)
    }

    static func parse(_ zip: ZipArchive, _ part: String, _ handler: XMLHandler, limits: ReadLimits) throws {
        guard zip.contains(part) else {
            throw ReadError.malformed(file: zip.file, part: part, detail: "the part is missing")
        }
        do {
            try XMLStream.parse(file: zip.file, part: zip.storedName(part), handler: handler) { sink in try zip.stream(part, sink) }
        } catch DocumentLimit.cells(let n) {
            throw ReadError.limitExceeded(file: zip.file, part: part, detail: "a table spans or repeats more than \(n) cells (denial of service?)")
        }
    }
}

/// An attribute with a namespace prefix (`r:id`, not the plain `id` beside it).
func prefixedAttribute(_ a: XMLAttributes, _ name: StaticString) -> String? {
    guard let base = a.base else { return nil }
    for i in 0..<a.count where base[i * 5 + 1] != nil && XMLName(pointer: base[i * 5]!).is(name) {
        let start = base[i * 5 + 3]!, end = base[i * 5 + 4]!
        return String(decoding: UnsafeBufferPointer(start: start, count: end - start), as: UTF8.self)
    }
    return nil
}

final class DocxHandler: XMLHandler {
    private struct Open {
        var index: Int
        var grid: TableGridBuilder
        var cellText = ""
        var cellParagraphs = 0
        var span = 1
        var vMerge: String? = nil   // "restart", "continue"
        var inCell = false
    }
    private let limit: Int
    private(set) var tables: [DocumentTable] = []
    private(set) var paragraphs: [DocumentParagraph] = []
    private var open: [Open] = []
    private var sinceTable: [String] = []
    private var paragraph = ""
    private var ignored = 0      // inside a text box or an alternate content's fallback
    private var inText = false
    private var body = false

    init(limit: Int) { self.limit = limit }

    override func start(_ name: XMLName, _ a: XMLAttributes) throws {
        if name.is("body") { body = true; return }
        guard body else { return }
        if name.is("txbxContent") || name.is("Fallback") { ignored += 1; return }
        guard ignored == 0 else { return }
        if name.is("t") { inText = true; return }
        if name.is("tab") { append("\t") } else if name.is("br") || name.is("cr") { append("\n") }
        else if name.is("tbl") {
            let index = tables.count
            tables.append(DocumentTable(name: "Tabell \(index + 1)", captions: open.isEmpty ? captionLines(sinceTable) : []))
            if open.isEmpty { sinceTable = [] }
            open.append(Open(index: index, grid: TableGridBuilder(limit: limit)))
        } else if name.is("tr"), !open.isEmpty {
            open[open.count - 1].grid.beginRow()
        } else if name.is("gridBefore"), !open.isEmpty, !open[open.count - 1].inCell {
            open[open.count - 1].grid.skip(a.int("val") ?? 0)
        } else if name.is("tc"), !open.isEmpty {
            open[open.count - 1].inCell = true
            open[open.count - 1].cellText = ""
            open[open.count - 1].cellParagraphs = 0
            open[open.count - 1].span = 1
            open[open.count - 1].vMerge = nil
        } else if name.is("gridSpan"), !open.isEmpty {
            open[open.count - 1].span = max(1, a.int("val") ?? 1)
        } else if name.is("vMerge"), !open.isEmpty {
            open[open.count - 1].vMerge = a.string("val") == "restart" ? "restart" : "continue"
        } else if name.is("p") {
            if let last = open.indices.last, open[last].inCell {
                if open[last].cellParagraphs > 0 { open[last].cellText.append("\n") }
                open[last].cellParagraphs += 1
            } else {
                paragraph = ""
            }
        }
    }

    private func append(_ s: String) {
        if let last = open.indices.last, open[last].inCell { open[last].cellText.append(s) } else if open.isEmpty { paragraph.append(s) }
    }

    override func end(_ name: XMLName) throws {
        guard body else { return }
        if name.is("txbxContent") || name.is("Fallback") { ignored -= 1; return }
        guard ignored == 0 else { return }
        if name.is("t") { inText = false }
        else if name.is("tc"), let last = open.indices.last {
            let o = open[last]
            if o.vMerge == "continue" {
                open[last].grid.continueAbove(columns: o.span)
            } else {
                try open[last].grid.cell(tidyText(o.cellText), columns: o.span)
            }
            open[last].inCell = false
        } else if name.is("tbl"), let o = open.popLast() {
            tables[o.index].cells = o.grid.finish()
            tables[o.index].merged = o.grid.merged
        } else if name.is("p"), open.isEmpty {
            let text = tidyText(paragraph, keepNewlines: false)
            if !text.isEmpty {
                paragraphs.append(DocumentParagraph(text: text, location: "Stycke \(paragraphs.count + 1)", tablesBefore: tables.count))
                sinceTable.append(text)
            }
        }
    }

    override func text(_ bytes: UnsafeBufferPointer<UInt8>) {
        if inText && ignored == 0 { append(String(decoding: bytes, as: UTF8.self)) }
    }
}

/// `p:sldIdLst` in slide order.
final class PresentationHandler: XMLHandler {
    private(set) var slideIds: [String] = []
    override func start(_ name: XMLName, _ a: XMLAttributes) throws {
        if name.is("sldId"), let id = prefixedAttribute(a, "id") { slideIds.append(id) }
    }
}

/// A relationships part: Id → Target.
final class DocumentRelationshipsHandler: XMLHandler {
    private(set) var targets: [String: String] = [:]
    override func start(_ name: XMLName, _ a: XMLAttributes) throws {
        if name.is("Relationship"), let id = a.string("Id"), let t = a.string("Target") { targets[id] = t }
    }
}

final class SlideHandler: XMLHandler {
    let number: Int
    private let limit: Int
    private(set) var tables: [DocumentTable] = []
    private(set) var texts: [String] = []
    private(set) var title: String?
    private(set) var hidden = false
    private var grid: TableGridBuilder?
    private var cellText = ""
    private var cellParagraphs = 0
    private var cellSpan = (1, 1)
    private var cellCovered = false
    private var inCell = false
    private var inShape = false
    private var shapeIsTitle = false
    private var shapeParagraphs: [String] = []
    private var paragraph = ""
    private var inText = false

    init(number: Int, limit: Int) { self.number = number; self.limit = limit }

    override func start(_ name: XMLName, _ a: XMLAttributes) throws {
        if name.is("sld") { hidden = a.string("show") == "0" || a.string("show") == "false" }
        else if name.is("sp") { inShape = true; shapeIsTitle = false; shapeParagraphs = [] }
        else if name.is("ph"), inShape { let t = a.string("type"); shapeIsTitle = t == "title" || t == "ctrTitle" }
        else if name.is("tbl") { grid = TableGridBuilder(limit: limit, explicitCovered: true) }
        else if name.is("tr") { grid?.beginRow() }
        else if name.is("tc"), grid != nil {
            inCell = true; cellText = ""; cellParagraphs = 0
            cellSpan = (max(1, a.int("gridSpan") ?? 1), max(1, a.int("rowSpan") ?? 1))
            let h = a.string("hMerge"), v = a.string("vMerge")
            cellCovered = h == "1" || h == "true" || v == "1" || v == "true"
        } else if name.is("p") {
            if inCell { if cellParagraphs > 0 { cellText.append("\n") }; cellParagraphs += 1 } else { paragraph = "" }
        } else if name.is("t") { inText = true }
        else if name.is("br") { if inCell { cellText.append("\n") } else { paragraph.append(" ") } }
    }

    override func end(_ name: XMLName) throws {
        if name.is("t") { inText = false }
        else if name.is("tc"), inCell {
            inCell = false
            if cellCovered { grid?.covered() } else { try grid?.cell(tidyText(cellText), columns: cellSpan.0, rows: cellSpan.1) }
        } else if name.is("tbl"), let g = grid {
            tables.append(DocumentTable(name: "Bild \(number), tabell \(tables.count + 1)", cells: g.finish(), merged: g.merged))
            grid = nil
        } else if name.is("p"), !inCell, inShape {
            let t = tidyText(paragraph, keepNewlines: false)
            if !t.isEmpty { shapeParagraphs.append(t) }
        } else if name.is("sp"), inShape {
            inShape = false
            if shapeIsTitle { title = shapeParagraphs.joined(separator: " ") } else { texts += shapeParagraphs }
        }
    }

    override func text(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard inText else { return }
        if inCell { cellText.append(String(decoding: bytes, as: UTF8.self)) } else if inShape { paragraph.append(String(decoding: bytes, as: UTF8.self)) }
    }
}
