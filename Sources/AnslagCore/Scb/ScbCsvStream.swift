#if canImport(Glibc)
import Glibc
#endif

/// Splits delimited bytes into records, chunk by chunk, RFC 4180 quoting included; a record's
/// fields are byte ranges into `bytes`, valid until the next call.
struct ByteRecords {
    private var buffer: [UInt8] = []
    private var start = 0
    private var eof = false
    private let delimiter: UInt8
    private let fill: (inout [UInt8]) throws -> Bool   // appends bytes; false at the end
    private(set) var bytes: [UInt8] = []
    private(set) var ranges: [Range<Int>] = []
    /// The line the last record started on, 1-based.
    private(set) var line = 0
    private var nextLine = 1
    /// Set once the input has ended: the end of the buffer then ends the record.
    private var endsAtEOF = false
    /// The longest record read before giving up (a file with no line ends must not fill memory).
    static let maxRecordBytes = 16 << 20
    struct RecordTooLong: Error { let line: Int }

    init(delimiter: UInt8, initial: [UInt8], fill: @escaping (inout [UInt8]) throws -> Bool) {
        self.delimiter = delimiter
        self.buffer = initial
        self.fill = fill
        bytes.reserveCapacity(4096)
    }

    /// Reads the next record; false at the end of the input.
    mutating func next() throws -> Bool {
        if endsAtEOF && start >= buffer.count { return false }
        while true {
            if let consumed = scan() { start = consumed; return true }
            if eof {
                // The input ended inside a record: what is there is the last record (an
                // unterminated quote runs to the end, as in CsvParser).
                if start >= buffer.count { return false }
                endsAtEOF = true
                if let consumed = scan() { start = consumed; return true }
                return false
            }
            if start > 0 { buffer.removeFirst(start); start = 0 }
            if buffer.count > Self.maxRecordBytes { throw RecordTooLong(line: nextLine) }
            if try !fill(&buffer) { eof = true }
        }
    }

    /// Scans one record from `start`; nil if the buffer ends first.
    private mutating func scan() -> Int? {
        bytes.removeAll(keepingCapacity: true)
        ranges.removeAll(keepingCapacity: true)
        var newlines = 0
        let end = buffer.count
        let atEnd = endsAtEOF
        return buffer.withUnsafeBufferPointer { b -> Int? in
            var i = start
            var fieldStart = 0
            func finish() -> Int {
                ranges.append(fieldStart..<bytes.count)
                line = nextLine
                nextLine += 1 + newlines
                return end
            }
            while true {
                guard i < end else { return atEnd ? finish() : nil }
                if b[i] == 34 && bytes.count == fieldStart {
                    // Quoted field: "" is a quote; anything after the closing quote is kept.
                    i += 1
                    while true {
                        guard i < end else { if atEnd { return finish() }; return nil }
                        let c = b[i]
                        if c == 34 {
                            guard i + 1 < end else { if eof || atEnd { i += 1; break } else { return nil } }
                            if b[i + 1] == 34 { bytes.append(34); i += 2; continue }
                            i += 1
                            break
                        }
                        if c == 10 { newlines += 1 }
                        bytes.append(c)
                        i += 1
                    }
                    continue
                }
                let c = b[i]
                if c == delimiter {
                    ranges.append(fieldStart..<bytes.count)
                    fieldStart = bytes.count
                    i += 1
                } else if c == 10 || c == 13 {
                    if c == 13 {
                        guard i + 1 < end || eof || atEnd else { return nil }
                        if i + 1 < end && b[i + 1] == 10 { i += 1 }
                    }
                    ranges.append(fieldStart..<bytes.count)
                    line = nextLine
                    nextLine += 1 + newlines
                    return i + 1
                } else {
                    bytes.append(c)
                    i += 1
                }
            }
        }
    }
}

/// Streams SCB population CSV (every shape `ScbCsvReader` describes) into a `PopulationSink`,
/// keeping only the current record and a few hundred leading rows (to tell value columns from
/// dimension columns) in memory.
enum ScbCsvStream {
    static let classifyRows = 500

