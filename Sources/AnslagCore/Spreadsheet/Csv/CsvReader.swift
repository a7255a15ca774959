/// Options for reading delimited text.
public struct CsvOptions: Sendable, Equatable {
    /// `nil` sniffs among `,` `;` and tab.
    public var delimiter: Character?
    /// `nil` detects (BOM, valid UTF-8, else Windows-1252).
    public var encoding: TextEncoding?
    public init(delimiter: Character? = nil, encoding: TextEncoding? = nil) {
        self.delimiter = delimiter; self.encoding = encoding
    }
}

/// RFC 4180 parsing: quoted fields with doubled quotes, embedded delimiters and line breaks;
/// CRLF, LF or CR line ends. Every field is text; callers decide what it means.
public enum CsvParser {
    /// Splits text into records of fields. A quote in the middle of an unquoted field is kept
    /// as a character (as Excel does); an unterminated quote runs to the end of the text.
    public static func records(_ text: String, delimiter: Character) -> [[String]] {
        var out: [[String]] = []
        forEachRecord(text, delimiter: delimiter) { out.append($0) }
        return out
    }

    public static func forEachRecord(_ text: String, delimiter: Character, _ body: ([String]) throws -> Void) rethrows {
        let d = delimiter.unicodeScalars.first!.value
        var field = String.UnicodeScalarView()
        var record: [String] = []
        var inQuotes = false
        var quotedField = false
        var it = text.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = nil
        var any = false
        func endField() {
            record.append(String(field)); field = String.UnicodeScalarView(); quotedField = false
        }
        while let c = pending ?? it.next() {
            pending = nil
            any = true
            if inQuotes {
                if c == "\"" {
                    if let n = it.next() {
                        if n == "\"" { field.append("\"") } else { inQuotes = false; pending = n }
                    } else { inQuotes = false }
                } else {
                    field.append(c)
                }
                continue
            }
            switch c.value {
            case 0x22 where field.isEmpty && !quotedField:
                inQuotes = true; quotedField = true
            case d:
                endField()
            case 0x0A, 0x0D:
                if c.value == 0x0D, let n = it.next(), n.value != 0x0A { pending = n }
                endField()
                try body(record)
                record = []
                any = false
            default:
                field.append(c)
            }
        }
        if any || !field.isEmpty || !record.isEmpty {
            endField()
            try body(record)
        }
    }

    /// Picks the delimiter among `,` `;` tab that splits the first lines most consistently.
    public static func sniffDelimiter(_ text: String) -> Character {
        let sample = String(text.prefix(64 * 1024))
        var best: Character = ","
        var bestScore = -1
        for candidate in [";", ",", "\t"] as [Character] {
            var counts: [Int] = []
            forEachRecord(sample, delimiter: candidate) { r in
                if counts.count < 50, !(r.count == 1 && r[0].isEmpty) { counts.append(r.count - 1) }
            }
            if counts.count > 1 && counts.count < 50 { counts.removeLast() }  // last may be cut
            var freq: [Int: Int] = [:]
            for c in counts where c > 0 { freq[c, default: 0] += 1 }
            let score = (freq.max { ($0.value, $0.key) < ($1.value, $1.key) }?.value ?? 0) * 100
                + (freq.keys.max() ?? 0)
            if score > bestScore { best = candidate; bestScore = score }
        }
        return bestScore <= 0 ? "," : best
    }
}

/// Reads a CSV file as a one-sheet workbook whose sheet is named after the file.
public final class CsvReader: SpreadsheetReader {
    public let file: String
    public let sheets: [SheetInfo]
    public let delimiter: Character
    public let encoding: TextEncoding
    private let text: String
    private let limits: ReadLimits

    public init(file: String, bytes: [UInt8], options: CsvOptions = CsvOptions(), limits: ReadLimits = .default) {
        self.file = file
        self.limits = limits
        let (text, encoding) = TextDecoding.decode(bytes, as: options.encoding)
        self.text = text
        self.encoding = encoding
        self.delimiter = options.delimiter ?? CsvParser.sniffDelimiter(text)
        var stem = file.split(separator: "/").last.map(String.init) ?? file
        if let dot = stem.lastIndex(of: "."), dot != stem.startIndex { stem = String(stem[..<dot]) }
        sheets = [SheetInfo(name: stem.isEmpty ? "Sheet1" : stem, state: .visible)]
    }

    @discardableResult
    public func readSheet(at index: Int, row: (Int, [IndexedCell]) throws -> Void) throws -> [CellRange] {
        var cells: [IndexedCell] = []
        do {
            try CsvParser.forEachSparseRecord(text, delimiter: delimiter, maxFields: SheetLimits.maxColumns,
                                              maxRecordBytes: limits.maxCsvRecordBytes) { r, fields in
                cells.removeAll(keepingCapacity: true)
                for (c, field) in fields { cells.append(IndexedCell(c, Cell(.string(field)))) }
                if !cells.isEmpty { try row(r, cells) }
            }
        } catch let e as CsvParser.RecordRefused {
            throw ReadError.limitExceeded(file: file, part: "row \(e.record + 1)", detail: e.description)
        }
        return []
    }
}

