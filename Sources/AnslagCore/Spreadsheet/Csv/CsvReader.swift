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

    public init(file: String, bytes: [UInt8], options: CsvOptions = CsvOptions()) {
        self.file = file
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
        var r = 0
        var cells: [IndexedCell] = []
        try CsvParser.forEachRecord(text, delimiter: delimiter) { record in
            cells.removeAll(keepingCapacity: true)
            for (c, field) in record.enumerated() where !field.isEmpty {
                cells.append(IndexedCell(c, Cell(.string(field))))
            }
            if !cells.isEmpty { try row(r, cells) }
            r += 1
        }
        return []
    }
}
