import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// Rows handed from the parsing thread to the consuming one: flat arrays, reused batch after
/// batch, so neither thread allocates per row; the consumer empties a batch before handing it
/// back, keeping that work off the parsing thread (the slower of the two).
/// (Sendable: a batch belongs to one thread at a time, passed through `BatchQueue`'s monitor,
/// which orders the writes of one owner before the reads of the next.)
public final class RowBatch: @unchecked Sendable {
    public private(set) var rowIndices: [Int] = []
    private var ends: [Int] = []
    private var cells: [IndexedCell] = []

    init(capacity: Int) {
        rowIndices.reserveCapacity(capacity)
        ends.reserveCapacity(capacity)
        cells.reserveCapacity(capacity * 4)
    }

    public var count: Int { rowIndices.count }

    /// Row `i` of the batch: its sheet row index and its cells.
    public subscript(i: Int) -> (row: Int, cells: ArraySlice<IndexedCell>) {
        (rowIndices[i], cells[(i == 0 ? 0 : ends[i - 1])..<ends[i]])
    }

    func append(row: Int, cells newCells: [IndexedCell]) {
        rowIndices.append(row)
        cells.append(contentsOf: newCells)
        ends.append(cells.count)
    }

    func reset() {
        rowIndices.removeAll(keepingCapacity: true)
        ends.removeAll(keepingCapacity: true)
        cells.removeAll(keepingCapacity: true)
    }
}

extension SpreadsheetReader {
    /// Streams a sheet's rows like `readSheet`, but parses on a second thread while `body`
    /// consumes batches of rows on the calling thread (for writers: formatting overlaps
    /// parsing on two cores). At most `depth` batches of `batchSize` rows exist, so memory
    /// stays bounded. Errors from either side end both and come out of this call.
    @discardableResult
    public func readSheetConcurrently(at index: Int, batchSize: Int = 2048, depth: Int = 3,
                                      _ body: (RowBatch) throws -> Void) throws -> [CellRange] {
        let queue = BatchQueue()
        for _ in 0..<depth { queue.recycle(RowBatch(capacity: batchSize)) }
        // As an existential: the closure then captures no `Self.Type` (not Sendable).
        let box = UncheckedBox(self as any SpreadsheetReader)
        let done = DispatchSemaphore(value: 0)
        DispatchQueue.global(qos: .userInitiated).async {
            var batch: RowBatch? = queue.empty()
            do {
                guard batch != nil else { throw CancelledByConsumer() }
                let merged = try box.value.readSheet(at: index) { row, cells in
                    batch!.append(row: row, cells: cells)
                    if batch!.count == batchSize {
                        queue.put(batch!)
                        batch = queue.empty()
                        guard batch != nil else { throw CancelledByConsumer() }
                    }
                }
                if let b = batch, b.count > 0 { queue.put(b) }
                queue.finish(merged: merged, error: nil)
            } catch is CancelledByConsumer {
                queue.finish(merged: [], error: nil)
            } catch {
                queue.finish(merged: [], error: error)
            }
            done.signal()
        }
        defer { done.wait() }
        do {
            while let batch = queue.take() {
                try body(batch)
                // Emptied here: the consuming thread has time to spare, the parsing one has not.
                batch.reset()
                queue.recycle(batch)
            }
        } catch {
            queue.cancel()
            throw error
        }
        if let error = queue.error { throw error }
        return queue.merged
    }
}

private struct CancelledByConsumer: Error {}

/// Filled batches go from producer to consumer; consumed ones come back to be refilled.
/// (Sendable: its lists are read and written under `monitor` only.)
private final class BatchQueue: @unchecked Sendable {
    private let monitor = Monitor()
    private var filled: [RowBatch] = []
    private var free: [RowBatch] = []
    private var finished = false
    private var cancelled = false
    private(set) var error: (any Error)?
    private(set) var merged: [CellRange] = []

    private func locked<T>(_ body: () -> T) -> T { monitor.locked(body) }

    /// An empty batch for the producer (waits for one to come back); nil once cancelled.
    func empty() -> RowBatch? {
        locked {
            while free.isEmpty && !cancelled { monitor.wait() }
            return cancelled ? nil : free.removeLast()
        }
    }

    func put(_ batch: RowBatch) { locked { filled.append(batch) } }

    func recycle(_ batch: RowBatch) { locked { free.append(batch) } }

    func finish(merged: [CellRange], error: (any Error)?) {
        locked {
            self.merged = merged
            self.error = error
            finished = true
        }
    }

    /// The next filled batch, or nil when the producer has finished and all were taken.
    func take() -> RowBatch? {
        locked {
            while filled.isEmpty && !finished { monitor.wait() }
            return filled.isEmpty ? nil : filled.removeFirst()
        }
    }

    func cancel() { locked { cancelled = true } }
}