    /// Reads from `fill` (which appends bytes), returns the reader's findings.
    static func read(file: String, options: ScbReadOptions, sink: any PopulationSink,
                     fill: @escaping (inout [UInt8]) throws -> Bool) throws -> [ReportFinding] {
        do {
            let reading = try ScbCsvReading(file: file, options: options, sink: sink, fill: fill)
            try reading.readHeader()
            try reading.readLeadingRows()
            try reading.classifyColumns()
            try reading.describeValueColumns()
            try reading.emitLeadingRows()
            try reading.readData()
            try reading.readNotes()
            try reading.finish()
            return reading.findings
        } catch let e as ByteRecords.RecordTooLong {
            throw ReadError.limitExceeded(file: file, part: nil,
                detail: "line \(e.line) is longer than \(ByteRecords.maxRecordBytes >> 20) MiB (not a CSV table?)")
        }
    }
}

/// Text from a CSV's bytes: a guess from the first chunk read can be wrong, so bytes that are
/// not UTF-8 later on switch the rest of the file to Windows-1252, and the line where that
/// happened is kept for a warning.
final class ScbCsvDecoder {
    private(set) var latin1: Bool
    private let guessed: Bool
    /// The line being decoded, and where the switch happened.
    var currentLine = 0
    private(set) var switchedAt: Int? = nil

    init(encoding: TextEncoding, guessed: Bool) {
        latin1 = encoding == .windows1252
        self.guessed = guessed
    }

    func decode(_ b: UnsafeBufferPointer<UInt8>) -> String {
        if latin1 { return TextDecoding.windows1252(Array(b)) }
        if guessed, b.contains(where: { $0 >= 0x80 }), !TextDecoding.isValidUTF8(Array(b)) {
            latin1 = true
            switchedAt = currentLine
            return TextDecoding.windows1252(Array(b))
        }
        return String(decoding: b, as: UTF8.self)
    }
}

/// One streamed read of an SCB CSV, in its steps: the first look (encoding, delimiter), title
/// lines and the header, the leading rows kept to classify the columns, the columns' roles,
/// what the value columns' headers say, the data rows, the footnotes, and the end.
final class ScbCsvReading {
    let file: String
    let options: ScbReadOptions
    let sink: any PopulationSink
    private let decoder: ScbCsvDecoder
    private var records: ByteRecords

    private(set) var findings: [ReportFinding] = []
    private var metadata: PopulationTable.Metadata
    private var header: [String] = []
    private var headerLine = 0
    /// The leading rows, kept to classify the columns.
    private var leading: [(line: Int, fields: [String])] = []
    private var notes: [String] = []
    private var inNotes = false
    /// Lines of fewer than two fields: footnotes if the data ends after them, else data.
    private var pendingShort: [(line: Int, text: String)] = []
    private var more = true

    // What the columns are.
    private var roles: [ScbCsvReader.Role] = []
    private var usedDimension: Set<String> = []
    private var valueColumns: [Int] = []
    private var dimensionColumns: [Int] = []
    private var dimIndex: [String: Int] = [:]
    private var keys = PopulationKeys(dimensions: [])
    /// Per value column, the dimension ids its header gives.
    private var columnIds: [[(Int, Int32)]] = []

    // Dimension columns: raw label → id, with a small cache of recent labels per column.
    private var warned: Set<String> = []
    private var labelIds: [[String: Int32?]] = []
    private var ids: [Int32] = []

