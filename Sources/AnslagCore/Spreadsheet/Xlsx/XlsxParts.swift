/// Small OOXML parts read whole: relationships, the workbook, styles.

/// One `<Relationship>` of a `.rels` part.
struct Relationship {
    var id: String
    var type: String
    var target: String
    var external: Bool
}

final class RelationshipsHandler: XMLHandler {
    var relationships: [Relationship] = []
    override func start(_ name: XMLName, _ a: XMLAttributes) throws {
        guard name.is("Relationship") else { return }
        relationships.append(Relationship(
            id: a.string("Id") ?? "", type: a.string("Type") ?? "", target: a.string("Target") ?? "",
            external: a.string("TargetMode")?.lowercased() == "external"))
    }
}

/// Resolves a relationship target against the folder of the part that owns it.
func resolvePartPath(_ target: String, from owner: String) -> String {
    let t = target.replacingBackslashes()
    var parts: [Substring]
    if t.hasPrefix("/") {
        parts = []
    } else {
        parts = owner.replacingBackslashes().split(separator: "/")
        if !parts.isEmpty { parts.removeLast() }
    }
    for p in t.split(separator: "/") {
        if p == "." { continue }
        if p == ".." { if !parts.isEmpty { parts.removeLast() } ; continue }
        parts.append(p)
    }
    return parts.joined(separator: "/")
}

/// The `.rels` part that belongs to a part: `xl/workbook.xml` → `xl/_rels/workbook.xml.rels`.
func relsPath(of part: String) -> String {
    var parts = part.split(separator: "/", omittingEmptySubsequences: false)
    let last = parts.removeLast()
    return (parts + ["_rels", last + ".rels"]).joined(separator: "/")
}

struct WorkbookSheetEntry {
    var name: String
    var state: SheetState
    var relationshipId: String?
    var sheetId: Int?
}

final class WorkbookHandler: XMLHandler {
    var sheets: [WorkbookSheetEntry] = []
    var date1904 = false
    override func start(_ name: XMLName, _ a: XMLAttributes) throws {
        if name.is("sheet") {
            let state: SheetState
            switch a.string("state")?.lowercased() {
            case "hidden": state = .hidden
            case "veryhidden": state = .veryHidden
            default: state = .visible
            }
            sheets.append(WorkbookSheetEntry(name: a.string("name") ?? "Sheet\(sheets.count + 1)", state: state,
                                             relationshipId: a.string("id").flatMap { $0.isEmpty ? nil : $0 },
                                             sheetId: a.int("sheetId")))
        } else if name.is("workbookPr"), let v = a.string("date1904")?.lowercased() {
            // Only the attribute counts: extension lists carry other workbookPr elements.
            date1904 = v == "1" || v == "true"
        }
    }
}

/// `styles.xml`: which cell formats (`cellXfs`) show numbers as dates or durations.
final class StylesHandler: XMLHandler {
    private var customFormats: [Int: String] = [:]
    private var xfFormatIds: [Int] = []
    private var inCellXfs = false
    private var depthInXfs = 0

    override func start(_ name: XMLName, _ a: XMLAttributes) throws {
        if name.is("numFmt") {
            if let id = a.int("numFmtId") { customFormats[id] = a.string("formatCode") ?? "" }
        } else if name.is("cellXfs") {
            inCellXfs = true
        } else if inCellXfs && name.is("xf") {
            xfFormatIds.append(a.int("numFmtId") ?? 0)
        }
    }

    override func end(_ name: XMLName) throws {
        if name.is("cellXfs") { inCellXfs = false }
    }

    /// Kind per style index (the `s` attribute of a cell).
    var kinds: [NumberKind] {
        xfFormatIds.map { id in
            if let code = customFormats[id] { return NumberKind.of(formatCode: code) }
            return NumberKind.builtin(id)
        }
    }
}
