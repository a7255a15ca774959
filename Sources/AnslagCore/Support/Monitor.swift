#if canImport(Glibc)
import Glibc
#endif

/// A mutex with a condition, for the state threads share: `locked` runs a body holding the
/// mutex and wakes every waiter when it ends; `wait()`, called inside `locked`, sleeps until
/// another `locked` body has run. (Used as a plain lock too: waking nobody costs nothing.)
/// (Sendable: it is the lock; the pthread objects are made once and never moved.)
final class Monitor: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let changed = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    init() {
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(changed, nil)
    }

    deinit {
        pthread_cond_destroy(changed)
        pthread_mutex_destroy(mutex)
        changed.deallocate()
        mutex.deallocate()
    }

    func locked<T>(_ body: () throws -> T) rethrows -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_cond_broadcast(changed); pthread_mutex_unlock(mutex) }
        return try body()
    }

    /// Only inside `locked`.
    func wait() { pthread_cond_wait(changed, mutex) }
}