    /// The first look: encoding and delimiter, from up to 64 KiB.
    init(file: String, options: ScbReadOptions, sink: any PopulationSink, fill: @escaping (inout [UInt8]) throws -> Bool) throws {
        self.file = file
        self.options = options
        self.sink = sink
        metadata = PopulationTable.Metadata(source: file)
        var head: [UInt8] = []
        while head.count < 64 * 1024, try fill(&head) {}
        var encoding = options.encoding ?? {
            if head.starts(with: [0xEF, 0xBB, 0xBF]) { return .utf8BOM }
            var sample = head
            // Do not judge a character cut at the end of the sample.
            var k = 0
            while k < 3, let last = sample.last, last >= 0x80 { sample.removeLast(); k += 1 }
            return TextDecoding.isValidUTF8(sample) ? .utf8 : .windows1252
        }()
        if head.starts(with: [0xEF, 0xBB, 0xBF]) { head.removeFirst(3); if options.encoding == nil { encoding = .utf8BOM } }
        if encoding == .utf16LE || encoding == .utf16BE {
            throw ReadError.unsupported(file: file, what: "UTF-16 CSV; save it as UTF-8 and try again")
        }
        let decoder = ScbCsvDecoder(encoding: encoding, guessed: options.encoding == nil)
        self.decoder = decoder
        let delimiterChar = options.delimiter ?? ScbCsvReader.sniff(head.withUnsafeBufferPointer { decoder.decode($0) })
        guard let delimiter = delimiterChar.asciiValue else {
            throw ReadError.malformed(file: file, part: nil, detail: "the delimiter must be an ASCII character")
        }
        records = ByteRecords(delimiter: delimiter, initial: head, fill: fill)
    }

    /// The current record's fields as trimmed text.
    private func strings() -> [String] {
        decoder.currentLine = records.line
        let decoder = decoder
        return records.bytes.withUnsafeBufferPointer { b in
            records.ranges.map { decoder.decode(UnsafeBufferPointer(rebasing: b[$0])).trimmingCharacters() }
        }
    }

    /// Title lines, then the header: the first record with two or more fields.
    func readHeader() throws {
        while try records.next() {
            let r = strings()
            if r.filter({ !$0.isEmpty }).count >= 2 {
                let width = (r.lastIndex { !$0.isEmpty } ?? -1) + 1
                header = Array(r.prefix(width))
                headerLine = records.line
                break
            }
            if let t = r.first, !t.isEmpty, metadata.title == nil { metadata.title = t }
        }
        guard !header.isEmpty else {
            throw ReadError.malformed(file: file, part: nil, detail: "no header row: the file has no line with two or more columns")
        }
    }

    /// Leading rows, kept to classify the columns.
    func readLeadingRows() throws {
        while leading.count < ScbCsvStream.classifyRows {
            guard try records.next() else { more = false; break }
            let r = strings()
            if r.allSatisfy(\.isEmpty) { inNotes = true; break }
            let width = (r.lastIndex { !$0.isEmpty } ?? -1) + 1
            if width < 2 && header.count > 1 && !leading.isEmpty {
                pendingShort.append((records.line, r.filter { !$0.isEmpty }.joined(separator: " ")))
                continue
            }
            if !pendingShort.isEmpty && width >= header.count {
                for p in pendingShort { leading.append((p.line, [p.text])) }
                pendingShort = []
            }
            leading.append((records.line, r))
        }
        guard !leading.isEmpty else {
            throw ReadError.malformed(file: file, part: nil, detail: "line \(headerLine): a header but no data rows")
        }
    }

    /// Which columns are dimensions and which hold values.
    func classifyColumns() throws {
        for (c, name) in header.enumerated() {
            let known = ScbCsvReader.dimensionRole(name)
            let numeric = leading.allSatisfy { c >= $0.fields.count || ScbCsvReader.isValueCell($0.fields[c]) }
            if let known, !(known == .period && numeric && ScbLabels.period(name) != nil) {
                let key = ScbCsvReader.key(of: known)
                if usedDimension.insert(key).inserted { roles.append(known) } else { roles.append(.other(key + "_\(c)")) }
            } else if numeric && c > 0 {
                roles.append(.value)
            } else if c == 0 {
                roles.append(.region)
                usedDimension.insert("region")
            } else {
                let code = ScbCsvReader.otherCode(name)
                roles.append(.other(code))
                usedDimension.insert(code)
            }
        }
        valueColumns = roles.indices.filter { roles[$0] == .value }
        guard !valueColumns.isEmpty else {
            throw ReadError.malformed(file: file, part: nil,
                detail: "line \(headerLine): no column holds numbers; the header does not match the data")
        }
        dimensionColumns = roles.indices.filter { roles[$0] != .value }
    }

