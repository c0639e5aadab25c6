/// How long each growing table keeps rows. `nil` limits keep everything.
public struct RetentionPolicy: Sendable {
    /// The bounds of one table: rows older than `maxAge` go, and past `maxRows` the oldest go.
    public struct Limit: Sendable {
        /// Rows older than this (by the table's time column) are deleted. The default is `nil`: no age limit.
        public var maxAge: Duration?
        /// The most rows kept; for `observations` and `forecasts` per stream, for the others per table.
        /// The default is `nil`: no row cap.
        public var maxRows: Int?

        /// Creates a limit.
        public init(maxAge: Duration? = nil, maxRows: Int? = nil) {
            self.maxAge = maxAge
            self.maxRows = maxRows
        }
    }

    /// Observations, by `t_us`; row cap per stream.
    public var observations: Limit
    /// Forecasts, by `issued_at_us`; row cap per stream.
    public var forecasts: Limit
    /// Drift rows, by `window_end_us`.
    public var drift: Limit
    /// Events, by `time_us`.
    public var events: Limit
    /// Rejects, by `time_us`.
    public var rejects: Limit
    /// Rows deleted per transaction, so the writer never waits long for the lock. The default is 2000.
    public var chunkRows: Int

    /// Creates a policy; every table defaults to keeping everything.
    public init(
        observations: Limit = Limit(), forecasts: Limit = Limit(), drift: Limit = Limit(), events: Limit = Limit(),
        rejects: Limit = Limit(), chunkRows: Int = 2000
    ) {
        self.observations = observations
        self.forecasts = forecasts
        self.drift = drift
        self.events = events
        self.rejects = rejects
        self.chunkRows = max(1, chunkRows)
    }
}

/// What one retention pass deleted.
public struct RetentionReport: Sendable, Equatable {
    /// Observation rows deleted.
    public var observations = 0
    /// Forecast rows deleted.
    public var forecasts = 0
    /// Drift rows deleted.
    public var drift = 0
    /// Events deleted.
    public var events = 0
    /// Rejects deleted.
    public var rejects = 0
    /// Transactions used (each deleting at most ``RetentionPolicy/chunkRows`` rows).
    public var transactions = 0
    /// Free pages returned to the file system by incremental vacuum.
    public var pagesFreed = 0

    /// Creates an empty report.
    public init() {}
}
