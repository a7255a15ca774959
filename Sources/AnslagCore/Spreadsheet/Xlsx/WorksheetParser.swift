#if canImport(Glibc)
import Glibc
#endif

/// Streams a worksheet part (`xl/worksheets/sheetN.xml`) row by row. Cells and rows without
/// an `r` attribute take running counters; `<dimension>` is never trusted; merged ranges are
/// collected; formulas keep their text next to the cached value.
final class WorksheetHandler: XMLHandler {
    private enum CellType { case number, shared, inline, formulaString, bool, error, isoDate }
    private enum Capture { case none, value, formula, inline }

    private let file: String
    private let part: String
    private let strings: [String]
    private let kinds: [NumberKind]
    private let date1904: Bool
    private let sink: (Int, [IndexedCell]) throws -> Void

    private var rowIndex = 0
    private var nextRow = 0
    private var rowHasExplicitIndex = false
    private var inRow = false
    private var column = 0
    private var nextColumn = 0
    private var cellRow: Int? = nil
    private var type = CellType.number
    private var kind = NumberKind.number
    private var capture = Capture.none
    private var phoneticDepth = 0
    private var value = ByteBuffer()
    private var formula = ByteBuffer()
    private var inline = ByteBuffer()
    private var hasFormula = false
    private var cells: [IndexedCell] = []
    private(set) var merged: [CellRange] = []

    init(file: String, part: String, strings: [String], kinds: [NumberKind], date1904: Bool,
         sink: @escaping (Int, [IndexedCell]) throws -> Void) {
        self.file = file; self.part = part; self.strings = strings; self.kinds = kinds
        self.date1904 = date1904; self.sink = sink
        cells.reserveCapacity(64)
    }

    deinit { value.free(); formula.free(); inline.free() }

    override func start(_ name: XMLName, _ a: XMLAttributes) throws {
        switch name.pointer[0] {
        case UInt8(ascii: "c") where name.pointer[1] == 0:
            startCell(a)
        case UInt8(ascii: "v") where name.pointer[1] == 0:
            capture = .value
            value.reset()
        case UInt8(ascii: "f") where name.pointer[1] == 0:
            capture = .formula
            hasFormula = true
        case UInt8(ascii: "t") where name.pointer[1] == 0:
            if capture == .none && phoneticDepth == 0 && type == .inline { capture = .inline }
        case UInt8(ascii: "r"):
            if name.is("row") {
                try flushRow()
                inRow = true
                if let r = a.int("r"), r >= 1, r <= SheetLimits.maxRows {
                    rowIndex = r - 1
                    rowHasExplicitIndex = true
                } else {
                    rowIndex = nextRow
                    rowHasExplicitIndex = false
                }
                nextRow = rowIndex + 1
                nextColumn = 0
            } else if name.is("rPh") {
                phoneticDepth += 1
            }
        case UInt8(ascii: "m"):
            if name.is("mergeCell"), let ref = a.string("ref"), let range = CellRange(a1: Substring(ref)) {
                merged.append(range)
            }
        default:
            break
        }
    }

    private func startCell(_ a: XMLAttributes) {
        cellRow = nil
        if let r = a.bytes("r"), let (row, col) = parseReference(r) {
            column = col
            cellRow = row
        } else {
            column = nextColumn
        }
        nextColumn = column + 1
        type = .number
        if let t = a.bytes("t"), !t.isEmpty {
            switch (t[0], t.count) {
            case (UInt8(ascii: "s"), 1): type = .shared
            case (UInt8(ascii: "s"), _): type = .formulaString
            case (UInt8(ascii: "i"), _): type = .inline
            case (UInt8(ascii: "b"), _): type = .bool
            case (UInt8(ascii: "e"), _): type = .error
            case (UInt8(ascii: "d"), _): type = .isoDate
            default: type = .number
            }
        }
        if let s = a.bytes("s"), let i = parseInt(s), i < kinds.count {
            kind = kinds[i]
        } else {
            kind = .number
        }
        value.reset()
        inline.reset()
        formula.reset()
        hasFormula = false
        capture = .none
    }

