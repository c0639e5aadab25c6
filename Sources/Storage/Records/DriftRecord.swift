/// Forecast-quality statistics of one stream over a window, and whether they raised a drift alarm.
public struct DriftRecord: Sendable, Equatable {
    /// A value at one nominal quantile level, e.g. the empirical coverage of the 0.9 interval.
    public struct LevelValue: Sendable, Equatable {
        /// The nominal level, e.g. 0.9.
        public var level: Double
        /// The value measured at that level.
        public var value: Double
        /// Creates a pair.
        public init(level: Double, value: Double) {
            self.level = level
            self.value = value
        }
    }

    /// The stream's name.
    public var stream: String
    /// The end of the window, µs since the Unix epoch; one row per (stream, window end).
    public var windowEndUs: Int64
    /// How many scored forecasts the window holds.
    public var n: Int
    /// Mean CRPS over the window (raw units), if any forecast was scored.
    public var crps: Double?
    /// Mean absolute error over the window (raw units).
    public var mae: Double?
    /// Empirical coverage per nominal level (stored as JSON text).
    public var coverage: [LevelValue]
    /// PIT histogram counts (stored as JSON text).
    public var pitBins: [Int]
    /// Whether the drift detector raised an alarm at this window end.
    public var alarm: Bool

    /// Creates a record.
    public init(
        stream: String, windowEndUs: Int64, n: Int, crps: Double?, mae: Double?, coverage: [LevelValue],
        pitBins: [Int], alarm: Bool
    ) {
        self.stream = stream
        self.windowEndUs = windowEndUs
        self.n = n
        self.crps = crps
        self.mae = mae
        self.coverage = coverage
        self.pitBins = pitBins
        self.alarm = alarm
    }
}
