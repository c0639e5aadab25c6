import Logging

/// The writer thread's body: takes queued items, writes them in batches, retries failures with backoff.
final class WriterLoop: @unchecked Sendable {
    // @unchecked Sendable: created on the caller's thread, then handed to the writer thread, the only one that
    // touches `buffer`, `batchWriter` and the backoff state afterwards.
    private let shared: ConditionBox<StoreWriter.Shared>
    private let batchWriter: BatchWriter
    private let configuration: WriterConfiguration
    private let logger: Logger

    /// Rows taken from the queue and not yet committed; `head` marks the first live item.
    private var buffer: [WriteItem] = []
    private var head = 0
    private var bufferRows = 0
    /// The take count of the current attempt: it answers only the flushes registered before its take.
    private var attemptEpoch: UInt64 = 0
    private var retryAt: ContinuousClock.Instant?
    private var backoff: Duration
    private var closeAttemptsLeft: Int
    /// Whether the last attempt failed: the first failure of a run is a warning, the rest debug lines.
    private var failing = false

    init(
        shared: ConditionBox<StoreWriter.Shared>, batchWriter: BatchWriter, configuration: WriterConfiguration,
        logger: Logger
    ) {
        self.shared = shared
        self.batchWriter = batchWriter
        self.configuration = configuration
        self.logger = logger
        self.backoff = configuration.initialBackoff
        self.closeAttemptsLeft = configuration.closeAttempts
    }

    func run() {
        while true {
            let (taken, closing) = takeWhenDue()
            append(taken)
            if head == buffer.count {
                // Nothing left to retry (nothing came): leave backoff.
                retryAt = nil
                backoff = configuration.initialBackoff
                compact()
                if closing {
                    finish()
                    return
                }
                report(result: BatchWriter.Result(), committed: 0, dropped: 0, failure: nil, retried: false)
                continue
            }
            let retried = retryAt != nil
            var total = BatchWriter.Result()
            var committed = 0
            var failure: StorageError?
            while head < buffer.count {
                var end = head
                var rows = 0
                while end < buffer.count, rows < configuration.maximumTransactionRows || end == head {
                    rows += buffer[end].rowCount
                    end += 1
                }
                do {
                    let result = try batchWriter.write(buffer[head..<end])
                    total.add(result)
                    committed += 1
                    head = end
                    bufferRows -= rows
                } catch {
                    failure = StorageError.classify(error, context: "writing a batch of \(rows) rows")
                    break
                }
            }
            compact()
            if let failure {
                retryAt = ContinuousClock.now.advanced(by: backoff)
                backoff = min(backoff * 2, configuration.maximumBackoff)
                if !failing {
                    failing = true
                    logger.warning(
                        "storage write failed; rows kept and retried, intake stalls while they are pending",
                        metadata: ["storage.error": "\(failure)", "storage.buffered_rows": "\(bufferRows)"])
                } else {
                    logger.debug(
                        "storage write failed again",
                        metadata: ["storage.error": "\(failure)", "storage.buffered_rows": "\(bufferRows)"])
                }
                if closing {
                    closeAttemptsLeft -= 1
                    if closeAttemptsLeft <= 0 {
                        let dropped = dropAll()
                        logger.error(
                            "storage writer closing with rows it could not write; their messages stay in the inbox",
                            metadata: ["storage.error": "\(failure)", "storage.rows_not_written": "\(dropped)"])
                        report(result: total, committed: committed, dropped: dropped, failure: failure, retried: true)
                        finish()
                        return
                    }
                }
            } else {
                if failing {
                    failing = false
                    logger.info("storage writes succeed again", metadata: ["storage.buffered_rows": "\(bufferRows)"])
                }
                retryAt = nil
                backoff = configuration.initialBackoff
            }
            report(result: total, committed: committed, dropped: 0, failure: failure, retried: retried)
        }
    }

