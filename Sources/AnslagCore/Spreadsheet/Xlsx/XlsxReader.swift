/// Reads Office Open XML workbooks: xlsx, xlsm, xltx, xltm, transitional or Strict.
/// Parts are found through the package relationships, tolerating backslashes, odd casing and
/// absolute targets; the shared-string table loads on the first sheet read.
public final class XlsxReader: SpreadsheetReader {
    public let file: String
    public let sheets: [SheetInfo]
    private let zip: ZipArchive
    private let limits: ReadLimits
    private let sheetParts: [String?]
    private let sharedStringsPart: String?
    private let kinds: [NumberKind]
    private let date1904: Bool
    private var strings: [String]?

    init(zip: ZipArchive, limits: ReadLimits) throws {
        self.zip = zip
        self.file = zip.file
        self.limits = limits

        // The workbook part: from the package relationships, else the usual place.
        var workbookPart = "xl/workbook.xml"
        if zip.contains("_rels/.rels") {
            let rels = RelationshipsHandler()
            try XMLStream.parse(file: file, part: zip.storedName("_rels/.rels"), bytes: try zip.read("_rels/.rels"), handler: rels)
            if let office = rels.relationships.first(where: { $0.type.hasSuffix("/officeDocument") }),
               zip.contains(resolvePartPath(office.target, from: "")) {
                workbookPart = resolvePartPath(office.target, from: "")
            }
        }
        guard zip.contains(workbookPart) else {
            if zip.contains("content.xml") {
                throw ReadError.malformed(file: file, part: nil, detail: "an OpenDocument package, not an xlsx workbook")
            }
            throw ReadError.malformed(file: file, part: workbookPart,
                detail: "not an xlsx workbook: the package has no workbook part")
        }
        let wb = WorkbookHandler()
        try XMLStream.parse(file: file, part: zip.storedName(workbookPart), bytes: try zip.read(workbookPart), handler: wb)
        date1904 = wb.date1904

        let relsPart = relsPath(of: workbookPart)
        var rels: [Relationship] = []
        if zip.contains(relsPart) {
            let h = RelationshipsHandler()
            try XMLStream.parse(file: file, part: zip.storedName(relsPart), bytes: try zip.read(relsPart), handler: h)
            rels = h.relationships
        } else {
            throw ReadError.malformed(file: file, part: relsPart,
                detail: "the workbook's relationships part is missing, so its sheets cannot be found")
        }
        var byId: [String: Relationship] = [:]
        for r in rels where byId[r.id] == nil { byId[r.id] = r }

        var infos: [SheetInfo] = []
        var parts: [String?] = []
        for entry in wb.sheets {
            var kind = SheetKind.worksheet
            var part: String? = nil
            if entry.relationshipId == nil {
                // Listed without a relationship: nothing to read (openpyxl skips such sheets).
                infos.append(SheetInfo(name: entry.name, state: entry.state, kind: .worksheet))
                parts.append(nil)
                continue
            }
            if let id = entry.relationshipId, let rel = byId[id], !rel.external {
                let t = rel.type.lowercased()
                if t.hasSuffix("/chartsheet") { kind = .chartsheet }
                else if t.hasSuffix("/dialogsheet") { kind = .dialogsheet }
                else if t.hasSuffix("/xlmacrosheet") || t.hasSuffix("/macrosheet") { kind = .macrosheet }
                part = resolvePartPath(rel.target, from: workbookPart)
            }
            if kind == .worksheet {
                guard let p = part, zip.contains(p) else {
                    throw ReadError.malformed(file: file, part: part ?? zip.storedName(workbookPart),
                        detail: "sheet \"\(entry.name)\" refers to a worksheet part that is missing")
                }
            }
            infos.append(SheetInfo(name: entry.name, state: entry.state, kind: kind))
            parts.append(kind == .worksheet || kind == .dialogsheet || kind == .macrosheet ? part : nil)
        }
        // A workbook that lists no sheets reads as one without sheets (as calamine and openpyxl do).
        sheets = infos
        sheetParts = parts

        func target(_ suffix: String, fallback: String) -> String? {
            if let r = rels.first(where: { $0.type.lowercased().hasSuffix(suffix) && !$0.external }) {
                let p = resolvePartPath(r.target, from: workbookPart)
                if zip.contains(p) { return p }
            }
            let f = resolvePartPath(fallback, from: workbookPart)
            return zip.contains(f) ? f : nil
        }
        sharedStringsPart = target("/sharedstrings", fallback: "sharedStrings.xml")
        if let stylesPart = target("/styles", fallback: "styles.xml") {
            let h = StylesHandler()
            try XMLStream.parse(file: file, part: zip.storedName(stylesPart), bytes: try zip.read(stylesPart), handler: h)
            kinds = h.kinds
        } else {
            kinds = []
        }
    }

    private func sharedStrings() throws -> [String] {
        if let strings { return strings }
        var table: [String] = []
        if let part = sharedStringsPart {
            let stored = zip.storedName(part)
            let h = SharedStringsHandler(file: file, part: stored, limits: limits)
            try FastXMLScanner.parse(file: file, part: stored, handler: h) { sink in try zip.streamOverlapped(part, sink) }
            table = h.strings
        }
        strings = table
        return table
    }

    @discardableResult
    public func readSheet(at index: Int, row: (Int, [IndexedCell]) throws -> Void) throws -> [CellRange] {
        guard let part = sheetParts[index] else { return [] }
        let stored = zip.storedName(part)
        return try withoutActuallyEscaping(row) { row in
            let h = WorksheetHandler(file: file, part: stored, strings: try sharedStrings(), kinds: kinds,
                                     date1904: date1904, sink: row)
            try FastXMLScanner.parse(file: file, part: stored, handler: h) { sink in try zip.streamOverlapped(part, sink) }
            return h.merged
        }
    }
}
