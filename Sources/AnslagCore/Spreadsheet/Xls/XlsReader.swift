/// Reads legacy Excel workbooks (`.xls`): BIFF8 (Excel 97–2003) and BIFF5 (Excel 5/95) in a
/// compound file. Values only: numbers (NUMBER, RK, MULRK), strings (shared, LABEL, RSTRING),
/// booleans and errors, formulas' cached results (formula text is not decompiled), dates from
/// the XF's number format, merged ranges, sheet visibility, the 1904 date system. Password-
/// protected files (FILEPASS) are refused as encrypted.
public final class XlsReader: SpreadsheetReader {
    public let file: String
    public let sheets: [SheetInfo]
    let stream: [UInt8]
    private let biff8: Bool
    let offsets: [Int]
    /// Each XF's number format code (its FORMAT record's, or a built-in one's); nil for General.
    let formatCodes: [String?]
    private let strings: [String]
    private let kinds: [NumberKind]
    private let date1904: Bool
    private let codepage: Int

    init(file: String, data: [UInt8], limits: ReadLimits) throws {
        self.file = file
        let cfb = try CompoundFile(file: file, data: data)
        if cfb.contains("EncryptedPackage") { throw ReadError.encrypted(file: file) }
        guard let s = try cfb.stream(named: "Workbook") ?? cfb.stream(named: "Book") else {
            throw ReadError.unsupported(file: file, what: "a compound file without a Workbook stream: not an Excel workbook")
        }
        stream = s
        var records = BiffRecords(data: s)
        guard let bof = records.next(), bof.type == 0x0809, bof.length >= 2 else {
            throw ReadError.malformed(file: file, part: "Workbook", detail: "the workbook stream does not start with a BIFF5/BIFF8 BOF record")
        }
        biff8 = BiffRecords.u16(s, bof.offset) == 0x0600
        var infos: [SheetInfo] = []
        var offsets: [Int] = []
        var sstSegments: [ArraySlice<UInt8>] = []
        var formats: [Int: String] = [:]
        var xfFormats: [Int] = []
        var date1904 = false
        var codepage = 1252
        var inSST = false
        while let r = records.next() {
            let body = s[r.offset..<(r.offset + r.length)]
            if r.type != 0x003C { inSST = false }
            switch r.type {
            case 0x000A: break
            case 0x002F: throw ReadError.encrypted(file: file)
            case 0x0042 where r.length >= 2: codepage = Int(BiffRecords.u16(s, r.offset))
            case 0x0022 where r.length >= 2: date1904 = BiffRecords.u16(s, r.offset) == 1
            case 0x0085 where r.length >= 8:
                let pos = Int(BiffRecords.u32(s, r.offset))
                let state: SheetState = s[r.offset + 4] & 3 == 1 ? .hidden : (s[r.offset + 4] & 3 == 2 ? .veryHidden : .visible)
                let kind: SheetKind = s[r.offset + 5] == 2 ? .chartsheet : (s[r.offset + 5] == 1 ? .macrosheet : .worksheet)
                var cursor = BiffCursor(segments: [body[(r.offset + 6)...]])
                let name = biff8 ? cursor.unicodeString(lengthBytes: 1) : cursor.byteString(lengthBytes: 1, codepage: codepage)
                infos.append(SheetInfo(name: name, state: state, kind: kind))
                offsets.append(pos)
            case 0x00FC:
                sstSegments = [body]
                inSST = true
            case 0x003C where inSST:
                sstSegments.append(body)
            case 0x041E where r.length >= 3:
                let id = Int(BiffRecords.u16(s, r.offset))
                var cursor = BiffCursor(segments: [body[(r.offset + 2)...]])
                formats[id] = biff8 ? cursor.unicodeString(lengthBytes: 2) : cursor.byteString(lengthBytes: 1, codepage: codepage)
            case 0x00E0 where r.length >= 4:
                xfFormats.append(Int(BiffRecords.u16(s, r.offset + 2)))
            default: break
            }
            if r.type == 0x000A { break }
        }
        guard !infos.isEmpty else {
            throw ReadError.malformed(file: file, part: "Workbook", detail: "the workbook lists no sheets")
        }
        var table: [String] = []
        if !sstSegments.isEmpty, sstSegments[0].count >= 8 {
            var cursor = BiffCursor(segments: sstSegments)
            _ = cursor.u32()
            let unique = Int(cursor.u32())
            guard unique <= limits.maxSharedStrings, unique <= s.count else {
                throw ReadError.limitExceeded(file: file, part: "SST", detail: "shared-string table claims \(unique) strings")
            }
            table.reserveCapacity(unique)
            while table.count < unique && !cursor.atEnd { table.append(cursor.richString()) }
        }
        sheets = infos
        self.offsets = offsets
        strings = table
        kinds = xfFormats.map { id in formats[id].map(NumberKind.of(formatCode:)) ?? NumberKind.builtin(id) }
        formatCodes = xfFormats.map { id in formats[id].flatMap { $0.lowercased() == "general" ? nil : $0 } ?? BuiltinFormats.code(id) }
        self.date1904 = date1904
        self.codepage = codepage
    }

