/// One time of a stream's history: the observation (if any) beside the forecast issued for it (if any).
public struct HistoryPoint: Sendable, Equatable {
    /// The time, µs since the Unix epoch.
    public var tUs: Int64
    /// Whether an observation row exists at this time.
    public var observed: Bool
    /// The observed value; `nil` when not observed or when the step was recorded as missing.
    public var value: Double?
    /// The forecast for this time at the requested step, if one was issued.
    public var forecast: Forecast?

    /// A stored forecast for one time.
    public struct Forecast: Sendable, Equatable {
        /// When it was issued, µs since the Unix epoch.
        public var issuedAtUs: Int64
        /// The horizon step.
        public var step: Int
        /// The predictive mean.
        public var mean: Double
        /// The quantile levels.
        public var levels: [Double]
        /// One quantile per level.
        public var quantiles: [Float]
    }
}

/// A stream as the `streams` command lists it.
public struct StreamSummary: Sendable, Equatable {
    /// The stream's name.
    public var name: String
    /// First observation or forecast seen, µs since the Unix epoch.
    public var firstSeenUs: Int64
    /// Latest observation seen, µs since the Unix epoch.
    public var lastSeenUs: Int64
    /// The model and version of the saved state, if one is saved.
    public var model: String?
    /// The checkpoint version the saved state belongs to.
    public var modelVersion: Int?
    /// The latest drift row, if any.
    public var latestDrift: DriftRecord?
}
