import CZip
import Dispatch
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
            if archive == nil { zip_error_init_with_code(&zerr, code) } else { ReadFiles.note(path: path) }
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
        let entry = try open(name)
        defer { zip_fclose(entry.file) }
        let chunk = 1 << 18
        let buf = UnsafeMutableRawPointer.allocate(byteCount: chunk, alignment: 16)
        defer { buf.deallocate() }
        var inflated: Int64 = 0
        while true {
            let n = zip_fread(entry.file, buf, zip_uint64_t(chunk))
            if n < 0 { throw corrupt(entry, zip_file_strerror(entry.file)) }
            if n == 0 { break }
            try account(Int64(n), &inflated, entry)
            try body(UnsafeRawBufferPointer(start: buf, count: Int(n)))
        }
    }

    /// Like `stream`, but inflates on a second thread while the caller parses, so the two
    /// overlap on two cores (the large parts: worksheets, shared strings, ODS content).
    /// At most `slots` chunks are in flight, so memory stays bounded.
    func streamOverlapped(_ name: String, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        let entry = try open(name)
        let ring = InflateRing(file: entry.file, slots: 4, chunk: 1 << 18)
        ring.start()
        defer {
            ring.stop()
            zip_fclose(entry.file)
        }
        var inflated: Int64 = 0
        while true {
            let (buffer, n) = ring.next()
            if n < 0 { throw corrupt(entry, zip_file_strerror(entry.file)) }
            if n == 0 { break }
            try account(Int64(n), &inflated, entry)
            try body(UnsafeRawBufferPointer(start: buffer, count: n))
            ring.release()
        }
    }

    private struct OpenEntry {
        let file: OpaquePointer
        let part: String
        let compressed: Int64
    }

    private func open(_ name: String) throws -> OpenEntry {
        guard let entry = entries[ZipArchive.normalize(name)] else {
            throw ReadError.malformed(file: file, part: name, detail: "part is missing from the package")
        }
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
            throw ReadError.malformed(file: file, part: entry.name, detail: "cannot open part: \(String(cString: zip_error_strerror(err)))")
        }
        return OpenEntry(file: zf, part: entry.name, compressed: compressed)
    }

    private func corrupt(_ entry: OpenEntry, _ reason: UnsafePointer<CChar>) -> ReadError {
        .malformed(file: file, part: entry.part, detail: "corrupt zip data (\(String(cString: reason)))")
    }

    private func account(_ n: Int64, _ inflated: inout Int64, _ entry: OpenEntry) throws {
        inflated += n
        totalInflated += n
        if inflated > limits.maxEntryBytes {
            throw ReadError.limitExceeded(file: file, part: entry.part,
                detail: "part inflates beyond \(limits.maxEntryBytes >> 20) MiB")
        }
        if totalInflated > limits.maxTotalBytes {
            throw ReadError.limitExceeded(file: file, part: entry.part,
                detail: "package inflates beyond \(limits.maxTotalBytes >> 20) MiB in all")
        }
        if inflated > limits.ratioGraceBytes, inflated > max(entry.compressed, 1) * limits.maxCompressionRatio {
            throw ReadError.limitExceeded(file: file, part: entry.part,
                detail: "compression ratio above \(limits.maxCompressionRatio):1 (zip bomb?)")
        }
    }
}

/// A bounded ring of inflated chunks: a producer thread fills slots with `zip_fread`, the
/// consumer takes them in order. Only the producer touches the zip file until `stop`.
/// (Sendable: the slots and counters are shared under its lock; the zip handle is the
/// producer's alone until `stop` has joined it.)
private final class InflateRing: @unchecked Sendable {
    private let file: OpaquePointer
    private let slots: Int
    private let chunk: Int
    private let buffers: [UnsafeMutableRawPointer]
    /// Each slot's length, in memory of its own: the producer writes slot i while the consumer
    /// reads another slot, which a Swift array property would make one conflicting access.
    private let lengths: UnsafeMutablePointer<Int>
    private let free: DispatchSemaphore
    private let filled = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)
    private var cancelled = false   // written by the consumer, read by the producer
    private let lock = Monitor()
    private var readIndex = 0
    private var running = false

    init(file: OpaquePointer, slots: Int, chunk: Int) {
        self.file = file; self.slots = slots; self.chunk = chunk
        buffers = (0..<slots).map { _ in UnsafeMutableRawPointer.allocate(byteCount: chunk, alignment: 16) }
        lengths = UnsafeMutablePointer<Int>.allocate(capacity: slots)
        lengths.initialize(repeating: 0, count: slots)
        // Start at 0 and signal: libdispatch traps when a semaphore is freed below its initial value.
        free = DispatchSemaphore(value: 0)
        for _ in 0..<slots { free.signal() }
    }

    deinit {
        buffers.forEach { $0.deallocate() }
        lengths.deallocate()
    }

    func start() {
        running = true
        DispatchQueue.global(qos: .userInitiated).async { self.produce() }
    }

    private func produce() {
        var i = 0
        while true {
            free.wait()
            if lock.locked({ cancelled }) { break }
            let n = zip_fread(file, buffers[i], zip_uint64_t(chunk))
            lengths[i] = Int(n)
            filled.signal()
            if n <= 0 { break }
            i = (i + 1) % slots
        }
        finished.signal()
    }

    /// The next chunk: its buffer and length (0 at the end, negative on a zip error).
    func next() -> (UnsafeMutableRawPointer, Int) {
        filled.wait()
        return (buffers[readIndex], lengths[readIndex])
    }

    /// Hands the chunk taken by `next` back to the producer.
    func release() {
        readIndex = (readIndex + 1) % slots
        free.signal()
    }

    /// Stops the producer and waits for it, whatever state the stream is in.
    func stop() {
        guard running else { return }
        running = false
        lock.locked { cancelled = true }
        free.signal()
        finished.wait()
    }
}

