#if canImport(Glibc)
import Glibc
#endif

/// Named temporary files an interrupted run must not leave behind. A writer registers its
/// temporary while it exists; `removeAll()` unlinks every registered one and is
/// async-signal-safe (no allocation, no locks), so a signal handler may call it (the
/// executables install one for SIGTERM, SIGINT and SIGHUP; see `AnslagCLI`). Where the
/// platform allows, outputs are unnamed until they are complete (`O_TMPFILE`), and there is
/// nothing to register.
public enum TemporaryFiles {
    static let capacity = 64
    /// Slots of C strings; a slot is set or cleared with one pointer store while the signals
    /// are blocked in this thread. The strings are never freed (a run makes a handful), so a
    /// handler on another thread never reads freed memory.
    nonisolated(unsafe) private static let slots: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?> = {
        let p = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: capacity)
        p.initialize(repeating: nil, count: capacity)
        return p
    }()

    /// The signals that remove the temporaries before ending the process.
    public static let signals: [Int32] = [SIGTERM, SIGINT, SIGHUP]

    /// Makes the table ready, so that a signal handler only reads it.
    public static func prepare() { _ = slots }

    private static func withSignalsBlocked<T>(_ body: () -> T) -> T {
        var set = sigset_t(), old = sigset_t()
        sigemptyset(&set)
        for s in signals { sigaddset(&set, s) }
        pthread_sigmask(SIG_BLOCK, &set, &old)
        defer { pthread_sigmask(SIG_SETMASK, &old, nil) }
        return body()
    }

    /// Registers `path`; returns its slot for `unregister` (nil when the table is full: the
    /// file is then only removed by its writer).
    @discardableResult
    public static func register(_ path: String) -> Int? {
        guard let copy = strdup(path) else { return nil }
        return withSignalsBlocked {
            for i in 0..<capacity where slots[i] == nil {
                slots[i] = copy
                return i
            }
            return nil
        }
    }

    public static func unregister(_ slot: Int?) {
        guard let slot else { return }
        withSignalsBlocked { slots[slot] = nil }
    }

    /// Unlinks every registered temporary. Async-signal-safe.
    public static func removeAll() {
        for i in 0..<capacity {
            if let p = slots[i] { unlink(p) }
        }
    }
}
