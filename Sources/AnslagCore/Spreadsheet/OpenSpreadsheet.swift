#if canImport(Glibc)
import Glibc
#endif

/// The formats `openSpreadsheet` reads.
public enum SpreadsheetFormat: String, Sendable, CaseIterable {
    case xlsx, ods, csv
}

/// Where input comes from: a path, or bytes already read (standard input).
public enum InputSource: Sendable {
    case path(String)
    case bytes([UInt8], name: String)

    /// The name used in messages.
    public var displayName: String {
        switch self {
        case .path(let p): return p
        case .bytes(_, let name): return name
        }
    }

    /// All the bytes, refusing more than `limit`.
    public func readAll(limit: Int64) throws -> [UInt8] {
        switch self {
        case .path(let p): return try FileInput.read(path: p, limit: limit)
        case .bytes(let b, _): return b
        }
    }

    /// The first `count` bytes (format sniffing).
    public func head(_ count: Int) throws -> [UInt8] {
        switch self {
        case .path(let p): return try FileInput.head(path: p, count: count)
        case .bytes(let b, _): return Array(b.prefix(count))
        }
    }
}

/// Reads whole files and standard input, bounded.
public enum FileInput {
    public static func read(path: String, limit: Int64 = ReadLimits.default.maxInputBytes) throws -> [UInt8] {
        guard let f = fopen(path, "rb") else {
            throw ReadError.unreadable(file: path, reason: String(cString: strerror(errno)))
        }
        defer { fclose(f) }
        ReadFiles.note(descriptor: fileno(f))
        return try read(stream: f, name: path, limit: limit)
    }

    public static func readStandardInput(limit: Int64 = ReadLimits.default.maxInputBytes) throws -> [UInt8] {
        try read(stream: fdopen(0, "rb"), name: "<stdin>", limit: limit)
    }

    static func read(stream: UnsafeMutablePointer<FILE>, name: String, limit: Int64) throws -> [UInt8] {
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, stream) }
            if n > 0 { out.append(contentsOf: chunk[0..<n]) }
            if Int64(out.count) > limit {
                throw ReadError.limitExceeded(file: name, part: nil, detail: "input larger than \(limit >> 20) MiB")
            }
            if n < chunk.count {
                if ferror(stream) != 0 {
                    throw ReadError.unreadable(file: name, reason: String(cString: strerror(errno)))
                }
                break
            }
        }
        return out
    }

    /// The first `n` bytes of a file (format sniffing).
    static func head(path: String, count n: Int) throws -> [UInt8] {
        guard let f = fopen(path, "rb") else {
            throw ReadError.unreadable(file: path, reason: String(cString: strerror(errno)))
        }
        defer { fclose(f) }
        ReadFiles.note(descriptor: fileno(f))
        var buf = [UInt8](repeating: 0, count: n)
        let got = buf.withUnsafeMutableBytes { fread($0.baseAddress, 1, n, f) }
        var st = stat()
        if fstat(fileno(f), &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR {
            throw ReadError.unreadable(file: path, reason: "it is a directory")
        }
        return Array(buf[0..<got])
    }
}

