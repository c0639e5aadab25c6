/// A snapshot of the writer's counters, cumulative since it started.
public struct WriterCounters: Sendable, Equatable {
    /// Observation rows inserted.
    public var observationsWritten = 0
    /// Observations ignored because a row for the same (stream, time) existed: QoS 1 redeliveries.
    public var duplicateObservations = 0
    /// Forecast rows (points) inserted or replaced.
    public var forecastRowsWritten = 0
    /// Stream states saved.
    public var streamStatesWritten = 0
    /// Model groups' calibration score pools saved.
    public var calibrationPoolsWritten = 0
    /// Drift rows inserted or replaced.
    public var driftRowsWritten = 0
    /// Events inserted.
    public var eventsWritten = 0
    /// Rejects inserted.
    public var rejectsWritten = 0
    /// Rows the schema refused (a quantile count not matching the levels, an unknown checkpoint id); skipped.
    public var invalidRows = 0
    /// Transactions committed.
    public var batchesCommitted = 0
    /// Transactions that failed and were kept for retry.
    public var failedBatches = 0
    /// Write attempts made after a failure.
    public var retries = 0
    /// Rows given up at close because writes kept failing; never during normal running.
    public var rowsDropped = 0
    /// Rows refused by ``StoreWriter/enqueue(_:overflow:)`` with ``OverflowPolicy/reject`` because the writer was
    /// full.
    public var rowsRejected = 0
    /// Rows waiting in the queue now.
    public var queuedRows = 0
    /// Rows held by the writer now (being written, or kept after a failure).
    public var bufferedRows = 0
    /// Rows queued or held and not yet committed, the figure bounded by ``WriterConfiguration/maximumPendingRows``.
    public var pendingRows: Int { queuedRows + bufferedRows }
    /// Since when writes have been failing without a commit in between; `nil` while they succeed.
    public var failingSince: ContinuousClock.Instant?
    /// Since when the writer has been full while writes fail, so enqueuers wait; `nil` when it is not.
    public var stalledSince: ContinuousClock.Instant?
    /// The last write failure, cleared by the next successful commit.
    public var lastError: StorageError?

    /// Creates zeroed counters.
    public init() {}
}
