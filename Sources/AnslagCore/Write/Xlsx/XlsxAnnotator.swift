import CZip
#if canImport(Glibc)
import Glibc
#endif

/// `anslag-import --report xlsx` of an xlsx workbook: the colleague's own package, annotated.
/// The package is copied and only what must change is changed: a red fill is added to the
/// styles and applied to the cells the error and warning findings name (each through a copy of
/// the cell's own style, so its number format and font stay), every finding with a cell gets a
/// cell comment in words, and a findings sheet (`Fynd`) lists them, errors first, each linking
/// to its cell. Every other entry of the package is copied raw, byte for byte.
public enum XlsxAnnotator {
    static let mainNS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    /// Packages this does not edit (Strict OOXML): the caller writes a new workbook instead.
    public enum Unsupported: Error { case strict }

    static let relNS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

    /// Findings in the order a person reads them: errors, then warnings, then info; otherwise as found.
    public static func ordered(_ findings: [ReportFinding]) -> [ReportFinding] {
        findings.enumerated().sorted { a, b in
            a.element.severity != b.element.severity ? a.element.severity > b.element.severity : a.offset < b.offset
        }.map(\.element)
    }

    /// `made` names the tool and the run date in the `Fynd` sheet's provenance block.
    public static func write(_ source: InputSource, report: FindingsReport, to path: String, language: Language = .sv,
                             made: OutputProvenance? = nil) throws {
        let original = try source.readAll(limit: ReadLimits.default.maxInputBytes)
        let zip = try ZipArchive(file: source.displayName, path: nil, data: original, limits: .default)
        var edit = try Edit(zip: zip, report: report, language: language)
        edit.made = made
        try edit.run()
        try writeCopy(try apply(edit.changed, to: original, file: path), to: path)
    }

    static func writeCopy(_ bytes: [UInt8], to path: String) throws {
        guard let f = fopen(path, "wb") else { throw WriteError.failed(file: path, reason: String(cString: strerror(errno))) }
        let n = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, f) }
        let closed = fclose(f)
        if n != bytes.count || closed != 0 { throw WriteError.failed(file: path, reason: String(cString: strerror(errno))) }
    }

    /// The package with the changed entries replaced or added, through libzip in memory (the
    /// output path may be an unnamed file, which libzip cannot rename onto); the other entries
    /// are copied raw, their compressed bytes as they were.
    static func apply(_ changed: [(name: String, bytes: [UInt8])], to original: [UInt8], file path: String) throws -> [UInt8] {
        var zerr = zip_error_t()
        zip_error_init(&zerr)
        defer { zip_error_fini(&zerr) }
        let mem = malloc(max(original.count, 1))!
        original.withUnsafeBytes { mem.copyMemory(from: $0.baseAddress!, byteCount: original.count) }
        guard let src = zip_source_buffer_create(mem, zip_uint64_t(original.count), 1, &zerr) else {
            free(mem)
            throw WriteError.failed(file: path, reason: "cannot copy the package")
        }
        zip_source_keep(src)
        defer { zip_source_free(src) }
        guard let za = zip_open_from_source(src, 0, &zerr) else {
            throw WriteError.failed(file: path, reason: "cannot reopen the package: \(String(cString: zip_error_strerror(&zerr)))")
        }
        for (name, bytes) in changed {
            let data = malloc(max(bytes.count, 1))!
            bytes.withUnsafeBytes { data.copyMemory(from: $0.baseAddress!, byteCount: bytes.count) }
            guard let entry = zip_source_buffer(za, data, zip_uint64_t(bytes.count), 1) else {
                free(data); zip_discard(za)
                throw WriteError.failed(file: path, reason: "cannot add \(name)")
            }
            let index = zip_name_locate(za, name, 0)
            let ok = index >= 0 ? zip_file_replace(za, zip_uint64_t(index), entry, 0) == 0
                                : zip_file_add(za, name, entry, zip_flags_t(ZIP_FL_ENC_UTF_8)) >= 0
            if !ok {
                zip_source_free(entry); zip_discard(za)
                throw WriteError.failed(file: path, reason: "cannot write \(name)")
            }
        }
        if zip_close(za) != 0 {
            let reason = String(cString: zip_strerror(za))
            zip_discard(za)
            throw WriteError.failed(file: path, reason: reason)
        }
        guard zip_source_open(src) == 0 else { throw WriteError.failed(file: path, reason: "cannot read the new package") }
        defer { zip_source_close(src) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { zip_source_read(src, $0.baseAddress, zip_uint64_t($0.count)) }
            if n < 0 { throw WriteError.failed(file: path, reason: "cannot read the new package") }
            if n == 0 { break }
            out.append(contentsOf: chunk[0..<Int(n)])
        }
        return out
    }
}

