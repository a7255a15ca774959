/// Tables in documents (Word, PowerPoint, OpenDocument text and presentations, PDF) behind the
/// one `SpreadsheetReader` interface: each table is a sheet named by where it is (`Tabell 3`,
/// `Bild 4, tabell 1`, `Sida 2, tabell 1`), its cells text, merged cells placed as spreadsheets
/// place them (the value in the top-left cell, the range in the sheet's merged ranges).
///
/// A table's sheet starts with the short lines just above the table, one a row in column A: on
/// a slide its title; in a text document or a PDF the caption, title or unit lines right before
/// it (at most three, each at most 120 characters, not ending in a full stop). The recogniser
/// then takes them as the table's title and unit lines, as it does in a workbook.

/// What kind of document a `DocumentReader` read.
public enum DocumentKind: String, Sendable {
    case docx, pptx, odt, odp, pdf
}

/// A paragraph of running text (outside the tables), with where it stands: `Stycke 4`,
/// `Bild 2, stycke 1`, `Sida 3, stycke 2`, and how many tables come before it in the document.
public struct DocumentParagraph: Sendable, Equatable {
    public var text: String
    public var location: String
    public var tablesBefore: Int
    public init(text: String, location: String, tablesBefore: Int) {
        self.text = text; self.location = location; self.tablesBefore = tablesBefore
    }
}

/// A reader whose input is a document with running text as well as tables.
public protocol DocumentTextSource: SpreadsheetReader {
    var kind: DocumentKind { get }
    /// The document's paragraphs outside its tables, in document order.
    var paragraphs: [DocumentParagraph] { get }
}

/// One table of a document, placed on a grid.
public struct DocumentTable: Sendable, Equatable {
    public var name: String
    public var state: SheetState = .visible
    /// Lines above the table that title it (rows of column A before the table's rows).
    public var captions: [String] = []
    /// The table's cells, row by row, column by column (nil = empty or covered).
    public var cells: [[String?]] = []
    /// Merged ranges in table coordinates (before the caption rows).
    public var merged: [CellRange] = []

    public init(name: String, state: SheetState = .visible, captions: [String] = [], cells: [[String?]] = [], merged: [CellRange] = []) {
        self.name = name; self.state = state; self.captions = captions; self.cells = cells; self.merged = merged
    }
}

/// The tables and paragraphs of a document, read whole when it is opened (documents are small:
/// their parts are bounded by the zip limits, a PDF by the PDF limits).
public final class DocumentReader: DocumentTextSource {
    public let file: String
    public let kind: DocumentKind
    public let tables: [DocumentTable]
    public let paragraphs: [DocumentParagraph]
    public let sheets: [SheetInfo]

    public init(file: String, kind: DocumentKind, tables: [DocumentTable], paragraphs: [DocumentParagraph]) {
        self.file = file; self.kind = kind; self.tables = tables; self.paragraphs = paragraphs
        sheets = tables.map { SheetInfo(name: $0.name, state: $0.state) }
    }

    @discardableResult
    public func readSheet(at index: Int, row: (Int, [IndexedCell]) throws -> Void) throws -> [CellRange] {
        guard tables.indices.contains(index) else {
            throw ReadError.noSuchSheet(file: file, sheet: String(index + 1), available: sheets.map(\.name))
        }
        let t = tables[index]
        for (r, caption) in t.captions.enumerated() {
            try row(r, [IndexedCell(0, Cell(.string(caption)))])
        }
        let offset = t.captions.count
        for (r, cells) in t.cells.enumerated() where r + offset < SheetLimits.maxRows {
            var out: [IndexedCell] = []
            for (c, text) in cells.enumerated() where c < SheetLimits.maxColumns {
                if let text, !text.isEmpty { out.append(IndexedCell(c, Cell(.string(text)))) }
            }
            if !out.isEmpty { try row(r + offset, out) }
        }
        return t.merged.compactMap { m in
            let r0 = m.start.row + offset, r1 = m.end.row + offset
            guard r0 < SheetLimits.maxRows else { return nil }
            return CellRange(start: CellPosition(row: r0, column: m.start.column),
                             end: CellPosition(row: min(r1, SheetLimits.maxRows - 1), column: m.end.column))
        }
    }
}

/// Places a document table's cells on a grid: cells with column and row spans, covered cells
/// (ODF, PowerPoint), and Word's vertical merges that continue the cell above. Spans from the
/// file are clamped to the sheet size; cells made through repeats are counted against
/// `ReadLimits.maxRepeatedCells`.
struct TableGridBuilder {
    private(set) var cells: [[String?]] = []
    private(set) var merged: [CellRange] = []
    /// Positions taken by row spans from above: row → columns.
    private var taken: [Int: Set<Int>] = [:]
    private var row = -1
    private var column = 0
    private var materialised = 0
    let limit: Int
    /// ODF and PowerPoint write a covered cell for every place a merge covers; Word writes none
    /// to the right of a span and a continuation (`w:vMerge`) below it.
    let explicitCovered: Bool

    init(limit: Int, explicitCovered: Bool = false) { self.limit = limit; self.explicitCovered = explicitCovered }

    mutating func beginRow() {
        row += 1
        column = 0
        if row < SheetLimits.maxRows { cells.append([]) }
    }

    /// Skips grid columns (Word's `w:gridBefore`).
    mutating func skip(_ n: Int) { column = min(column + max(0, n), SheetLimits.maxColumns) }