extension CsvParser {
    /// Why `forEachSparseRecord` stopped: a record with more fields than a sheet has columns,
    /// or longer than the record limit (an unterminated quote runs to the end of the text).
    public struct RecordRefused: Error, CustomStringConvertible, Sendable {
        public enum Reason: Sendable, Equatable { case tooManyFields(Int), tooLong(Int) }
        /// Zero-based record number.
        public let record: Int
        public let reason: Reason
        public var description: String {
            switch reason {
            case .tooManyFields(let n):
                return "more than \(n) fields in one record (past column \(CellPosition.columnName(n - 1)), the last a sheet has)"
            case .tooLong(let n):
                return "a record longer than \(n >> 20) MiB (quotes included; an unterminated quote runs to the end of the file)"
            }
        }
    }

    /// Like `forEachRecord` (the same records and fields), but gives each record's non-empty
    /// fields only, with their column, so memory holds the values present, not one entry per
    /// delimiter. A record with more than `maxFields` fields, or of more than `maxRecordBytes`
    /// UTF-8 bytes, is refused as soon as the limit is passed. Works on the UTF-8 bytes (the
    /// delimiter and quotes are ASCII, which never occur inside a multi-byte character).
    public static func forEachSparseRecord(_ text: String, delimiter: Character, maxFields: Int, maxRecordBytes: Int,
                                           _ body: (Int, [(Int, String)]) throws -> Void) throws {
        guard let d = delimiter.asciiValue else {
            // A delimiter outside ASCII (only a library caller can give one): field by field.
            var r = 0
            try forEachRecord(text, delimiter: delimiter) { fields in
                if fields.count > maxFields { throw RecordRefused(record: r, reason: .tooManyFields(maxFields)) }
                try body(r, fields.enumerated().compactMap { $0.element.isEmpty ? nil : ($0.offset, $0.element) })
                r += 1
            }
            return
        }
        var text = text
        try text.withUTF8 { buf in
            let n = buf.count, quote: UInt8 = 0x22, lf: UInt8 = 0x0A, cr: UInt8 = 0x0D
            var record: [(Int, String)] = []
            var quoted: [UInt8] = []
            var column = 0, recordIndex = 0, recordStart = 0, i = 0
            func checkLength(_ end: Int) throws {
                if end - recordStart > maxRecordBytes { throw RecordRefused(record: recordIndex, reason: .tooLong(maxRecordBytes)) }
            }
            func emit() throws {
                try body(recordIndex, record)
                record.removeAll(keepingCapacity: true)
                column = 0
                recordIndex += 1
            }
            while i < n {
                // A field starts at i.
                let value: String
                if buf[i] == quote {
                    // Quoted: doubled quotes are one; an unterminated quote runs to the end;
                    // what follows the closing quote up to the delimiter is kept as written.
                    quoted.removeAll(keepingCapacity: true)
                    i += 1
                    var segment = i
                    while true {
                        guard i < n else {
                            try checkLength(n)
                            quoted.append(contentsOf: UnsafeBufferPointer(rebasing: buf[segment..<n]))
                            break
                        }
                        if buf[i] == quote {
                            try checkLength(i + 1)
                            quoted.append(contentsOf: UnsafeBufferPointer(rebasing: buf[segment..<i]))
                            if i + 1 < n && buf[i + 1] == quote {
                                quoted.append(quote)
                                i += 2
                                segment = i
                                continue
                            }
                            i += 1
                            break
                        }
                        i += 1
                    }
                    let rest = i
                    while i < n && buf[i] != d && buf[i] != lf && buf[i] != cr { i += 1 }
                    try checkLength(i)
                    quoted.append(contentsOf: UnsafeBufferPointer(rebasing: buf[rest..<i]))
                    value = String(decoding: quoted, as: UTF8.self)
                } else {
                    let start = i
                    while i < n && buf[i] != d && buf[i] != lf && buf[i] != cr { i += 1 }
                    try checkLength(i)
                    value = String(decoding: UnsafeBufferPointer(rebasing: buf[start..<i]), as: UTF8.self)
                }
                if !value.isEmpty { record.append((column, value)) }
                if i < n && buf[i] == d {
                    column += 1
                    if column >= maxFields { throw RecordRefused(record: recordIndex, reason: .tooManyFields(maxFields)) }
                    i += 1
                    if i == n { try emit() }   // a delimiter last: the record ends with an empty field
                    continue
                }
                if i < n { i += buf[i] == cr && i + 1 < n && buf[i + 1] == lf ? 2 : 1 }
                try emit()
                recordStart = i
            }
        }
    }
}
