/// The number formats of an OpenDocument spreadsheet, in Excel's syntax: each data style
/// (`number:number-style`, `currency-style`, `percentage-style`, `date-style`, `time-style`,
/// `text-style`) of `styles.xml` and `content.xml` turned into a format code, each cell style
/// resolved through its parents to its data style, and each number or date cell of a table
/// given the code of its style (the cell's own, else its row's or its column's default).
extension OdsReader: NumberFormatsReading {
    public func numberFormats(at index: Int) throws -> [CellPosition: String] {
        let h = OdsFormatsHandler(target: index)
        if zip.contains("styles.xml") {
            try XMLStream.parse(file: file, part: "styles.xml", handler: h) { sink in try zip.streamOverlapped("styles.xml", sink) }
        }
        try XMLStream.parse(file: file, part: "content.xml", handler: h) { sink in try zip.streamOverlapped("content.xml", sink) }
        return h.formats()
    }
}

/// One data style as it is read: its code so far, whether `%` is the percent sign (a
/// percentage style), whether it shows in red, the styles its `style:map`s apply (Excel's
/// sections before this one, in order), whether it is a text style.
struct OdsDataStyle {
    var code = ""
    var percent = false
    var red = false
    var maps: [String] = []
    var text = false
}

final class OdsFormatsHandler: XMLHandler {
    private let target: Int
    /// Data style name → what was read; cell style name → (parent, data style).
    private var dataStyles: [String: OdsDataStyle] = [:]
    private var cellStyles: [String: (parent: String?, data: String?)] = [:]
    private var current: (name: String, style: OdsDataStyle)?
    private var literal: [UInt8]?
    private var pending: (integer: String, decimals: String, embedded: [(Int, String)])?

    // The target table.
    private var tableIndex = -1
    private var inTarget = false
    private var columnDefaults: [(end: Int, style: String?)] = []
    private var row = 0, column = 0, rowRepeat = 1
    private var rowDefault: String?
    private var rowCells: [(column: Int, style: String)] = []
    private var cells: [(CellPosition, String)] = []
    /// At most this many cells are given a format (a bound on repeated rows and cells).
    static let maxCells = 1_000_000

    init(target: Int) { self.target = target }

    override func start(_ name: XMLName, _ a: XMLAttributes) throws {
        if current != nil { dataPart(name, a); return }
        if name.is("style") {
            if a.string("family") == "table-cell", let n = a.string("name") { cellStyles[n] = (a.string("parent-style-name"), a.string("data-style-name")) }
        } else if name.is("number-style") || name.is("currency-style") || name.is("percentage-style")
                    || name.is("date-style") || name.is("time-style") || name.is("text-style") {
            guard let n = a.string("name") else { return }
            var s = OdsDataStyle()
            s.percent = name.is("percentage-style")
            s.text = name.is("text-style")
            elapsed = name.is("time-style") && a.string("truncate-on-overflow") == "false"
            current = (n, s)
        } else if name.is("table") {
            tableIndex += 1
            inTarget = tableIndex == target
            row = 0
            columnDefaults = []
        } else if inTarget {
            tablePart(name, a)
        }
    }

    /// Whether the time style being read shows hours beyond 24 (`[h]`).
    private var elapsed = false

    override func end(_ name: XMLName) throws {
        if var c = current {
            if name.is("number-style") || name.is("currency-style") || name.is("percentage-style")
                || name.is("date-style") || name.is("time-style") || name.is("text-style") {
                if c.style.text && c.style.code.isEmpty { c.style.code = "@" }
                dataStyles[c.name] = c.style
                current = nil
                elapsed = false
            } else if name.is("text") || name.is("currency-symbol") {
                if let l = literal { c.style.code += Self.quoted(String(decoding: l, as: UTF8.self), percent: c.style.percent) }
                literal = nil
                current = c
            } else if name.is("embedded-text") {
                if let l = literal, let p = embeddedPosition { pending?.embedded.append((p, String(decoding: l, as: UTF8.self))) }
                literal = nil
            } else if name.is("number") {
                if let p = pending { c.style.code += Self.digits(p.integer, p.embedded) + p.decimals }
                pending = nil
                current = c
            }
            return
        }
        guard inTarget else { return }
        if name.is("table") {
            inTarget = false
        } else if name.is("table-row") {
            if rowCells.isEmpty { row += rowRepeat } else {
                for _ in 0..<rowRepeat {
                    guard cells.count < Self.maxCells, row < SheetLimits.maxRows else { break }
                    for (c, s) in rowCells where cells.count < Self.maxCells { cells.append((CellPosition(row: row, column: c), s)) }
                    row += 1
                }
            }
            row = min(row, SheetLimits.maxRows)
        }
    }

    private var embeddedPosition: Int?

    override func text(_ bytes: UnsafeBufferPointer<UInt8>) {
        if literal != nil { literal!.append(contentsOf: bytes) }
    }

