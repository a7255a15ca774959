import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// Items handed from a producer thread to a consumer, in order, at most `depth` waiting: the
/// producer blocks when the consumer falls behind, so memory stays bounded. The producer ends
/// with `finish(error:)`; the consumer may stop early with `cancel()`, after which `put`
/// returns false so the producer can give up.
/// (Sendable: its state is read and written under `monitor` only.)
final class Handoff<Item>: @unchecked Sendable {
    private let monitor = Monitor()
    /// At most `depth` items: taking from the front is cheap, and a taken item is released at once.
    private var items: [Item] = []
    private let depth: Int
    private var finished = false
    private var cancelled = false
    private var failure: (any Error)?

    init(depth: Int) {
        self.depth = max(1, depth)
    }

    private func locked<T>(_ body: () -> T) -> T { monitor.locked(body) }

    /// Waits for room; false once the consumer has stopped.
    func put(_ item: Item) -> Bool {
        locked {
            while items.count >= depth && !cancelled { monitor.wait() }
            if cancelled { return false }
            items.append(item)
            return true
        }
    }

    /// The producer is done, with the error that ended it if any.
    func finish(error: (any Error)? = nil) { locked { finished = true; failure = error } }

    /// The next item; nil when the producer finished and everything was taken; the producer's
    /// error once the items before it were taken.
    func take() throws -> Item? {
        let (item, error): (Item?, (any Error)?) = locked {
            while items.isEmpty && !finished { monitor.wait() }
            if !items.isEmpty { return (items.removeFirst(), nil) }
            return (nil, failure)
        }
        if let error { throw error }
        return item
    }

    func cancel() { locked { cancelled = true } }
}

/// Runs `body(worker, i)` for every `i` in `0..<count` on `workers` threads (worker numbers
/// `0..<workers`), each taking the next index when done with its last, so items of uneven size
/// still keep every core busy; returns when all are done.
func inTurn(count: Int, workers: Int, _ body: (_ worker: Int, _ index: Int) -> Void) {
    guard workers > 1 && count > 1 else {
        for i in 0..<count { body(0, i) }
        return
    }
    // Sendable: `value` is read and written under `monitor` only.
    final class Next: @unchecked Sendable {
        let monitor = Monitor()
        var value = 0
        func take() -> Int { monitor.locked { value += 1; return value - 1 } }
    }
    let next = Next()
    withoutActuallyEscaping(body) { body in
        let job = UncheckedBox(body)
        DispatchQueue.concurrentPerform(iterations: min(workers, count)) { w in
            while case let i = next.take(), i < count { job.value(w, i) }
        }
    }
}