    @discardableResult
    public func readSheet(at index: Int, row: (Int, [IndexedCell]) throws -> Void) throws -> [CellRange] {
        guard sheets[index].kind == .worksheet else { return [] }
        let start = offsets[index]
        guard start >= 0, start < stream.count else {
            throw ReadError.malformed(file: file, part: "sheet \"\(sheets[index].name)\"", detail: "its BOF offset lies outside the workbook stream")
        }
        var records = BiffRecords(data: stream, position: start)
        guard let bof = records.next(), bof.type == 0x0809 else {
            throw ReadError.malformed(file: file, part: "sheet \"\(sheets[index].name)\"", detail: "no BOF record where the sheet should start")
        }
        var rows: [Int: [IndexedCell]] = [:]
        var merged: [CellRange] = []
        var pendingFormula: (Int, Int)? = nil
        let s = stream
        func put(_ r: Int, _ c: Int, _ v: CellValue) {
            if case .empty = v { return }
            rows[r, default: []].append(IndexedCell(c, Cell(v)))
        }
        func number(_ d: Double, xf: Int) -> CellValue {
            switch xf < kinds.count ? kinds[xf] : .number {
            case .number: return .number(d)
            case .date: return SerialDate.dateTime(serial: d, date1904: date1904).map(CellValue.dateTime) ?? .number(d)
            case .duration: return .duration((d * 86_400_000).rounded() / 1000)
            }
        }
        var nested = 0
        while let r = records.next() {
            let o = r.offset
            // Embedded charts are whole BOF…EOF substreams inside the sheet; their data caches
            // use cell records too, which are not the sheet's cells.
            if r.type == 0x0809 { nested += 1; continue }
            if r.type == 0x000A { if nested == 0 { break }; nested -= 1; continue }
            guard nested == 0 else { continue }
            guard r.length >= 6 || r.type == 0x0207 || r.type == 0x00E5 else { continue }
            let rw = Int(BiffRecords.u16(s, o)), col = Int(BiffRecords.u16(s, o + 2)), xf = Int(BiffRecords.u16(s, o + 4))
            switch r.type {
            case 0x0203 where r.length >= 14:
                put(rw, col, number(BiffRecords.f64(s, o + 6), xf: xf))
            case 0x027E where r.length >= 10:
                put(rw, col, number(BiffRecords.rk(BiffRecords.u32(s, o + 6)), xf: xf))
            case 0x00BD:
                var k = o + 4, c = col
                while k + 6 <= o + r.length - 2 {
                    put(rw, c, number(BiffRecords.rk(BiffRecords.u32(s, k + 2)), xf: Int(BiffRecords.u16(s, k))))
                    k += 6; c += 1
                }
            case 0x00FD where r.length >= 10:
                let i = Int(BiffRecords.u32(s, o + 6))
                guard i < strings.count else {
                    throw ReadError.malformed(file: file, part: "sheet \"\(sheets[index].name)\"",
                        detail: "cell \(CellPosition(row: rw, column: col).a1): shared string \(i) is not in the table of \(strings.count) strings")
                }
                put(rw, col, .string(strings[i]))
            case 0x0204, 0x00D6:
                var cursor = BiffCursor(segments: [s[(o + 6)..<(o + r.length)]])
                let text = biff8 ? cursor.unicodeString(lengthBytes: 2) : cursor.byteString(lengthBytes: 2, codepage: codepage)
                put(rw, col, .string(text))
            case 0x0205 where r.length >= 8:
                let v = s[o + 6]
                put(rw, col, s[o + 7] == 0 ? .bool(v != 0) : .error(Self.errorText(v)))
            case 0x0006 where r.length >= 20:
                if BiffRecords.u16(s, o + 12) == 0xFFFF {
                    switch s[o + 6] {
                    case 0: pendingFormula = (rw, col)
                    case 1: put(rw, col, .bool(s[o + 8] != 0))
                    case 2: put(rw, col, .error(Self.errorText(s[o + 8])))
                    default: break
                    }
                } else {
                    put(rw, col, number(BiffRecords.f64(s, o + 6), xf: xf))
                }
            case 0x0207:
                if let (fr, fc) = pendingFormula {
                    var cursor = BiffCursor(segments: [s[o..<(o + r.length)]])
                    put(fr, fc, .string(biff8 ? cursor.unicodeString(lengthBytes: 2) : cursor.byteString(lengthBytes: 2, codepage: codepage)))
                    pendingFormula = nil
                }
            case 0x00E5 where r.length >= 2:
                let n = Int(BiffRecords.u16(s, o))
                for i in 0..<n where o + 2 + 8 * i + 8 <= o + r.length {
                    let b = o + 2 + 8 * i
                    let r0 = Int(BiffRecords.u16(s, b)), r1 = Int(BiffRecords.u16(s, b + 2))
                    let c0 = Int(BiffRecords.u16(s, b + 4)), c1 = Int(BiffRecords.u16(s, b + 6))
                    merged.append(CellRange(start: CellPosition(row: min(r0, r1), column: min(c0, c1)),
                                            end: CellPosition(row: max(r0, r1), column: max(c0, c1))))
                }
            default:
                break
            }
        }
        for r in rows.keys.sorted() {
            var cells = rows[r]!
            cells.sort { $0.column < $1.column }
            // A cell given twice keeps its last value.
            var unique: [IndexedCell] = []
            for c in cells { if unique.last?.column == c.column { unique[unique.count - 1] = c } else { unique.append(c) } }
            try row(r, unique)
        }
        return merged
    }