    /// Parts of the data style being read.
    private func dataPart(_ name: XMLName, _ a: XMLAttributes) {
        guard var c = current else { return }
        if name.is("number") {
            let places = a.int("decimal-places") ?? 0
            let minPlaces = min(a.int("min-decimal-places") ?? places, places)
            let minInteger = a.int("min-integer-digits") ?? 1
            let integer = a.string("grouping") == "true" ? "#,##" + String(repeating: "0", count: max(1, min(minInteger, 4))) : String(repeating: "0", count: max(1, min(minInteger, 15)))
            let decimals = places > 0 ? "." + String(repeating: "0", count: minPlaces) + String(repeating: "#", count: places - minPlaces) : ""
            pending = (integer, decimals, [])
        } else if name.is("embedded-text") {
            embeddedPosition = a.int("position")
            literal = []
        } else if name.is("text") || name.is("currency-symbol") {
            literal = []
        } else if name.is("scientific-number") {
            let places = a.int("decimal-places") ?? 2
            c.style.code += "0" + (places > 0 ? "." + String(repeating: "0", count: min(places, 15)) : "") + "E+00"
        } else if name.is("fraction") {
            c.style.code += "# ?/?"
        } else if name.is("text-properties") {
            if let color = a.string("color")?.lowercased(), color == "#ff0000" || color == "#c9211e" { c.style.red = true }
        } else if name.is("map"), let target = a.string("apply-style-name") {
            c.style.maps.append(target)
        } else if name.is("text-content") {
            c.style.code += "@"
        } else if let part = Self.datePart(name, a, elapsed: elapsed) {
            c.style.code += part
            if name.is("hours") { elapsed = false }
        }
        current = c
    }

    /// Date and time parts: `yyyy`, `mm`, `d`, `hh`, `[h]`, `ss`, `AM/PM`.
    static func datePart(_ name: XMLName, _ a: XMLAttributes, elapsed: Bool) -> String? {
        let long = a.string("style") == "long"
        if name.is("year") { return long ? "yyyy" : "yy" }
        if name.is("month") { return a.string("textual") == "true" ? (long ? "mmmm" : "mmm") : (long ? "mm" : "m") }
        if name.is("day") { return long ? "dd" : "d" }
        if name.is("day-of-week") { return long ? "dddd" : "ddd" }
        if name.is("hours") { return elapsed ? (long ? "[hh]" : "[h]") : (long ? "hh" : "h") }
        if name.is("minutes") { return long ? "mm" : "m" }
        if name.is("seconds") {
            let places = a.int("decimal-places") ?? 0
            return (long ? "ss" : "s") + (places > 0 ? "." + String(repeating: "0", count: min(places, 6)) : "")
        }
        if name.is("am-pm") { return "AM/PM" }
        return nil
    }

    /// Columns, rows and cells of the target table.
    private func tablePart(_ name: XMLName, _ a: XMLAttributes) {
        if name.is("table-column") {
            let n = max(1, a.int("number-columns-repeated") ?? 1)
            let start = columnDefaults.last?.end ?? 0
            if start < SheetLimits.maxColumns { columnDefaults.append((min(start + n, SheetLimits.maxColumns), a.string("default-cell-style-name"))) }
        } else if name.is("table-row") {
            rowRepeat = max(1, a.int("number-rows-repeated") ?? 1)
            rowDefault = a.string("default-cell-style-name")
            column = 0
            rowCells.removeAll(keepingCapacity: true)
        } else if name.is("table-cell") || name.is("covered-table-cell") {
            let n = max(1, a.int("number-columns-repeated") ?? 1)
            if let type = a.string("value-type"), type == "float" || type == "percentage" || type == "currency" || type == "date" || type == "time",
               let style = a.string("style-name") ?? rowDefault ?? columnDefault(column) {
                for c in column..<min(column + n, SheetLimits.maxColumns) where rowCells.count < Self.maxCells { rowCells.append((c, style)) }
            }
            column += n
        }
    }

    private func columnDefault(_ c: Int) -> String? {
        columnDefaults.first { c < $0.end }?.style ?? nil
    }

    /// `" kr"` as a quoted literal; `%` in a percentage style stays the percent sign.
    static func quoted(_ s: String, percent: Bool) -> String {
        if percent && s == "%" { return "%" }
        if s.isEmpty { return "" }
        return "\"" + s.filter { $0 != "\"" } + "\""
    }

    /// The integer digits with embedded texts (`# ##0` as LibreOffice writes it: a space three
    /// digits left of the decimal point) at their positions.
    static func digits(_ integer: String, _ embedded: [(Int, String)]) -> String {
        guard !embedded.isEmpty, !integer.contains(",") else { return integer }
        var d = Array(integer)
        for (p, text) in embedded.sorted(by: { $0.0 > $1.0 }) where p >= 0 && p < 16 {
            while d.count < p + 1 { d.insert("#", at: 0) }
            d.insert(contentsOf: Array(quoted(text, percent: false)), at: d.count - p)
        }
        return String(d)
    }

    /// The code of a data style with its conditional sections before it (`pos;neg`).
    func code(_ name: String, depth: Int = 0) -> String? {
        guard let s = dataStyles[name], depth < 4 else { return nil }
        let own = (s.red ? "[Red]" : "") + s.code
        let sections = s.maps.compactMap { code($0, depth: depth + 1) }
        let all = (sections + [own]).filter { !$0.isEmpty }
        return all.isEmpty ? nil : all.joined(separator: ";")
    }

    /// The data style of a cell style, through its parents.
    func dataStyle(of cellStyle: String) -> String? {
        var name: String? = cellStyle
        for _ in 0..<8 {
            guard let n = name, let s = cellStyles[n] else { return nil }
            if let d = s.data { return d }
            name = s.parent
        }
        return nil
    }

    /// Cell → format code, the general format (and codes that say nothing) left out.
    func formats() -> [CellPosition: String] {
        var byStyle: [String: String?] = [:]
        var out: [CellPosition: String] = [:]
        for (p, style) in cells {
            let c: String?
            if let known = byStyle[style] { c = known } else {
                c = dataStyle(of: style).flatMap { code($0) }.flatMap { $0 == "0" || $0 == "General" ? nil : $0 }
                byStyle[style] = c
            }
            if let c { out[p] = c }
        }
        return out
    }
}
