/// Batching, queueing and retry bounds of the ``StoreWriter``.
public struct WriterConfiguration: Sendable {
    /// A transaction starts once this many rows are waiting. The default is 5000: with `WITHOUT ROWID` tables and
    /// interleaved streams small batches are several times slower (TOOLCHAIN.md).
    public var batchRows: Int
    /// The most rows one transaction takes when a backlog has built up (group commit). Each commit rewrites the
    /// last page of every stream it touches, so with many interleaved streams bigger transactions are several times
    /// faster (storage-bench: 1000 streams, 5000 → 50 000 rows ≈ 3–4×). The default is 50 000.
    public var maximumTransactionRows: Int
    /// A transaction commits at the latest this long after its first row was queued. The default is 200 ms.
    public var maxDelay: Duration
    /// Rows queued or held by the writer and not yet committed before ``StoreWriter/enqueue(_:overflow:)`` applies
    /// its overflow policy. This is the writer's whole memory bound: nothing is ever dropped to stay under it, so
    /// while writes fail (disk full, read-only, locked) enqueuers wait and the stall travels back to MQTT intake.
    /// One batch larger than the bound is still taken whole when nothing is pending. The default is 200 000.
    public var maximumPendingRows: Int
    /// The first wait before retrying a failed batch; it doubles per failure up to ``maximumBackoff``.
    /// The default is 50 ms.
    public var initialBackoff: Duration
    /// The longest wait between retries. The default is 5 seconds.
    public var maximumBackoff: Duration
    /// Write attempts made at close while writes keep failing, before the remaining rows are given up, logged as an
    /// error and counted (their messages stay in the durable inbox for the next start). The default is 3.
    public var closeAttempts: Int

    /// Creates a configuration; every parameter has the documented default.
    public init(
        batchRows: Int = 5000, maximumTransactionRows: Int = 50_000, maxDelay: Duration = .milliseconds(200),
        maximumPendingRows: Int = 200_000, initialBackoff: Duration = .milliseconds(50),
        maximumBackoff: Duration = .seconds(5), closeAttempts: Int = 3
    ) {
        self.batchRows = max(1, batchRows)
        self.maximumTransactionRows = max(self.batchRows, maximumTransactionRows)
        self.maxDelay = maxDelay
        self.maximumPendingRows = max(1, maximumPendingRows)
        self.initialBackoff = initialBackoff
        self.maximumBackoff = maximumBackoff
        self.closeAttempts = max(1, closeAttempts)
    }
}

/// What ``StoreWriter/enqueue(_:overflow:)`` does when the queue is full; written at every call site.
public enum OverflowPolicy: Sendable {
    /// Refuse the items at once and count them in ``WriterCounters/rowsRejected``.
    case reject
    /// Wait up to the timeout for room, then answer ``EnqueueResult/queueFull`` without counting: the caller still
    /// holds the items and is expected to try again.
    case block(timeout: Duration)
}

/// The outcome of ``StoreWriter/enqueue(_:overflow:)``.
public enum EnqueueResult: Sendable, Equatable {
    /// The items are queued and will be written.
    case accepted
    /// The writer stayed full; the items were not queued (counted in ``WriterCounters/rowsRejected`` for
    /// ``OverflowPolicy/reject`` only).
    case queueFull
    /// The writer is closing or closed; the items were not queued.
    case closed
}