    /// `B12` → (11, 1); nil if not a reference.
    @inline(__always)
    private func parseReference(_ b: UnsafeBufferPointer<UInt8>) -> (Int, Int)? {
        var col = 0, row = 0, i = 0
        while i < b.count, b[i] >= 65 {
            let u = b[i] & 0xDF
            guard u >= 65, u <= 90 else { return nil }
            col = col * 26 + Int(u - 64)
            i += 1
            if col > SheetLimits.maxColumns { return nil }
        }
        guard col > 0, i < b.count else { return nil }
        while i < b.count {
            let u = b[i]
            guard u >= 48, u <= 57 else { return nil }
            row = row * 10 + Int(u - 48)
            i += 1
            if row > SheetLimits.maxRows { return nil }
        }
        guard row >= 1 else { return nil }
        return (row - 1, col - 1)
    }

    override func end(_ name: XMLName) throws {
        switch name.pointer[0] {
        case UInt8(ascii: "c") where name.pointer[1] == 0:
            try endCell()
        case UInt8(ascii: "v") where name.pointer[1] == 0,
             UInt8(ascii: "f") where name.pointer[1] == 0,
             UInt8(ascii: "t") where name.pointer[1] == 0:
            capture = .none
        case UInt8(ascii: "r"):
            if name.is("row") {
                try flushRow()
                inRow = false
            } else if name.is("rPh") {
                phoneticDepth -= 1
            }
        case UInt8(ascii: "s"):
            if name.is("sheetData") { try flushRow() }
        default:
            break
        }
    }

    override func text(_ bytes: UnsafeBufferPointer<UInt8>) {
        switch capture {
        case .none: return
        case .value: value.append(bytes)
        case .formula: formula.append(bytes)
        case .inline: inline.append(bytes)
        }
    }

    private func endCell() throws {
        if let cellRow {
            if !rowHasExplicitIndex && cells.isEmpty && cellRow != rowIndex {
                rowIndex = cellRow
                nextRow = cellRow + 1
            } else if cellRow != rowIndex {
                // A cell whose reference names another row than its <row>: trust the cell.
                try flushRow()
                rowIndex = cellRow
                nextRow = max(nextRow, cellRow + 1)
            }
        }
        let v = try cellValue()
        let f: String? = hasFormula && !formula.isEmpty ? formula.string : nil
        if case .empty = v, f == nil { return }
        cells.append(IndexedCell(column, Cell(v, formula: f)))
    }

    private func cellValue() throws -> CellValue {
        switch type {
        case .inline:
            if !inline.isEmpty || value.isEmpty { return inline.isEmpty ? .empty : .string(decodeOOXMLText(inline.buffer)) }
            return .string(decodeOOXMLText(value.buffer))
        case .shared:
            guard !value.isEmpty else { return .empty }
            guard let i = parseInt(value.buffer), i < strings.count else {
                throw ReadError.malformed(file: file, part: part,
                    detail: "cell \(CellPosition(row: rowIndex, column: column).a1): shared string index \(value.string) is not in the table of \(strings.count) strings")
            }
            return .string(strings[i])
        case .formulaString:
            return value.isEmpty ? .empty : .string(decodeOOXMLText(value.buffer))
        case .bool:
            guard !value.isEmpty else { return .empty }
            let s = value.string.trimmingCharacters().lowercased()
            return .bool(s == "1" || s == "true")
        case .error:
            return value.isEmpty ? .empty : .error(value.string)
        case .isoDate:
            guard !value.isEmpty else { return .empty }
            let s = value.string
            return SerialDate.parseISO(s).map(CellValue.dateTime) ?? .string(s)
        case .number:
            guard !value.isEmpty else { return .empty }
            guard let d = parseDouble(value.buffer) else {
                return .string(value.string)
            }
            switch kind {
            case .number: return .number(d)
            case .date: return SerialDate.dateTime(serial: d, date1904: date1904).map(CellValue.dateTime) ?? .number(d)
            case .duration: return .duration((d * 86_400_000).rounded() / 1000)
            }
        }
    }

    private func flushRow() throws {
        guard !cells.isEmpty else { return }
        if cells.count > 1 && !isAscending() {
            cells.sort { $0.column < $1.column }
        }
        try sink(rowIndex, cells)
        cells.removeAll(keepingCapacity: true)
    }

