import CZip
#if canImport(Glibc)
import Glibc
#endif

/// A read-only zip package (xlsx, ods) through libzip, with the safety limits of `ReadLimits`
/// enforced while entries inflate. Entry names are looked up tolerantly: case-insensitive,
/// backslashes as slashes, a leading slash ignored (as calamine tolerates).
final class ZipArchive {
    let file: String
    private var archive: OpaquePointer?
    private var buffer: UnsafeMutableRawPointer?
    private let limits: ReadLimits
    private var totalInflated: Int64 = 0
    /// Normalized name → (entry index, name as stored).
    private var entries: [String: (index: UInt64, name: String)] = [:]
    private(set) var names: [String] = []

    /// Opens `path`, or, when `data` is given, the bytes in memory (standard input).
    init(file: String, path: String?, data: [UInt8]?, limits: ReadLimits) throws {
        self.file = file
        self.limits = limits
        var zerr = zip_error_t()
        zip_error_init(&zerr)
        defer { zip_error_fini(&zerr) }
        if let data {
            let mem = malloc(max(data.count, 1))!
            data.withUnsafeBytes { mem.copyMemory(from: $0.baseAddress!, byteCount: data.count) }
            buffer = mem
            guard let src = zip_source_buffer_create(mem, zip_uint64_t(data.count), 0, &zerr) else {
                throw ReadError.malformed(file: file, part: nil, detail: "not a zip package")
            }
            archive = zip_open_from_source(src, ZIP_RDONLY, &zerr)
            if archive == nil { zip_source_free(src) }
        } else if let path {
            var code: Int32 = 0
            archive = zip_open(path, ZIP_RDONLY, &code)
            if archive == nil { zip_error_init_with_code(&zerr, code) }
        }
        guard archive != nil else {
            let code = zip_error_code_zip(&zerr)
            let reason = String(cString: zip_error_strerror(&zerr))
            if code == ZIP_ER_NOZIP || code == ZIP_ER_INCONS {
                throw ReadError.malformed(file: file, part: nil, detail: "not a valid zip package (\(reason))")
            }
            throw ReadError.unreadable(file: file, reason: reason)
        }
        let count = zip_get_num_entries(archive, 0)
        if count > 1_000_000 {
            throw ReadError.limitExceeded(file: file, part: nil, detail: "zip package with \(count) entries")
        }
        for i in 0..<UInt64(max(count, 0)) {
            guard let cname = zip_get_name(archive, i, zip_flags_t(ZIP_FL_ENC_GUESS)) else { continue }
            let name = String(cString: cname)
            names.append(name)
            let key = ZipArchive.normalize(name)
            if entries[key] == nil { entries[key] = (i, name) }
        }
    }

    deinit {
        if let archive { zip_discard(archive) }
        if let buffer { free(buffer) }
    }

    static func normalize(_ name: String) -> String {
        var s = name.replacingBackslashes().lowercased()
        while s.hasPrefix("/") { s.removeFirst() }
        return s
    }

    func contains(_ name: String) -> Bool { entries[ZipArchive.normalize(name)] != nil }

    /// The name as stored in the package, for messages.
    func storedName(_ name: String) -> String { entries[ZipArchive.normalize(name)]?.name ?? name }

    /// Reads a whole entry (small parts: rels, workbook, manifest).
    func read(_ name: String) throws -> [UInt8] {
        var out: [UInt8] = []
        try stream(name) { out.append(contentsOf: $0) }
        return out
    }

    /// Inflates an entry in chunks, enforcing the entry, total and ratio limits.
    func stream(_ name: String, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard let entry = entries[ZipArchive.normalize(name)] else {
            throw ReadError.malformed(file: file, part: name, detail: "part is missing from the package")
        }
        let part = entry.name
        var st = zip_stat_t()
        zip_stat_init(&st)
        let compressed: Int64 = zip_stat_index(archive, entry.index, 0, &st) == 0
            && (st.valid & UInt64(ZIP_STAT_COMP_SIZE)) != 0 ? Int64(st.comp_size) : 0
        guard let zf = zip_fopen_index(archive, entry.index, 0) else {
            let err = zip_get_error(archive)
            let code = zip_error_code_zip(err)
            if code == ZIP_ER_NOPASSWD || code == ZIP_ER_WRONGPASSWD || code == ZIP_ER_ENCRNOTSUPP {
                throw ReadError.encrypted(file: file)
            }
            throw ReadError.malformed(file: file, part: part, detail: "cannot open part: \(String(cString: zip_error_strerror(err)))")
        }
        defer { zip_fclose(zf) }
        let chunk = 1 << 18
        let buf = UnsafeMutableRawPointer.allocate(byteCount: chunk, alignment: 16)
        defer { buf.deallocate() }
        var inflated: Int64 = 0
        while true {
            let n = zip_fread(zf, buf, zip_uint64_t(chunk))
            if n < 0 {
                let reason = String(cString: zip_file_strerror(zf))
                throw ReadError.malformed(file: file, part: part, detail: "corrupt zip data (\(reason))")
            }
            if n == 0 { break }
            inflated += Int64(n)
            totalInflated += Int64(n)
            if inflated > limits.maxEntryBytes {
                throw ReadError.limitExceeded(file: file, part: part,
                    detail: "part inflates beyond \(limits.maxEntryBytes >> 20) MiB")
            }
            if totalInflated > limits.maxTotalBytes {
                throw ReadError.limitExceeded(file: file, part: part,
                    detail: "package inflates beyond \(limits.maxTotalBytes >> 20) MiB in all")
            }
            if inflated > limits.ratioGraceBytes, inflated > max(compressed, 1) * limits.maxCompressionRatio {
                throw ReadError.limitExceeded(file: file, part: part,
                    detail: "compression ratio above \(limits.maxCompressionRatio):1 (zip bomb?)")
            }
            try body(UnsafeRawBufferPointer(start: buf, count: Int(n)))
        }
    }
}

extension String {
    func replacingBackslashes() -> String {
        guard utf8.contains(UInt8(ascii: "\\")) else { return self }
        return String(map { $0 == "\\" ? "/" : $0 })
    }
}