    /// What each value column's header says (a period, a sex, a contents label), the table's
    /// dimensions from that and the columns' roles; then the sink begins.
    func describeValueColumns() throws {
        var columnKeys: [[String: String]] = []
        var leftovers: [String] = []
        for c in valueColumns {
            var keys: [String: String] = [:]
            var rest: [String] = []
            for token in header[c].split(separator: " ").map(String.init) {
                if let p = ScbLabels.period(token) { keys["period"] = p; continue }
                rest.append(token)
            }
            var restText = rest.joined(separator: " ")
            if !restText.isEmpty {
                let sex = ScbLabels.sex(restText)
                if ["male", "female", "total"].contains(sex) && !usedDimension.contains("sex") {
                    keys["sex"] = sex
                    restText = ""
                } else if rest.count == 1, ScbCsvReader.isTableId(rest[0]) {
                    metadata.tableId = metadata.tableId ?? rest[0]
                    restText = ""
                }
            }
            leftovers.append(restText)
            columnKeys.append(keys)
        }
        if Set(leftovers).count > 1 {
            for (k, text) in leftovers.enumerated() { columnKeys[k]["contents"] = text.isEmpty ? "value" : text }
        } else if let only = leftovers.first, !only.isEmpty {
            metadata.unit = only
        }
        var dims: [String] = []
        for d in ["region", "age", "sex", "period"] where usedDimension.contains(d) || columnKeys.contains(where: { $0[d] != nil }) {
            dims.append(d)
        }
        for r in roles { if case .other(let code) = r, !dims.contains(code) { dims.append(code) } }
        if columnKeys.contains(where: { $0["contents"] != nil }) && !dims.contains("contents") { dims.append("contents") }
        let dimIndex = Dictionary(uniqueKeysWithValues: dims.enumerated().map { ($1, $0) })
        let keys = PopulationKeys(dimensions: dims)
        columnIds = columnKeys.map { k in k.map { (dimIndex[$0]!, keys.id($1, dimension: dimIndex[$0]!)) } }
        self.dimIndex = dimIndex
        self.keys = keys
        labelIds = [[String: Int32?]](repeating: [:], count: header.count)
        ids = [Int32](repeating: 0, count: dims.count)
        try sink.begin(keys: keys, metadata: metadata)
    }

    /// A dimension column's raw label as its id; nil for a region the registry does not know.
    private func dimensionId(_ raw: String, column c: Int, line: Int) -> Int32? {
        if let cached = labelIds[c][raw] { return cached }
        var id: Int32?
        switch roles[c] {
        case .region:
            if let (code, name) = ScbCsvReader.region(raw, registry: options.registry, line: line, file: file,
                                                      findings: &findings, warned: &warned) {
                let i = keys.id(code, dimension: dimIndex["region"]!)
                keys.setRegionName(name ?? options.registry.region(code: code)?.name, for: i)
                id = i
            } else {
                id = nil
            }
        case .age:
            if ScbLabels.marksCellKeyMethod(raw) { metadata.cellKeyMethod = true }
            id = keys.id(ScbLabels.age(raw), dimension: dimIndex["age"]!)
        case .sex: id = keys.id(ScbLabels.sex(raw), dimension: dimIndex["sex"]!)
        case .period: id = keys.id(ScbLabels.period(raw) ?? raw, dimension: dimIndex["period"]!)
        case .other(let code): id = keys.id(raw, dimension: dimIndex[code]!)
        case .value: id = nil
        }
        // An unknown region is reported once per line; do not cache it, so each line is named.
        if id != nil { labelIds[c][raw] = id }
        return id
    }