    /// Sleeps until a batch is due (enough rows, the delay passed, a flush, close, or the retry time), then takes
    /// the whole queue so enqueuers never wait for SQLite.
    private func takeWhenDue() -> (items: [WriteItem], closing: Bool) {
        shared.withLock { state, waiter in
            while true {
                let now = ContinuousClock.now
                let flushing = !state.flushWaiters.isEmpty
                let deadline: ContinuousClock.Instant?
                if let retryAt {
                    if flushing || (now >= retryAt) { break }
                    deadline = retryAt
                } else {
                    if state.closing || flushing { break }
                    if state.queuedRows + bufferRows >= configuration.batchRows { break }
                    if let first = state.firstQueuedAt, now >= first.advanced(by: configuration.maxDelay) { break }
                    deadline = state.firstQueuedAt?.advanced(by: configuration.maxDelay)
                }
                waiter.wait(until: deadline)
            }
            let items = state.queue
            state.bufferedRows = bufferRows + state.queuedRows
            state.takes += 1
            attemptEpoch = state.takes
            state.queue = []
            state.queuedRows = 0
            state.firstQueuedAt = nil
            waiter.broadcast()
            return (items, state.closing)
        }
    }

    /// Moves `items` into the buffer. Nothing is dropped here: ``StoreWriter/enqueue(_:overflow:)`` bounds the
    /// buffer by refusing or waiting.
    private func append(_ items: [WriteItem]) {
        buffer.append(contentsOf: items)
        for item in items { bufferRows += item.rowCount }
    }

    private func dropAll() -> Int {
        let dropped = bufferRows
        head = buffer.count
        bufferRows = 0
        compact()
        return dropped
    }

    /// Frees committed items' storage once they make up most of the buffer.
    private func compact() {
        if head == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            head = 0
        } else if head > 4096, head * 2 > buffer.count {
            buffer.removeFirst(head)
            head = 0
        }
    }

    /// Publishes counters and resolves flush waiters.
    private func report(
        result: BatchWriter.Result, committed: Int, dropped: Int, failure: StorageError?, retried: Bool
    ) {
        shared.withLock { state, waiter in
            state.counters.observationsWritten += result.observations
            state.counters.duplicateObservations += result.duplicates
            state.counters.forecastRowsWritten += result.forecastRows
            state.counters.streamStatesWritten += result.streamStates
            state.counters.calibrationPoolsWritten += result.calibrationPools
            state.counters.driftRowsWritten += result.driftRows
            state.counters.eventsWritten += result.events
            state.counters.rejectsWritten += result.rejects
            state.counters.invalidRows += result.invalid
            state.counters.batchesCommitted += committed
            state.counters.rowsDropped += dropped
            state.bufferedRows = bufferRows
            if retried { state.counters.retries += 1 }
            if state.queuedRows + bufferRows < configuration.maximumPendingRows { state.counters.stalledSince = nil }
            // Room may have come free: wake enqueuers waiting for it.
            waiter.broadcast()
            // Everything not in the buffer or the queue is done (committed or dropped).
            state.doneItems = state.enqueuedItems - UInt64(state.queue.count) - UInt64(buffer.count - head)
            if let failure {
                state.counters.failedBatches += 1
                state.counters.lastError = failure
                if state.counters.failingSince == nil { state.counters.failingSince = .now }
                let epoch = attemptEpoch
                let failed = state.flushWaiters.filter { $0.epoch < epoch }
                state.flushWaiters.removeAll { $0.epoch < epoch }
                for waiter in failed { waiter.continuation.resume(throwing: failure) }
            } else {
                state.counters.lastError = nil
                state.counters.failingSince = nil
                let done = state.doneItems
                let ready = state.flushWaiters.filter { $0.ticket <= done }
                state.flushWaiters.removeAll { $0.ticket <= done }
                for waiter in ready { waiter.continuation.resume() }
            }
        }
    }

    private func finish() {
        shared.withLock { state, _ in
            state.bufferedRows = 0
            state.counters.stalledSince = nil
            state.finished = true
            state.doneItems = state.enqueuedItems
            let closed = StorageError(.closed, message: "the writer closed")
            for waiter in state.flushWaiters { waiter.continuation.resume(throwing: closed) }
            state.flushWaiters = []
            for waiter in state.closeWaiters { waiter.resume() }
            state.closeWaiters = []
        }
        logger.info("storage writer closed")
    }
}

extension BatchWriter.Result {
    mutating func add(_ other: BatchWriter.Result) {
        observations += other.observations
        duplicates += other.duplicates
        forecastRows += other.forecastRows
        streamStates += other.streamStates
        calibrationPools += other.calibrationPools
        driftRows += other.driftRows
        events += other.events
        rejects += other.rejects
        invalid += other.invalid
    }
}
