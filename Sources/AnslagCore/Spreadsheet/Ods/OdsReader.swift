/// Reads OpenDocument spreadsheets (`.ods`): `content.xml` through the same zip and XML stack
/// as xlsx. Repeat counts never materialise empty cells or rows, and repeated non-empty
/// cells are bounded by the sheet size and `ReadLimits.maxRepeatedCells`.
public final class OdsReader: SpreadsheetReader {
    public let file: String
    public let sheets: [SheetInfo]
    let zip: ZipArchive
    private let limits: ReadLimits

    init(zip: ZipArchive, limits: ReadLimits) throws {
        self.zip = zip
        self.file = zip.file
        self.limits = limits
        if zip.contains("META-INF/manifest.xml") {
            let manifest = try zip.read("META-INF/manifest.xml")
            if manifest.containsSubsequence(Array("encryption-data".utf8)) {
                throw ReadError.encrypted(file: file)
            }
        }
        guard zip.contains("content.xml") else {
            throw ReadError.malformed(file: file, part: "content.xml", detail: "not an OpenDocument spreadsheet: content.xml is missing")
        }
        let lister = OdsContentHandler(file: file, target: -1, limits: limits) { _, _ in }
        try XMLStream.parse(file: file, part: "content.xml", handler: lister) { sink in try zip.streamOverlapped("content.xml", sink) }
        guard !lister.tables.isEmpty else {
            throw ReadError.malformed(file: file, part: "content.xml", detail: "the document holds no spreadsheet tables")
        }
        sheets = lister.tables
    }

    @discardableResult
    public func readSheet(at index: Int, row: (Int, [IndexedCell]) throws -> Void) throws -> [CellRange] {
        try withoutActuallyEscaping(row) { row in
            let h = OdsContentHandler(file: file, target: index, limits: limits, sink: row)
            try XMLStream.parse(file: file, part: "content.xml", handler: h) { sink in try zip.streamOverlapped("content.xml", sink) }
            return h.merged
        }
    }
}

/// Walks `content.xml`. With `target` = -1 it only lists the tables (names and visibility);
/// otherwise it streams the rows of table number `target`.
final class OdsContentHandler: XMLHandler {
    private let file: String
    private let target: Int
    private let limits: ReadLimits
    private let sink: (Int, [IndexedCell]) throws -> Void
    private(set) var tables: [SheetInfo] = []
    private(set) var merged: [CellRange] = []

    private var hiddenStyles: Set<String> = []
    private var currentStyle: String? = nil
    private var tableIndex = -1
    private var inTarget = false
    private var row = 0
    private var rowRepeat = 1
    private var column = 0
    private var cells: [IndexedCell] = []
    private var materialised = 0

    // The cell being read.
    private var inCell = false
    private var cellRepeat = 1
    private var cellValue: CellValue = .empty
    private var valueType: String? = nil
    private var formula: String? = nil
    private var text: [UInt8] = []
    private var paragraphs = 0
    private var inParagraph = 0
    private var annotationDepth = 0
    private var stringValue: String? = nil

    init(file: String, target: Int, limits: ReadLimits, sink: @escaping (Int, [IndexedCell]) throws -> Void) {
        self.file = file; self.target = target; self.limits = limits; self.sink = sink
    }

    override func start(_ name: XMLName, _ a: XMLAttributes) throws {
        if name.is("style") {
            currentStyle = a.string("family") == "table" ? a.string("name") : nil
        } else if name.is("table-properties"), let style = currentStyle, a.string("display") == "false" {
            hiddenStyles.insert(style)
        } else if name.is("table") {
            tableIndex += 1
            let hidden = a.string("style-name").map { hiddenStyles.contains($0) } ?? false
            tables.append(SheetInfo(name: a.string("name") ?? "Sheet\(tableIndex + 1)", state: hidden ? .hidden : .visible))
            inTarget = tableIndex == target
            row = 0
        } else if !inTarget {
            return
        } else if name.is("table-row") {
            rowRepeat = max(1, a.int("number-rows-repeated") ?? 1)
            column = 0
            cells.removeAll(keepingCapacity: true)
        } else if name.is("table-cell") || name.is("covered-table-cell") {
            inCell = true
            cellRepeat = max(1, a.int("number-columns-repeated") ?? 1)
            valueType = a.string("value-type")
            formula = a.string("formula").map(Self.stripFormulaPrefix)
            stringValue = a.string("string-value")
            text.removeAll(keepingCapacity: true)
            paragraphs = 0
            cellValue = Self.typedValue(valueType, a)
            let spanC = a.int("number-columns-spanned") ?? 1, spanR = a.int("number-rows-spanned") ?? 1
            if spanC > 1 || spanR > 1, row < SheetLimits.maxRows, column < SheetLimits.maxColumns {
                merged.append(CellRange(start: CellPosition(row: row, column: column),
                                        end: CellPosition(row: min(row + spanR, SheetLimits.maxRows) - 1,
                                                          column: min(column + spanC, SheetLimits.maxColumns) - 1)))
            }
        } else if inCell {
            if name.is("annotation") {
                annotationDepth += 1
            } else if annotationDepth > 0 {
                return
            } else if name.is("p") || name.is("h") {
                if paragraphs > 0 { text.append(10) }
                paragraphs += 1
                inParagraph += 1
            } else if name.is("s") {
                text.append(contentsOf: repeatElement(32, count: min(max(1, a.int("c") ?? 1), 10_000)))
            } else if name.is("tab") {
                text.append(9)
            } else if name.is("line-break") {
                text.append(10)
            }
        }
    }

