#if canImport(Glibc)
import Glibc
#endif

/// The SCB formats Anslag reads.
public enum ScbFormat: String, Sendable, CaseIterable {
    case csv, px
    case jsonStat = "json-stat"
}

/// The SCB format the content (PX keywords, a JSON object) or the extension says.
func scbFormat(head bytes: [UInt8], name: String) -> ScbFormat {
    let ext = name.split(separator: ".").last.map { $0.lowercased() } ?? ""
    let head = String(decoding: bytes.prefix(2048).map { $0 < 128 ? $0 : 32 }, as: UTF8.self).uppercased()
    let looksPX = ["CHARSET=", "AXIS-VERSION=", "MATRIX=", "STUB=", "LANGUAGE="].contains { head.contains($0) }
    let first = bytes.first { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 && $0 != 0xEF && $0 != 0xBB && $0 != 0xBF }
    if first == UInt8(ascii: "{") { return .jsonStat }
    return ext == "px" || looksPX ? .px : .csv
}

/// Reads a population file in any SCB shape Anslag knows, deciding the format from the
/// content (PX keywords) and the extension; `format` overrides.
public func importPopulation(_ source: InputSource, format: ScbFormat? = nil,
                             options: ScbReadOptions = ScbReadOptions()) throws -> ScbImport {
    let name = source.displayName
    // PX and JSON-stat are read whole; 512 MiB is far beyond any SCB download.
    let bytes = try source.readAll(limit: Int64(options.limits.maxScbFileBytes))
    guard !bytes.isEmpty else { throw ReadError.malformed(file: name, part: nil, detail: "the file is empty (0 bytes)") }
    if isSpreadsheet(bytes) {
        throw ReadError.spreadsheetNotScb(file: name)
    }
    let imported: ScbImport
    switch format ?? scbFormat(head: bytes, name: name) {
    case .px: imported = try PxReader.read(bytes: bytes, file: name, options: options)
    case .csv: imported = try ScbCsvReader.read(bytes: bytes, file: name, options: options)
    case .jsonStat:
        let body = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(bytes.dropFirst(3)) : bytes
        imported = try JsonStatReader.read(bytes: body, file: name, options: options)
    }
    return imported
}

/// The date a table's figures refer to, from what the file says: PX `REFPERIOD` or JSON-stat
/// `refperiod` (kept as read), a `Referenstid: …` footnote, or else the table's only period.
enum ScbDates {
    static func referencePeriod(_ metadata: PopulationTable.Metadata, periods: [String]) -> String? {
        if let r = metadata.referencePeriod { return r }
        let notes = metadata.notes
        for (i, n) in notes.enumerated() {
            let f = TextFold.fold(n)
            guard f.hasPrefix("referenstid") || f.hasPrefix("reference time") else { continue }
            if let colon = n.firstIndex(of: ":") {
                let rest = String(n[n.index(after: colon)...]).trimmingCharacters()
                if !rest.isEmpty { return rest }
            }
            if i + 1 < notes.count { return notes[i + 1].trimmingCharacters() }
        }
        return periods.count == 1 ? periods[0] : nil
    }
}

/// Streams a population file into `sink` without holding the table: CSV straight from the
/// file in chunks; PX and JSON-stat (whose layout needs the whole file) are read first and
/// then replayed. Returns the reader's findings.
public func streamPopulation(_ source: InputSource, format: ScbFormat? = nil, options: ScbReadOptions = ScbReadOptions(),
                             into sink: any PopulationSink) throws -> [ReportFinding] {
    let name = source.displayName
    let head = try source.head(4096)
    // Spreadsheets and empty files go the whole-file way, which says what is wrong with them.
    let isCSV = (format ?? scbFormat(head: head, name: name)) == .csv && !head.isEmpty && !isSpreadsheet(head)
    guard isCSV else {
        let imported = try importPopulation(source, format: format, options: options)
        try replay(imported.table, into: sink)
        return imported.findings
    }
    switch source {
    case .bytes(let bytes, _):
        var offset = 0
        return try ScbCsvStream.read(file: name, options: options, sink: sink) { buffer in
            guard offset < bytes.count else { return false }
            let n = min(1 << 20, bytes.count - offset)
            buffer.append(contentsOf: bytes[offset..<(offset + n)])
            offset += n
            return true
        }
    case .path(let path):
        guard let f = fopen(path, "rb") else {
            throw ReadError.unreadable(file: path, reason: String(cString: strerror(errno)))
        }
        defer { fclose(f) }
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        return try ScbCsvStream.read(file: name, options: options, sink: sink) { buffer in
            let n = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, f) }
            if n > 0 { buffer.append(contentsOf: chunk[0..<n]) }
            if n == 0 && ferror(f) != 0 { throw ReadError.unreadable(file: path, reason: String(cString: strerror(errno))) }
            return n > 0
        }
    }
}

/// Sends a table already in memory through a sink.
public func replay(_ table: PopulationTable, into sink: any PopulationSink) throws {
    let keys = PopulationKeys(dimensions: table.dimensions)
    try sink.begin(keys: keys, metadata: table.metadata)
    var ids = [Int32](repeating: 0, count: table.dimensions.count)
    for o in table.observations {
        for (d, k) in o.keys.enumerated() {
            ids[d] = keys.id(k, dimension: d)
            if d == keys.regionDimension { keys.setRegionName(table.regionNames[k], for: ids[d]) }
        }
        try ids.withUnsafeBufferPointer { try sink.observation($0, value: o.value, decimal: o.decimal, symbol: o.symbol, line: o.line) }
    }
    try sink.end(metadata: table.metadata)
}
