/// Monotone counters of the engine since it was constructed (plus two gauges), as a value the health report reads.
public struct EngineCounters: Sendable, Equatable, Codable {
    /// MQTT messages received (`receive` calls).
    public var messages = 0
    /// Readings accepted by the ingestor (a SenML pack may hold several).
    public var readings = 0
    /// Of ``readings``, redelivered duplicates of an accepted reading (same stream and time, bit-identical value),
    /// ignored without a reject row: QoS 1 redeliveries and inbox replays.
    public var duplicatesIgnored = 0
    /// Rejected messages or records per `RejectReason` code.
    public var rejects: [String: Int] = [:]
    /// Steps emitted by the resamplers, present or missing (each is one `observations` row).
    public var observations = 0
    /// Of ``observations``, the explicit missing steps (empty buckets).
    public var gaps = 0
    /// Gaps longer than the stream's `context_length` steps: only their last `context_length` missing steps were
    /// emitted (enough to fill the context), the older ones were skipped.
    public var longGaps = 0
    /// Observations replayed from the Store at start-up or when an evicted stream came back.
    public var replayedObservations = 0
    /// Forecasts issued by a BARNN model.
    public var forecastsBARNN = 0
    /// Forecasts issued by the cold-start fallback.
    public var forecastsFallback = 0
    /// Forecasts with a quantile below 0 raised to 0 because their stream has never been negative.
    public var forecastsClampedAtZero = 0
    /// Gauge: streams whose state is in memory.
    public var streamsActive = 0
    /// Streams evicted because `engine.max_streams` was reached (their state was saved first).
    public var evictions = 0
    /// Streams whose saved state was loaded (at start-up or when an evicted stream came back).
    public var streamsRestored = 0
    /// Saved stream states refused at restore: not decodable, or out of the bounds of the configuration (a wrong
    /// shape or cadence, an impossible count, capacity or time); the stream then starts fresh.
    public var stateDecodeFailures = 0
    /// Saved calibration score pools refused at start (not decodable, or shaped for other levels, horizon or
    /// window); the group's streams then calibrate from a fresh pool.
    public var calibrationPoolDecodeFailures = 0
    /// Stream states written (periodic saves, evictions, shutdown).
    public var stateSaves = 0
    /// Trainings (first, scheduled, drift-triggered, requested) started on the trainer thread.
    public var trainingsStarted = 0
    /// Trainings that produced a candidate (promoted or not).
    public var trainingsSucceeded = 0
    /// Trainings that failed (too little data, storage error); the group keeps what served it.
    public var trainingsFailed = 0
    /// Trained candidates that passed the promotion gate and were swapped in.
    public var promotions = 0
    /// Trained candidates the promotion gate refused (the active model stayed).
    public var promotionsRefused = 0
    /// Drift alarms that did not start a retrain because the group's cooldown had not passed.
    public var driftRetrainsSuppressed = 0
    /// Active checkpoints changed in the Store by someone else (`barnnd rollback`) and swapped in.
    public var activationsApplied = 0
    /// Active checkpoints that could not be loaded (damaged blob, wrong shape); the group stays on the fallback.
    public var checkpointLoadFailures = 0
    /// Drift alarms raised by the streams' drift monitors.
    public var driftAlarms = 0
    /// Forecast rows the calibrator or drift monitor refused (non-finite model quantiles).
    public var scoringRejects = 0

    /// Zero counters.
    public init() {}

    /// The total of ``rejects``.
    public var rejectsTotal: Int { rejects.values.reduce(0, +) }
}