    private func isAscending() -> Bool {
        for i in 1..<cells.count where cells[i].column <= cells[i - 1].column { return false }
        return true
    }
}

/// Parses a decimal number from XML text (trimmed); nil if it is not one.
@inline(__always)
func parseDouble(_ bytes: inout [UInt8]) -> Double? {
    bytes.withUnsafeBufferPointer { parseDouble($0) }
}

private let exactPowersOfTen: [Double] = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
                                          1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22]

/// Clinger's fast path: a decimal whose significand fits in 53 bits and whose power of ten
/// is at most 22 converts with one correctly rounded multiplication or division. Nil when
/// the text is not that simple (strtod takes over).
@inline(__always)
func fastDecimal(_ b: UnsafeBufferPointer<UInt8>) -> Double? {
    let n = b.count
    var i = 0
    var neg = false
    if i < n && (b[i] == 45 || b[i] == 43) { neg = b[i] == 45; i += 1 }
    var m: UInt64 = 0
    var digits = 0
    var scale = 0
    var sawDigit = false
    while i < n, b[i] >= 48, b[i] <= 57 {
        m = m &* 10 &+ UInt64(b[i] &- 48); if m != 0 { digits += 1 }; i += 1; sawDigit = true
    }
    if i < n && b[i] == 46 {
        i += 1
        while i < n, b[i] >= 48, b[i] <= 57 {
            m = m &* 10 &+ UInt64(b[i] &- 48); if m != 0 { digits += 1 }; scale -= 1; i += 1; sawDigit = true
        }
    }
    guard sawDigit, digits <= 15 else { return nil }
    if i < n && (b[i] == 101 || b[i] == 69) {
        i += 1
        var eneg = false
        if i < n && (b[i] == 45 || b[i] == 43) { eneg = b[i] == 45; i += 1 }
        var e = 0
        var any = false
        while i < n, b[i] >= 48, b[i] <= 57, e < 1000 { e = e * 10 + Int(b[i] - 48); i += 1; any = true }
        guard any else { return nil }
        scale += eneg ? -e : e
    }
    guard i == n, m < (1 << 53) else { return nil }
    var d = Double(m)
    if scale < 0 {
        guard scale >= -22 else { return nil }
        d /= exactPowersOfTen[-scale]
    } else if scale > 0 {
        guard scale <= 22 else { return nil }
        d *= exactPowersOfTen[scale]
    }
    return neg ? -d : d
}

/// Parses a decimal number (surrounding white space allowed); nil if it is not one. Hex
/// floats, `inf` and `nan`, which strtod would take, are refused.
func parseDouble(_ b: UnsafeBufferPointer<UInt8>) -> Double? {
    let n = b.count
    // Fast path: up to 15 plain digits with an optional minus sign are exact as Double.
    if n <= 16 && n > 0 {
        var i = 0, neg = false, v = 0
        if b[0] == 45 { neg = true; i = 1 }
        if i < n {
            var ok = true
            while i < n {
                let u = b[i]
                if u < 48 || u > 57 { ok = false; break }
                v = v &* 10 &+ Int(u &- 48)
                i += 1
            }
            if ok { return Double(neg ? -v : v) }
        }
    }
    if let d = fastDecimal(b) { return d }
    guard n > 0, n < 128 else { return nil }
    for u in b where u == 120 || u == 88 || u == 110 || u == 78 || u == 105 || u == 73 { return nil }
    return withUnsafeTemporaryAllocation(of: CChar.self, capacity: n + 1) { tmp -> Double? in
        let t = tmp.baseAddress!
        UnsafeMutableRawPointer(t).copyMemory(from: b.baseAddress!, byteCount: n)
        t[n] = 0
        var end: UnsafeMutablePointer<CChar>? = nil
        let d = strtod(t, &end)
        guard let end, end != t else { return nil }
        var p = end
        while p.pointee == 32 || p.pointee == 9 || p.pointee == 10 || p.pointee == 13 { p += 1 }
        guard p.pointee == 0, d.isFinite else { return nil }
        return d
    }
}
