#if canImport(Glibc)
import Glibc
#endif

/// Every file this process has opened for reading, by identity (device and inode), so that an
/// output is never written over one of them, whoever named it: the positional input, a rule
/// file and the tables and population it names, a layout, a map, each member of a batch.
/// The readers record a file when they open it (`FileInput`, the zip reader, the budget JSON
/// stream) once recording has begun (the executables begin at start; a library caller that
/// reads and rewrites files in one process may leave it off); `AtomicFile` refuses a target
/// that is one of them.
public enum ReadFiles {
    public struct Identity: Hashable, Sendable {
        public let device: UInt64
        public let inode: UInt64
    }

    // Sendable: `seen` and `recording` are read and written inside `monitor.locked` only.
    private final class Store: @unchecked Sendable {
        let monitor = Monitor()
        var seen: Set<Identity> = []
        var recording = false
    }
    private static let store = Store()

    /// From now on, files opened for reading are recorded.
    public static func beginRecording() { store.monitor.locked { store.recording = true } }

    private static func insert(_ id: Identity) {
        store.monitor.locked { if store.recording { _ = store.seen.insert(id) } }
    }

    /// Records the file open on `fd`.
    public static func note(descriptor fd: Int32) {
        var st = stat()
        guard fd >= 0, fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return }
        insert(Identity(device: UInt64(st.st_dev), inode: UInt64(st.st_ino)))
    }

    /// Records the file at `path` (for readers that open by name, such as libzip).
    public static func note(path: String) {
        var st = stat()
        guard stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return }
        insert(Identity(device: UInt64(st.st_dev), inode: UInt64(st.st_ino)))
    }

    /// Whether the file with this identity has been read.
    public static func contains(_ id: Identity) -> Bool { store.monitor.locked { store.seen.contains(id) } }
}