    /// One data row: its dimension ids, then an observation per value column.
    private func emit(line: Int, field: (Int) -> String, count: Int, valueBytes: ((Int) -> UnsafeBufferPointer<UInt8>)?) throws {
        if count < header.count {
            findings.append(ReportFinding(code: .raggedRow, severity: .error, file: file, place: "line \(line)",
                message: "the row has \(count) field\(count == 1 ? "" : "s"); the header has \(header.count)"))
            return
        }
        for c in dimensionColumns {
            guard let id = dimensionId(field(c), column: c, line: line) else { return }
            ids[dimIndex[ScbCsvReader.key(of: roles[c])]!] = id
        }
        for (k, c) in valueColumns.enumerated() {
            for (d, id) in columnIds[k] { ids[d] = id }
            // Fast path: plain digits.
            if let vb = valueBytes?(c), !vb.isEmpty, vb.count <= 18, vb.allSatisfy({ $0 >= 48 && $0 <= 57 }) {
                var v: Int64 = 0
                for u in vb { v = v * 10 + Int64(u - 48) }
                try ids.withUnsafeBufferPointer { try sink.observation($0, value: v, decimal: nil, symbol: nil, line: line) }
                continue
            }
            let cell = field(c)
            if let v = ScbCsvReader.parseValue(cell) {
                try ids.withUnsafeBufferPointer { try sink.observation($0, value: v.integer, decimal: v.decimal, symbol: nil, line: line) }
            } else if ScbCsvReader.symbols.contains(cell) || cell.isEmpty {
                try ids.withUnsafeBufferPointer { try sink.observation($0, value: nil, decimal: nil, symbol: cell, line: line) }
            } else {
                findings.append(ReportFinding(code: .notANumber, severity: .error, file: file, place: "line \(line)",
                    message: "\"\(cell)\" in column \"\(header[c])\" is neither a number nor an SCB symbol"))
            }
        }
    }

    func emitLeadingRows() throws {
        for (line, fields) in leading {
            try emit(line: line, field: { fields[$0] }, count: fields.count, valueBytes: nil)
        }
    }

    /// The rest of the data, straight from the bytes.
    func readData() throws {
        while more && !inNotes {
            guard try records.next() else { break }
            let line = records.line
            let width = (records.ranges.lastIndex { !$0.isEmpty } ?? -1) + 1
            if width == 0 {
                inNotes = true
                break
            }
            if width < 2 && header.count > 1 {
                pendingShort.append((line, strings().filter { !$0.isEmpty }.joined(separator: " ")))
                continue
            }
            if !pendingShort.isEmpty {
                for p in pendingShort { try emit(line: p.line, field: { _ in p.text }, count: 1, valueBytes: nil) }
                pendingShort = []
            }
            decoder.currentLine = line
            let decoder = decoder
            let bytes = records.bytes, r = records.ranges
            try bytes.withUnsafeBufferPointer { b in
                try emit(line: line, field: { c in decoder.decode(UnsafeBufferPointer(rebasing: b[r[c]])).trimmingCharacters() },
                         count: r.count, valueBytes: { c in UnsafeBufferPointer(rebasing: b[r[c]]) })
            }
        }
    }

    /// Footnotes: short lines after the data, then everything after a blank line.
    func readNotes() throws {
        notes += pendingShort.map(\.text)
        while inNotes, try records.next() {
            let t = strings().filter { !$0.isEmpty }.joined(separator: " ")
            if !t.isEmpty { notes.append(t) }
        }
    }

    /// The notes, the encoding warning, the table id and reference period from the notes; the sink ends.
    func finish() throws {
        metadata.notes = notes
        if let line = decoder.switchedAt {
            findings.append(ReportFinding(code: .encodingSwitched, severity: .warning, file: file, place: "line \(line)",
                message: "bytes that are not UTF-8 from this line on; read the file as Windows-1252 from here"))
        }
        if let idx = notes.firstIndex(where: { TextFold.fold($0).hasPrefix("intern referenskod") }), idx + 1 < notes.count {
            metadata.tableId = notes[idx + 1]
        }
        metadata.referencePeriod = ScbDates.referencePeriod(metadata, periods: dimIndex["period"].map { keys.values[$0] } ?? [])
        try sink.end(metadata: metadata)
    }
}
