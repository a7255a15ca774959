/// The SCB formats Anslag reads.
public enum ScbFormat: String, Sendable, CaseIterable {
    case csv, px
    case jsonStat = "json-stat"
}

/// Reads a population file in any SCB shape Anslag knows, deciding the format from the
/// content (PX keywords) and the extension; `format` overrides.
public func importPopulation(_ source: InputSource, format: ScbFormat? = nil,
                             options: ScbReadOptions = ScbReadOptions()) throws -> ScbImport {
    let name = source.displayName
    let bytes: [UInt8]
    switch source {
    case .path(let p): bytes = try FileInput.read(path: p)
    case .bytes(let b, _): bytes = b
    }
    guard !bytes.isEmpty else { throw ReadError.malformed(file: name, part: nil, detail: "the file is empty (0 bytes)") }
    if bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]) || bytes.starts(with: CompoundFile.signature) {
        throw ReadError.unsupported(file: name, what: "a spreadsheet, not an SCB export; convert it with anslag-convert first, or download the table as CSV or PX")
    }
    let ext = name.split(separator: ".").last.map { $0.lowercased() } ?? ""
    let head = String(decoding: bytes.prefix(2048).map { $0 < 128 ? $0 : 32 }, as: UTF8.self).uppercased()
    let looksPX = ["CHARSET=", "AXIS-VERSION=", "MATRIX=", "STUB=", "LANGUAGE="].contains { head.contains($0) }
    let first = bytes.first { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 && $0 != 0xEF && $0 != 0xBB && $0 != 0xBF }
    let looksJSON = first == UInt8(ascii: "{")
    switch format ?? (looksJSON ? .jsonStat : ext == "px" || looksPX ? .px : .csv) {
    case .px: return try PxReader.read(bytes: bytes, file: name, options: options)
    case .csv: return try ScbCsvReader.read(bytes: bytes, file: name, options: options)
    case .jsonStat:
        let body = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(bytes.dropFirst(3)) : bytes
        return try JsonStatReader.read(bytes: body, file: name, options: options)
    }
}