    static func errorText(_ code: UInt8) -> String {
        switch code {
        case 0x00: return "#NULL!"
        case 0x07: return "#DIV/0!"
        case 0x0F: return "#VALUE!"
        case 0x17: return "#REF!"
        case 0x1D: return "#NAME?"
        case 0x24: return "#NUM!"
        case 0x2A: return "#N/A"
        default: return "#ERR\(code)!"
        }
    }
}

/// Walks BIFF records: type, length, and where the data starts.
struct BiffRecords {
    let data: [UInt8]
    var position = 0

    init(data: [UInt8], position: Int = 0) { self.data = data; self.position = position }

    mutating func next() -> (type: UInt16, offset: Int, length: Int)? {
        guard position + 4 <= data.count else { return nil }
        let type = Self.u16(data, position), length = Int(Self.u16(data, position + 2))
        let offset = position + 4
        guard offset + length <= data.count else { return nil }
        position = offset + length
        return (type, offset, length)
    }

    static func u16(_ d: [UInt8], _ o: Int) -> UInt16 { o + 1 < d.count ? UInt16(d[o]) | UInt16(d[o + 1]) << 8 : 0 }
    static func u32(_ d: [UInt8], _ o: Int) -> UInt32 {
        o + 3 < d.count ? UInt32(d[o]) | UInt32(d[o + 1]) << 8 | UInt32(d[o + 2]) << 16 | UInt32(d[o + 3]) << 24 : 0
    }
    static func f64(_ d: [UInt8], _ o: Int) -> Double {
        Double(bitPattern: UInt64(u32(d, o)) | UInt64(u32(d, o + 4)) << 32)
    }

    /// An RK number: a 30-bit integer or the high bits of a double, optionally divided by 100.
    static func rk(_ v: UInt32) -> Double {
        let d = v & 2 != 0 ? Double(Int32(bitPattern: v) >> 2) : Double(bitPattern: UInt64(v & 0xFFFF_FFFC) << 32)
        return v & 1 != 0 ? d / 100 : d
    }
}

