/// OpenDocument text (`.odt`) and presentations (`.odp`): `table:table` in `content.xml`,
/// merged cells from `number-columns-spanned` / `number-rows-spanned` with the covered cells
/// taking their places. In a text document, text boxes, annotations and (in styles.xml) headers
/// and footers are left out; in a presentation each `draw:page` is a slide, its title frame the
/// tables' title, its other text frames running text, the speaker notes left out.
enum OdfDocuments {
    static func read(_ zip: ZipArchive, kind: DocumentKind, limits: ReadLimits) throws -> DocumentReader {
        if zip.contains("META-INF/manifest.xml") {
            let manifest = try zip.read("META-INF/manifest.xml")
            if manifest.containsSubsequence(Array("encryption-data".utf8)) {
                throw ReadError.unsupported(file: zip.file, what: "encrypted document (password-protected); save it without a password and try again")
            }
        }
        let h = OdfDocumentHandler(presentation: kind == .odp, limit: limits.maxRepeatedCells)
        try OfficeDocuments.parse(zip, "content.xml", h, limits: limits)
        return DocumentReader(file: zip.file, kind: kind, tables: h.tables, paragraphs: h.paragraphs)
    }
}

final class OdfDocumentHandler: XMLHandler {
    private enum Op { case cell(String?, Int, Int), repeated(String?, Int), covered(Int) }
    private struct Open {
        var index: Int
        var grid: TableGridBuilder
        var row: [Op] = []
        var rowRepeat = 1
        var cellText = ""
        var cellParagraphs = 0
        var inCell = false
        var cell: (columns: Int, rows: Int, repeat: Int, covered: Bool) = (1, 1, 1, false)
    }
    private let presentation: Bool
    private let limit: Int
    private(set) var tables: [DocumentTable] = []
    private(set) var paragraphs: [DocumentParagraph] = []
    private var open: [Open] = []
    private var inBody = false
    private var ignored = 0
    private var paragraphDepth = 0
    private var paragraph = ""
    private var sinceTable: [String] = []
    // Presentations: the slide, its tables, its title frame.
    private var slide = 0
    private var slideTables = 0
    private var slideTexts = 0
    private var slideFirstTable = 0
    private var frameIsTitle = false
    private var frameDepth = 0
    private var slideTitle: String?
    private var materialised = 0

    init(presentation: Bool, limit: Int) { self.presentation = presentation; self.limit = limit }

    override func start(_ name: XMLName, _ a: XMLAttributes) throws {
        if !inBody { inBody = presentation ? name.is("presentation") : name.is("text"); return }
        guard inBody else { return }
        if ignored > 0 { if isIgnored(name) { ignored += 1 }; return }
        if isIgnored(name) { ignored += 1; return }
        if presentation && name.is("page") {
            slide += 1; slideTables = 0; slideTexts = 0; slideTitle = nil; slideFirstTable = tables.count
        } else if presentation && name.is("frame") {
            frameDepth += 1
            if frameDepth == 1 { frameIsTitle = a.string("class") == "title" }
        } else if name.is("table") {
            let index = tables.count
            let tableName = presentation ? "Bild \(slide), tabell \(slideTables + 1)" : "Tabell \(index + 1)"
            slideTables += 1
            tables.append(DocumentTable(name: tableName, captions: open.isEmpty && !presentation ? captionLines(sinceTable) : []))
            if open.isEmpty { sinceTable = [] }
            open.append(Open(index: index, grid: TableGridBuilder(limit: limit, explicitCovered: true)))
        } else if let last = open.indices.last, name.is("table-row") {
            open[last].row = []
            open[last].rowRepeat = max(1, a.int("number-rows-repeated") ?? 1)
        } else if let last = open.indices.last, name.is("table-cell") || name.is("covered-table-cell") {
            open[last].inCell = true
            open[last].cellText = ""
            open[last].cellParagraphs = 0
            open[last].cell = (max(1, a.int("number-columns-spanned") ?? 1), max(1, a.int("number-rows-spanned") ?? 1),
                               max(1, a.int("number-columns-repeated") ?? 1), name.is("covered-table-cell"))
        } else if name.is("p") || name.is("h") {
            if let last = open.indices.last, open[last].inCell {
                if paragraphDepth == 0 {
                    if open[last].cellParagraphs > 0 { open[last].cellText.append("\n") }
                    open[last].cellParagraphs += 1
                }
            } else if paragraphDepth == 0 {
                paragraph = ""
            }
            paragraphDepth += 1
        } else if name.is("s") {
            append(String(repeating: " ", count: min(max(1, a.int("c") ?? 1), 100)))
        } else if name.is("tab") {
            append("\t")
        } else if name.is("line-break") {
            append("\n")
        }
    }