    override func end(_ name: XMLName) throws {
        guard inTarget || name.is("table") else { return }
        if name.is("table") {
            inTarget = false
        } else if name.is("annotation") {
            annotationDepth -= 1
        } else if name.is("p") || name.is("h") {
            if annotationDepth == 0 { inParagraph -= 1 }
        } else if name.is("table-cell") || name.is("covered-table-cell") {
            inCell = false
            var value = cellValue
            if valueType == "string" || (valueType == nil && !text.isEmpty) {
                value = .string(stringValue ?? String(decoding: text, as: UTF8.self))
            }
            if value.isEmpty && formula == nil {
                column += cellRepeat
                return
            }
            let cell = Cell(value, formula: formula)
            for _ in 0..<cellRepeat {
                guard column < SheetLimits.maxColumns else { break }
                try count(1)
                cells.append(IndexedCell(column, cell))
                column += 1
            }
            column += max(0, cellRepeat - (SheetLimits.maxColumns - column))
        } else if name.is("table-row") {
            if !cells.isEmpty {
                for _ in 0..<rowRepeat {
                    guard row < SheetLimits.maxRows else { break }
                    if rowRepeat > 1 { try count(cells.count) }
                    try sink(row, cells)
                    row += 1
                }
                row = min(row, SheetLimits.maxRows)
            } else {
                row = min(row + rowRepeat, SheetLimits.maxRows)
            }
        }
    }

    override func text(_ bytes: UnsafeBufferPointer<UInt8>) {
        if inCell && inParagraph > 0 && annotationDepth == 0 { text.append(contentsOf: bytes) }
    }

    private func count(_ n: Int) throws {
        materialised += n
        if materialised > limits.maxRepeatedCells {
            throw ReadError.limitExceeded(file: file, part: "content.xml",
                detail: "sheet \"\(tables.last?.name ?? "")\" repeats cells beyond \(limits.maxRepeatedCells) (denial of service?)")
        }
    }

    static func stripFormulaPrefix(_ f: String) -> String {
        var s = Substring(f)
        if let colon = s.firstIndex(of: ":"), s[..<colon].allSatisfy({ $0.isLetter }), s[s.index(after: colon)...].hasPrefix("=") {
            s = s[s.index(after: colon)...]
        }
        if s.hasPrefix("=") { s = s.dropFirst() }
        return String(s)
    }

    static func typedValue(_ type: String?, _ a: XMLAttributes) -> CellValue {
        switch type {
        case "float", "percentage", "currency":
            if var b = a.string("value").map({ Array($0.utf8) }), let d = parseDouble(&b) { return .number(d) }
            return .empty
        case "boolean":
            let v = a.string("boolean-value")?.lowercased()
            return .bool(v == "true" || v == "1")
        case "date":
            guard let s = a.string("date-value") else { return .empty }
            return SerialDate.parseISO(s).map(CellValue.dateTime) ?? .string(s)
        case "time":
            guard let s = a.string("time-value"), let secs = parseISODuration(s) else { return .empty }
            if secs >= 0 && secs < 86_400 {
                // A time of day, as LibreOffice shows a time cell.
                let ms = Int((secs * 1000).rounded())
                return .dateTime(DateTimeValue(year: 0, month: 0, day: 0, hour: ms / 3_600_000, minute: ms / 60_000 % 60,
                                               second: ms / 1000 % 60, microsecond: ms % 1000 * 1000, kind: .time))
            }
            return .duration(secs)
        default:
            return .empty
        }
    }
}

/// `PT12H30M05.5S` (ODS time values) → seconds.
func parseISODuration(_ s: String) -> Double? {
    var sign = 1.0
    var rest = Substring(s.trimmingCharacters())
    if rest.hasPrefix("-") { sign = -1; rest = rest.dropFirst() }
    guard rest.hasPrefix("P") else { return nil }
    rest = rest.dropFirst()
    var total = 0.0, number = "", inTime = false
    for c in rest {
        switch c {
        case "T": inTime = true
        case "0"..."9", ".", ",": number.append(c == "," ? "." : c)
        case "D", "H", "M", "S":
            guard let v = Double(number) else { return nil }
            switch c {
            case "D": total += v * 86400
            case "H": total += v * 3600
            case "M": total += inTime ? v * 60 : v * 30 * 86400
            default: total += v
            }
            number = ""
        default: return nil
        }
    }
    return sign * total
}

extension Array where Element == UInt8 {
    func containsSubsequence(_ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, count >= needle.count else { return false }
        for i in 0...(count - needle.count) where self[i] == needle[0] {
            if self[i..<(i + needle.count)].elementsEqual(needle) { return true }
        }
        return false
    }
}