/// Reads across a record and its CONTINUE records; a string's characters that run into the
/// next record start again with a fresh flags byte, as BIFF8 says.
struct BiffCursor {
    private var segments: [ArraySlice<UInt8>]
    private var segment = 0
    private var index: Int

    init(segments: [ArraySlice<UInt8>]) {
        self.segments = segments
        index = segments.first?.startIndex ?? 0
    }

    var atEnd: Bool {
        var s = segment, i = index
        while s < segments.count { if i < segments[s].endIndex { return false }; s += 1; i = s < segments.count ? segments[s].startIndex : 0 }
        return true
    }

    private mutating func advanceSegmentIfNeeded() -> Bool {
        while segment < segments.count && index >= segments[segment].endIndex {
            segment += 1
            if segment < segments.count { index = segments[segment].startIndex }
        }
        return segment < segments.count
    }

    mutating func u8() -> UInt8 {
        guard advanceSegmentIfNeeded() else { return 0 }
        let v = segments[segment][index]
        index += 1
        return v
    }

    mutating func u16() -> UInt16 { UInt16(u8()) | UInt16(u8()) << 8 }
    mutating func u32() -> UInt32 { UInt32(u16()) | UInt32(u16()) << 16 }

    mutating func skip(_ n: Int) {
        var left = n
        while left > 0 && advanceSegmentIfNeeded() {
            let take = min(left, segments[segment].endIndex - index)
            index += take
            left -= take
        }
    }

    private mutating func characters(_ count: Int, high: Bool) -> String {
        var units: [UInt16] = []
        units.reserveCapacity(min(count, 1 << 16))
        var wide = high
        var first = true
        while units.count < count {
            if !first || index >= (segment < segments.count ? segments[segment].endIndex : 0) {
                if index >= (segment < segments.count ? segments[segment].endIndex : 0) {
                    guard advanceSegmentIfNeeded() else { break }
                    if !first { wide = segments[segment][index] & 1 != 0; index += 1 }
                    else { wide = segments[segment][index] & 1 != 0; index += 1 }
                }
            }
            first = false
            guard segment < segments.count else { break }
            let end = segments[segment].endIndex
            while units.count < count && index + (wide ? 1 : 0) < end {
                if wide {
                    units.append(UInt16(segments[segment][index]) | UInt16(segments[segment][index + 1]) << 8)
                    index += 2
                } else {
                    units.append(UInt16(segments[segment][index]))
                    index += 1
                }
            }
            if units.count < count && index >= end {
                // Characters continue in the next record, after a new flags byte.
                segment += 1
                guard segment < segments.count else { break }
                index = segments[segment].startIndex
                guard index < segments[segment].endIndex else { break }
                wide = segments[segment][index] & 1 != 0
                index += 1
            } else if units.count < count {
                break
            }
        }
        return String(decoding: units, as: UTF16.self)
    }

    /// XLUnicodeString / ShortXLUnicodeString: a length, a flags byte, the characters.
    mutating func unicodeString(lengthBytes: Int) -> String {
        let n = lengthBytes == 1 ? Int(u8()) : Int(u16())
        let flags = u8()
        var runs = 0, ext = 0
        if flags & 8 != 0 { runs = Int(u16()) }
        if flags & 4 != 0 { ext = Int(u32()) }
        let s = characters(n, high: flags & 1 != 0)
        skip(4 * runs + ext)
        return s
    }

    /// XLUnicodeRichExtendedString, the shared-string table's entries.
    mutating func richString() -> String { unicodeString(lengthBytes: 2) }

    /// A BIFF5 string: a length and bytes in the workbook's code page.
    mutating func byteString(lengthBytes: Int, codepage: Int) -> String {
        let n = lengthBytes == 1 ? Int(u8()) : Int(u16())
        var bytes: [UInt8] = []
        for _ in 0..<n where advanceSegmentIfNeeded() { bytes.append(u8()) }
        if codepage == 65001 { return String(decoding: bytes, as: UTF8.self) }
        return TextDecoding.decode(bytes, as: .windows1252).0
    }
}
