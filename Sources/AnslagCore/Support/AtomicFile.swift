#if canImport(Glibc)
import Glibc
#endif

/// Writes a file atomically: the output is complete before it appears under its name, and a
/// failed or interrupted run leaves nothing, never touching a file the run reads.
///
/// Where Linux allows (`O_TMPFILE` on the destination's file system and `/proc/self/fd`),
/// the output is written to an unnamed file in the destination's folder and linked into place
/// (`linkat`) only when complete, so not even SIGKILL leaves anything behind. Replacing an
/// existing file (`--force`) links it under a temporary name and renames that over the target;
/// only a SIGKILL between those two calls (microseconds) could leave that name. Elsewhere the
/// temporary is a named file beside the target (`.NAME.anslag-XXXXXX`), registered with
/// `TemporaryFiles` so that SIGTERM, SIGINT and SIGHUP remove it; SIGKILL leaves it there.
public enum AtomicFile {
    /// Refuses to replace a file the run reads (one of `inputs`, or any file the readers have
    /// opened: `ReadFiles`), and an existing file without `force`.
    static func checkTarget(_ path: String, force: Bool, inputs: [String]) throws {
        var st = stat()
        guard stat(path, &st) == 0 else { return }
        if ReadFiles.contains(ReadFiles.Identity(device: UInt64(st.st_dev), inode: UInt64(st.st_ino))) {
            throw WriteError.wouldOverwriteInput(file: path)
        }
        for input in inputs {
            var si = stat()
            if stat(input, &si) == 0 && si.st_dev == st.st_dev && si.st_ino == st.st_ino {
                throw WriteError.wouldOverwriteInput(file: path)
            }
        }
        if !force { throw WriteError.exists(file: path) }
    }

    /// A file being written: unnamed, or a registered named temporary.
    struct Pending {
        let fd: Int32
        /// The named temporary, when the file system has no unnamed files.
        let name: String?
        let slot: Int?
        /// The path a writer that opens by name (libxlsxwriter) is given.
        var path: String { name ?? "/proc/self/fd/\(fd)" }
    }

    static func split(_ path: String) -> (dir: String, base: String) {
        let slash = path.lastIndex(of: "/")
        let dir = slash.map { String(path[...$0]) } ?? ""
        let base = slash.map { String(path[path.index(after: $0)...]) } ?? path
        return (dir, base)
    }

    /// Test hook: `ANSLAG_NAMED_TEMPORARIES=1` takes the named-temporary way even where
    /// unnamed files work, so that both ways are tested.
    static let unnamedAllowed: Bool = {
        if let v = getenv("ANSLAG_NAMED_TEMPORARIES"), String(cString: v) == "1" { return false }
        return access("/proc/self/fd", X_OK) == 0
    }()

    /// Linux's O_TMPFILE (`__O_TMPFILE | O_DIRECTORY`; the macro does not reach Swift).
    #if arch(x86_64) || arch(i386)
    static let oTmpFile: Int32 = 0o20_000_000 | 0o200_000
    #else
    static let oTmpFile: Int32 = 0o20_000_000 | 0o40_000
    #endif