extension XlsxAnnotator {
    /// The edits of one package, computed before anything is written.
    struct Edit {
        let zip: ZipArchive
        let report: FindingsReport
        let language: Language
        var made: OutputProvenance?
        var changed: [(name: String, bytes: [UInt8])] = []
        var workbookPart = "xl/workbook.xml"
        /// Sheet name → worksheet part.
        var sheetParts: [String: String] = [:]
        var sheetOrder: [String] = []

        init(zip: ZipArchive, report: FindingsReport, language: Language) throws {
            self.zip = zip; self.report = report; self.language = language
        }

        func read(_ part: String) throws -> [UInt8] { try zip.read(part) }

        func relationships(_ part: String) throws -> [Relationship] {
            let rels = relsPath(of: part)
            guard zip.contains(rels) else { return [] }
            let h = RelationshipsHandler()
            try XMLStream.parse(file: zip.file, part: zip.storedName(rels), bytes: try read(rels), handler: h)
            return h.relationships
        }

        mutating func put(_ part: String, _ bytes: [UInt8]) {
            let name = zip.contains(part) ? zip.storedName(part) : part
            changed.removeAll { $0.name == name }
            changed.append((name, bytes))
        }

        mutating func run() throws {
            if let office = try relationships("").first(where: { $0.type.hasSuffix("/officeDocument") }) {
                workbookPart = resolvePartPath(office.target, from: "")
            }
            let workbookXML = try read(workbookPart)
            if XmlBytes(workbookXML).find(Array("purl.oclc.org/ooxml".utf8), from: 0) != nil { throw Unsupported.strict }
            let wb = WorkbookHandler()
            try XMLStream.parse(file: zip.file, part: zip.storedName(workbookPart), bytes: try read(workbookPart), handler: wb)
            let rels = try relationships(workbookPart)
            for entry in wb.sheets {
                sheetOrder.append(entry.name)
                if let id = entry.relationshipId, let r = rels.first(where: { $0.id == id }), r.type.hasSuffix("/worksheet") {
                    sheetParts[entry.name] = resolvePartPath(r.target, from: workbookPart)
                }
            }
            let stylesPart = rels.first { $0.type.hasSuffix("/styles") }.map { resolvePartPath($0.target, from: workbookPart) } ?? "xl/styles.xml"
            guard zip.contains(stylesPart) else {
                throw WriteError.failed(file: zip.file, reason: "the workbook has no styles part to add the red fill to")
            }
            var st = try StylesEdit(XmlBytes(read(stylesPart)))
            var contentTypes = XmlBytes(try read("[Content_Types].xml"))
            var byCell: [String: [String: [ReportFinding]]] = [:]
            for f in report.findings {
                if let s = f.sheet, let c = f.cell, sheetParts[s] != nil, CellPosition(a1: Substring(c)) != nil {
                    byCell[s, default: [:]][c, default: []].append(f)
                }
            }
            for (n, name) in sheetOrder.enumerated() {
                guard let cells = byCell[name], let part = sheetParts[name] else { continue }
                try annotate(sheet: part, number: n + 1, cells: cells, styles: &st, contentTypes: &contentTypes)
            }
            try addFindingsSheet(workbook: wb, styles: &st, contentTypes: &contentTypes, relationships: rels)
            put(stylesPart, st.xml.bytes)
            put("[Content_Types].xml", contentTypes.bytes)
        }
    }
}