/// Opens a spreadsheet of any supported format behind the one `SpreadsheetReader` interface.
/// The format comes from the content (zip, CFB, text), then the extension; `format` overrides.
/// Legacy `.xls` and encrypted workbooks are recognised by their CFB signature and refused
/// with a message saying so.
public func openSpreadsheet(_ source: InputSource, format: SpreadsheetFormat? = nil,
                            csv: CsvOptions = CsvOptions(), limits: ReadLimits = .default) throws -> any SpreadsheetReader {
    let name = source.displayName
    // The first bytes once: the signature, and what a text that is no table begins with.
    let sniff = try source.head(4096)
    let head = Array(sniff.prefix(8))
    let ext = name.split(separator: ".").last.map { $0.lowercased() } ?? ""
    let isZip = head.starts(with: [0x50, 0x4B, 0x03, 0x04]) || head.starts(with: [0x50, 0x4B, 0x05, 0x06])
    let isCFB = head.starts(with: [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1])

    if format == nil && head.starts(with: Array("%PDF-".utf8)) { return try PdfDocuments.read(source, limits: limits) }
    let spreadsheetExtensions = ["xlsx", "xlsm", "xltx", "xltm", "xlsb", "xls", "xlt", "ods", "ots"]
    if format == nil && !isZip && !isCFB && !["csv", "tsv", "tab"].contains(ext) && !spreadsheetExtensions.contains(ext) {
        // A README, a rule file, a JSON or PX file, a script: what it is, not "valid — 0 tables".
        if let what = ext == "txt" ? NotATable.byText(sniff) ?? NotATable.binary(sniff) : NotATable.what(ext: ext, head: sniff) {
            throw ReadError.unsupported(file: name, what: what)
        }
    }
    if format == .csv || (format == nil && !isZip && !isCFB && ["csv", "txt", "tsv", "tab"].contains(ext)) {
        let bytes = try source.readAll(limit: limits.maxInputBytes)
        // Empty is "could not do it" whatever the format (as for standard input), not a sheet of nothing.
        if bytes.isEmpty { throw ReadError.malformed(file: name, part: nil, detail: "the file is empty (0 bytes)") }
        var options = csv
        if options.delimiter == nil && ext == "tsv" { options.delimiter = "\t" }
        return CsvReader(file: name, bytes: bytes, options: options, limits: limits)
    }
    if isCFB {
        let bytes = try source.readAll(limit: limits.maxInputBytes)
        let marker = Array("EncryptedPackage".utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] })
        if bytes.containsSubsequence(marker) { throw ReadError.encrypted(file: name) }
        return try XlsReader(file: name, data: bytes, limits: limits)
    }
    if head.count >= 4, head[0] == 0x09, [0x00, 0x02, 0x04].contains(head[1]), head[3] == 0 {
        throw ReadError.unsupported(file: name,
            what: "an Excel 2.x–4.0 worksheet (BIFF2–4), older than Anslag reads; save it as .xlsx and try again")
    }
    if head.isEmpty {
        throw ReadError.malformed(file: name, part: nil, detail: "the file is empty (0 bytes)")
    }
    guard isZip else {
        // Office lock files ("~$Budget.xlsx", 165 bytes): a length byte, then the user's name.
        let base = name.split(separator: "/").last.map(String.init) ?? name
        let looksLikeLock = head.count == 8 && (1...54).contains(head[0]) && head[1...].allSatisfy { $0 >= 32 && $0 < 127 }
            && ["xlsx", "xlsm", "xltx", "xltm"].contains(ext)
        if base.hasPrefix("~$") || (looksLikeLock && sniff.count < 1024) {
            throw ReadError.unsupported(file: name,
                what: "an Office lock file (~$…), written while someone has the workbook open; open the workbook itself")
        }
        if format == nil && !spreadsheetExtensions.contains(ext) {
            // Unknown extension and not a package: try it as text.
            let bytes = try source.readAll(limit: limits.maxInputBytes)
            if !bytes.contains(0) { return CsvReader(file: name, bytes: bytes, options: csv, limits: limits) }
        }
        if let what = NotATable.byText(sniff) {
            throw ReadError.unsupported(file: name, what: "named .\(ext) but \(what)")
        }
        throw ReadError.malformed(file: name, part: nil,
            detail: "not a spreadsheet package: the file is not a zip archive (\(head.count) bytes start \(head.prefix(4).map { String($0, radix: 16) }.joined(separator: " ")))")
    }
    let zip: ZipArchive
    switch source {
    case .path(let p): zip = try ZipArchive(file: name, path: p, data: nil, limits: limits)
    case .bytes(let b, _): zip = try ZipArchive(file: name, path: nil, data: b, limits: limits)
    }
    if format == nil, let document = try openDocument(zip, limits: limits) { return document }
    let odsByContent: Bool = {
        guard zip.contains("mimetype"), let m = try? zip.read("mimetype") else { return zip.contains("content.xml") && !zip.contains("[Content_Types].xml") }
        return String(decoding: m.prefix(200), as: UTF8.self).contains("opendocument")
    }()
    if format == .ods || (format == nil && odsByContent) {
        return try OdsReader(zip: zip, limits: limits)
    }
    if zip.contains("EncryptionInfo") || zip.contains("EncryptedPackage") { throw ReadError.encrypted(file: name) }
    return try XlsxReader(zip: zip, limits: limits)
}

/// A zip package or a compound file: a workbook, not an SCB export.
func isSpreadsheet(_ head: [UInt8]) -> Bool {
    head.starts(with: [0x50, 0x4B, 0x03, 0x04]) || head.starts(with: CompoundFile.signature)
}
