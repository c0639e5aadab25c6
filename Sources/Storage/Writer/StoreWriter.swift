import Foundation
import Logging

/// The one writer of a ``Store``: batches queued items into transactions on a dedicated thread.
///
/// `enqueue` is cheap and thread-safe and never waits for SQLite. A transaction starts once
/// ``WriterConfiguration/batchRows`` rows wait or ``WriterConfiguration/maxDelay`` after the first queued row; a
/// backlog is written in transactions of up to ``WriterConfiguration/maximumTransactionRows`` rows (group commit).
/// When a transaction fails (disk full, locked, read-only) its rows stay in memory and are retried with exponential
/// backoff. Nothing is dropped while running: once ``WriterConfiguration/maximumPendingRows`` rows are pending,
/// ``enqueue(_:overflow:)`` waits or refuses instead, so the callers (and through them MQTT intake) stall until the
/// writes succeed again. Nothing here traps on an environment fault.
///
/// Call ``close()`` at shutdown: it drains everything queued.
public final class StoreWriter: Sendable {
    private let shared: ConditionBox<Shared>
    private let configuration: WriterConfiguration

    struct FlushWaiter {
        /// The flush returns once this many items are done.
        let ticket: UInt64
        /// How many takes had happened when it registered: only a later attempt, which holds its items, may fail it.
        let epoch: UInt64
        let continuation: CheckedContinuation<Void, any Error>
    }

    struct Shared {
        var queue: [WriteItem] = []
        var queuedRows = 0
        /// Rows the writer thread holds (taken from the queue, not yet committed).
        var bufferedRows = 0
        var firstQueuedAt: ContinuousClock.Instant?
        /// Items accepted so far; a flush waits until this many are done.
        var enqueuedItems: UInt64 = 0
        /// Items committed or dropped so far, in queue order.
        var doneItems: UInt64 = 0
        var flushWaiters: [FlushWaiter] = []
        /// Takes of the queue by the writer thread so far.
        var takes: UInt64 = 0
        var closing = false
        var finished = false
        var closeWaiters: [CheckedContinuation<Void, Never>] = []
        var counters = WriterCounters()
    }

    init(store: Store, configuration: WriterConfiguration) {
        self.configuration = configuration
        let shared = ConditionBox(Shared())
        self.shared = shared
        let loop = WriterLoop(
            shared: shared, batchWriter: BatchWriter(store: store), configuration: configuration,
            logger: store.logger)
        let thread = Thread { loop.run() }
        thread.name = "barnnd.storage.writer"
        thread.start()
    }

    deinit {
        // The thread keeps only the shared box: without this it would wait for items forever.
        shared.withLock { state, waiter in
            state.closing = true
            waiter.broadcast()
        }
    }

    /// Queues `items` for writing, in order. With `.reject` it never waits; with `.block(timeout:)` it waits at most
    /// the timeout for room. A batch larger than the whole bound is accepted when nothing is pending.
    public func enqueue(_ items: [WriteItem], overflow: OverflowPolicy) -> EnqueueResult {
        guard !items.isEmpty else { return .accepted }
        var rows = 0
        for item in items { rows += item.rowCount }
        let limit = configuration.maximumPendingRows
        return shared.withLock { state, waiter in
            func full() -> Bool {
                let pending = state.queuedRows + state.bufferedRows
                return pending > 0 && pending + rows > limit
            }
            if case .block(let timeout) = overflow {
                let deadline = ContinuousClock.now.advanced(by: timeout)
                while !state.closing, full(), ContinuousClock.now < deadline {
                    if state.counters.stalledSince == nil { state.counters.stalledSince = .now }
                    waiter.wait(until: deadline)
                }
            }
            if state.closing { return .closed }
            if full() {
                if state.counters.stalledSince == nil { state.counters.stalledSince = .now }
                if case .reject = overflow { state.counters.rowsRejected += rows }
                return .queueFull
            }
            if state.queue.isEmpty { state.firstQueuedAt = .now }
            state.queue.append(contentsOf: items)
            state.queuedRows += rows
            state.enqueuedItems += UInt64(items.count)
            if state.queuedRows >= configuration.batchRows || state.queuedRows == rows { waiter.broadcast() }
            return .accepted
        }
    }

    /// Writes everything queued before the call now, ignoring the batch bounds and any retry backoff. Returns when
    /// those items are committed.
    ///
    /// - Throws: ``StorageError`` if the write attempt fails; the rows stay buffered and are retried.
    ///   `.closed` if the writer is closed.
    public func flush() async throws(StorageError) {
        do {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                shared.withLock { state, waiter in
                    if state.finished {
                        continuation.resume(throwing: StorageError(.closed, message: "the writer is closed"))
                    } else if state.doneItems >= state.enqueuedItems {
                        continuation.resume()
                    } else {
                        state.flushWaiters.append(
                            FlushWaiter(ticket: state.enqueuedItems, epoch: state.takes, continuation: continuation))
                        waiter.broadcast()
                    }
                }
            }
        } catch {
            throw StorageError.classify(error, context: "flush")
        }
    }

    /// Stops accepting items, writes everything queued (retrying a failing write
    /// ``WriterConfiguration/closeAttempts`` times, then giving up what is left, logged as an error and counted in
    /// ``WriterCounters/rowsDropped``) and stops the thread.
    public func close() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            shared.withLock { state, waiter in
                if state.finished {
                    continuation.resume()
                } else {
                    state.closing = true
                    state.closeWaiters.append(continuation)
                    waiter.broadcast()
                }
            }
        }
    }

    /// The counters now.
    public var counters: WriterCounters {
        shared.withLock { state, _ in
            var counters = state.counters
            counters.queuedRows = state.queuedRows
            counters.bufferedRows = state.bufferedRows
            return counters
        }
    }
}