    private mutating func skipTaken() {
        while let t = taken[row], t.contains(column) { column += 1 }
    }

    /// A cell with its text (nil or empty for an empty cell) and spans.
    mutating func cell(_ text: String?, columns: Int = 1, rows: Int = 1) throws {
        guard row >= 0, row < SheetLimits.maxRows else { return }
        skipTaken()
        guard column < SheetLimits.maxColumns else { return }
        let cs = max(1, min(columns, SheetLimits.maxColumns - column))
        let rs = max(1, min(rows, SheetLimits.maxRows - row))
        put(text, at: column)
        if cs > 1 || rs > 1 {
            merged.append(CellRange(start: CellPosition(row: row, column: column),
                                    end: CellPosition(row: row + rs - 1, column: column + cs - 1)))
            if rs > 1 && !explicitCovered {
                materialised += rs * cs
                if materialised > limit { throw DocumentLimit.cells(limit) }
                for r in (row + 1)..<(row + rs) { taken[r, default: []].formUnion(column..<(column + cs)) }
            }
        }
        column += explicitCovered ? 1 : cs
    }

    /// A covered cell (part of a merge stated elsewhere): takes its place only.
    mutating func covered(columns: Int = 1) {
        skipTaken()
        column = min(column + max(1, columns), SheetLimits.maxColumns)
    }

    /// Word's `w:vMerge` continuation: the cell above (at this column) grows down by one row.
    mutating func continueAbove(columns: Int = 1) {
        skipTaken()
        let cs = max(1, min(columns, SheetLimits.maxColumns - column))
        if let i = merged.lastIndex(where: { $0.start.column == column && $0.end.row == row - 1 }) {
            merged[i].end.row = row
            merged[i].end.column = max(merged[i].end.column, column + cs - 1)
        } else if row > 0 {
            merged.append(CellRange(start: CellPosition(row: row - 1, column: column),
                                    end: CellPosition(row: row, column: column + cs - 1)))
        }
        column += cs
    }

    /// Repeats of one cell (ODF `number-columns-repeated`).
    mutating func repeated(_ text: String?, count: Int) throws {
        guard let text, !text.isEmpty else { column = min(column + max(1, count), SheetLimits.maxColumns); return }
        for _ in 0..<max(1, count) {
            materialised += 1
            if materialised > limit { throw DocumentLimit.cells(limit) }
            guard column < SheetLimits.maxColumns else { return }
            try cell(text)
        }
    }

    private mutating func put(_ text: String?, at c: Int) {
        guard let text, !text.isEmpty else { return }
        if cells[row].count <= c { cells[row].append(contentsOf: repeatElement(nil, count: c + 1 - cells[row].count)) }
        cells[row][c] = text
    }

    /// The rows, trailing empty rows dropped.
    func finish() -> [[String?]] {
        var out = cells
        while let last = out.last, last.allSatisfy({ $0 == nil }) { out.removeLast() }
        return out
    }
}

enum DocumentLimit: Error {
    case cells(Int)
}

/// Text as a document part holds it, tidied for a cell or a paragraph: runs of spaces, tabs and
/// line breaks become one space (a cell's paragraphs stay on their own lines), ends trimmed.
func tidyText(_ s: String, keepNewlines: Bool = true) -> String {
    var out = ""
    var pendingSpace = false, pendingNewline = false
    for ch in s {
        if ch == "\n" && keepNewlines { pendingNewline = !out.isEmpty; pendingSpace = false; continue }
        if ch == " " || ch == "\t" || ch == "\n" || ch == "\r" { pendingSpace = !out.isEmpty; continue }
        if pendingNewline { out.append("\n") } else if pendingSpace { out.append(" ") }
        pendingNewline = false; pendingSpace = false
        out.append(ch)
    }
    return out
}

/// Whether a paragraph just above a table is one of its caption lines.
func isCaptionLine(_ s: String) -> Bool {
    let t = s.trimmingCharacters()
    return !t.isEmpty && t.count <= 120 && !t.hasSuffix(".") && !t.contains("\n")
}

/// Takes the caption lines (at most three) from the end of the paragraphs since the last table.
func captionLines(_ since: [String]) -> [String] {
    var out: [String] = []
    for p in since.reversed() {
        guard out.count < 3, isCaptionLine(p) else { break }
        out.insert(p.trimmingCharacters(), at: 0)
    }
    return out
}

/// The document reader for a zip package that is a Word, PowerPoint or OpenDocument text or
/// presentation document (by its parts and its `mimetype`), or nil for a workbook.
func openDocument(_ zip: ZipArchive, limits: ReadLimits) throws -> DocumentReader? {
    if zip.contains("word/document.xml") { return try OfficeDocuments.docx(zip, limits: limits) }
    if zip.contains("ppt/presentation.xml") { return try OfficeDocuments.pptx(zip, limits: limits) }
    guard zip.contains("mimetype"), let m = try? zip.read("mimetype") else { return nil }
    let mime = String(decoding: m.prefix(200), as: UTF8.self).trimmingCharacters()
    if mime.hasPrefix("application/vnd.oasis.opendocument.text") { return try OdfDocuments.read(zip, kind: .odt, limits: limits) }
    if mime.hasPrefix("application/vnd.oasis.opendocument.presentation") { return try OdfDocuments.read(zip, kind: .odp, limits: limits) }
    return nil
}