    /// Parts of the body that hold no table or running text of the document.
    private func isIgnored(_ name: XMLName) -> Bool {
        name.is("annotation") || name.is("notes") || name.is("tracked-changes") || (!presentation && (name.is("text-box") || name.is("custom-shape")))
    }

    private func append(_ s: String) {
        if let last = open.indices.last, open[last].inCell { open[last].cellText.append(s) }
        else if open.isEmpty && paragraphDepth > 0 { paragraph.append(s) }
    }

    override func end(_ name: XMLName) throws {
        guard inBody else { return }
        if ignored > 0 { if isIgnored(name) { ignored -= 1 }; return }
        if name.is("text") && !presentation || name.is("presentation") && presentation { inBody = false; return }
        if presentation && name.is("page") {
            if let t = slideTitle, !t.isEmpty {
                for i in slideFirstTable..<tables.count { tables[i].captions = [t] }
            }
        } else if presentation && name.is("frame") {
            frameDepth -= 1
        } else if let last = open.indices.last, name.is("table-cell") || name.is("covered-table-cell") {
            let c = open[last].cell
            open[last].inCell = false
            if c.covered { open[last].row.append(.covered(c.repeat)) }
            else if c.repeat > 1 { open[last].row.append(.repeated(tidyText(open[last].cellText), c.repeat)) }
            else { open[last].row.append(.cell(tidyText(open[last].cellText), c.columns, c.rows)) }
        } else if let last = open.indices.last, name.is("table-row") {
            let ops = open[last].row
            let hasText = ops.contains { if case .cell(let t?, _, _) = $0 { return !t.isEmpty }; if case .repeated(let t?, _) = $0 { return !t.isEmpty }; return false }
            let times = hasText ? open[last].rowRepeat : 1
            for _ in 0..<times {
                materialised += ops.count
                if materialised > limit { throw DocumentLimit.cells(limit) }
                open[last].grid.beginRow()
                for op in ops {
                    switch op {
                    case .cell(let t, let cs, let rs): try open[last].grid.cell(t, columns: cs, rows: rs)
                    case .repeated(let t, let n): try open[last].grid.repeated(t, count: n)
                    case .covered(let n): open[last].grid.covered(columns: n)
                    }
                }
            }
        } else if name.is("table"), let o = open.popLast() {
            tables[o.index].cells = o.grid.finish()
            tables[o.index].merged = o.grid.merged
        } else if name.is("p") || name.is("h") {
            paragraphDepth = max(0, paragraphDepth - 1)
            guard paragraphDepth == 0, open.isEmpty else { return }
            let text = tidyText(paragraph, keepNewlines: false)
            guard !text.isEmpty else { return }
            if presentation {
                if frameDepth > 0 && frameIsTitle {
                    slideTitle = slideTitle.map { $0 + " " + text } ?? text
                } else {
                    slideTexts += 1
                    paragraphs.append(DocumentParagraph(text: text, location: "Bild \(slide), stycke \(slideTexts)", tablesBefore: slideFirstTable))
                }
            } else {
                paragraphs.append(DocumentParagraph(text: text, location: "Stycke \(paragraphs.count + 1)", tablesBefore: tables.count))
                sinceTable.append(text)
            }
        }
    }

    override func text(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard inBody, ignored == 0 else { return }
        if let last = open.indices.last, open[last].inCell { open[last].cellText.append(String(decoding: bytes, as: UTF8.self)) }
        else if open.isEmpty && paragraphDepth > 0 { paragraph.append(String(decoding: bytes, as: UTF8.self)) }
    }
}