    /// A new file for the output at `path` (in its folder), or in `dir` for `base`.
    static func create(dir: String, base: String, reportAs path: String) throws -> Pending {
        if unnamedAllowed {
            let fd = open(dir.isEmpty ? "." : dir, oTmpFile | O_RDWR | O_CLOEXEC, 0o644)
            if fd >= 0 { return Pending(fd: fd, name: nil, slot: nil) }
            // Not on this file system (EOPNOTSUPP, EISDIR on old kernels): a named temporary;
            // other errors (no such folder, no permission) say what they say.
            if errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL {
                throw WriteError.failed(file: path, reason: String(cString: strerror(errno)))
            }
        }
        var template = Array((dir + "." + base + ".anslag-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw WriteError.failed(file: path, reason: String(cString: strerror(errno))) }
        let name = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return Pending(fd: fd, name: name, slot: TemporaryFiles.register(name))
    }

    /// Test hook for the signal tests: with `ANSLAG_TEST_HOLD_OUTPUT=FILE`, a finished output
    /// creates FILE and waits, before it is put in place, until FILE is removed (at most 30 s).
    static func holdForTests() {
        guard let v = getenv("ANSLAG_TEST_HOLD_OUTPUT") else { return }
        let fd = open(v, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { return }
        close(fd)
        for _ in 0..<300 where access(v, F_OK) == 0 { usleep(100_000) }
    }

    static func discard(_ p: Pending) {
        if let name = p.name { unlink(name) }
        TemporaryFiles.unregister(p.slot)
        close(p.fd)
    }

    /// Puts the finished file in place at `path`, then closes it.
    static func commit(_ p: Pending, to path: String) throws {
        defer { close(p.fd) }
        fchmod(p.fd, 0o644)
        if let name = p.name {
            defer { TemporaryFiles.unregister(p.slot) }
            if rename(name, path) != 0 {
                let reason = String(cString: strerror(errno))
                unlink(name)
                throw WriteError.failed(file: path, reason: reason)
            }
            return
        }
        let proc = "/proc/self/fd/\(p.fd)"
        if linkat(AT_FDCWD, proc, AT_FDCWD, path, AT_SYMLINK_FOLLOW) == 0 { return }
        guard errno == EEXIST else { throw WriteError.failed(file: path, reason: String(cString: strerror(errno))) }
        // Replacing a file (checkTarget allowed it): link under a fresh name, rename over.
        let (dir, base) = split(path)
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<100 {
            let name = dir + "." + base + ".anslag-" + String(rng.next() & 0xFF_FFFF_FFFF, radix: 36)
            if linkat(AT_FDCWD, proc, AT_FDCWD, name, AT_SYMLINK_FOLLOW) != 0 {
                if errno == EEXIST { continue }
                throw WriteError.failed(file: path, reason: String(cString: strerror(errno)))
            }
            let slot = TemporaryFiles.register(name)
            defer { TemporaryFiles.unregister(slot) }
            if rename(name, path) != 0 {
                let reason = String(cString: strerror(errno))
                unlink(name)
                throw WriteError.failed(file: path, reason: reason)
            }
            return
        }
        throw WriteError.failed(file: path, reason: "no free temporary name beside it")
    }

    /// Errors that name the temporary name the user's output instead.
    static func renamed(_ error: any Error, from tmp: String, to path: String) -> any Error {
        if case WriteError.failed(let file, let reason) = error, file == tmp {
            return WriteError.failed(file: path, reason: reason)
        }
        return error
    }

    /// For writers that want a path (libxlsxwriter): `body` writes the file at the path it is
    /// given (`/proc/self/fd/N`, or a temporary name), which becomes `path` only when `body`
    /// succeeds.
    public static func writePath(to path: String, force: Bool = false, inputs: [String] = [], _ body: (String) throws -> Void) throws {
        try checkTarget(path, force: force, inputs: inputs)
        let (dir, base) = split(path)
        let p = try create(dir: dir, base: base, reportAs: path)
        do {
            try body(p.path)
        } catch {
            discard(p)
            throw renamed(error, from: p.path, to: path)
        }
        holdForTests()
        try commit(p, to: path)
    }

    public static func write(to path: String, force: Bool = false, inputs: [String] = [],
                             _ body: (ByteSink) throws -> Void) throws {
        try checkTarget(path, force: force, inputs: inputs)
        let (dir, base) = split(path)
        let p = try create(dir: dir, base: base, reportAs: path)
        let copy = dup(p.fd)
        guard copy >= 0, let f = fdopen(copy, "wb") else {
            let reason = String(cString: strerror(errno))
            if copy >= 0 { close(copy) }
            discard(p)
            throw WriteError.failed(file: path, reason: reason)
        }
        do {
            let sink = ByteSink(stream: f, name: path)
            try body(sink)
            try sink.flush()
            holdForTests()
        } catch {
            fclose(f)
            discard(p)
            throw error
        }
        if fclose(f) != 0 {
            let reason = String(cString: strerror(errno))
            discard(p)
            throw WriteError.failed(file: path, reason: reason)
        }
        try commit(p, to: path)
    }

    /// For path writers whose output goes to standard output: `body` writes a temporary
    /// (unnamed where possible, in `$TMPDIR` or /tmp), which is then copied to `sink`.
    public static func writePath(through sink: ByteSink, _ body: (String) throws -> Void) throws {
        var dir = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
        if dir.isEmpty { dir = "/tmp" }
        if !dir.hasSuffix("/") { dir += "/" }
        let p = try create(dir: dir, base: "stdout.xlsx", reportAs: "<stdout>")
        defer { discard(p) }
        do { try body(p.path) } catch { throw renamed(error, from: p.path, to: "<stdout>") }
        holdForTests()
        // The writer opened the file by name; this descriptor is still at the start.
        guard lseek(p.fd, 0, SEEK_SET) == 0 else { throw WriteError.failed(file: "<stdout>", reason: String(cString: strerror(errno))) }
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(p.fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw WriteError.failed(file: "<stdout>", reason: String(cString: strerror(errno)))
            }
            if n == 0 { break }
            try chunk.withUnsafeBufferPointer { try sink.write(bytes: UnsafeBufferPointer(rebasing: $0[0..<n])) }
        }
        try sink.flush()
    }
}
