extension DaemonConfiguration {
    /// The SQLite store (`[storage]`).
    public struct StorageSettings: Sendable, Equatable {
        /// Database file. The default is `/var/lib/barnnd/barnnd.sqlite` (systemd `StateDirectory=barnnd`);
        /// `--database` or `BARNND_DATABASE` override it, e.g. `./barnnd.sqlite` when run as a normal user.
        public var path = "/var/lib/barnnd/barnnd.sqlite"
        /// Rows per write transaction; a batch is written when it is full or ``batchInterval`` has passed.
        /// The default is 1000.
        public var batchRows = 1000
        /// Longest time a row waits before its batch is written. The default is 1 s.
        public var batchInterval: Duration = .seconds(1)
        /// Rows waiting for the disk (queued or being retried) before intake stalls. Nothing is dropped when it is
        /// reached: the engine waits, MQTT acknowledgements stop and the broker queues. At ~150 bytes a row the
        /// default of 200 000 bounds the writer's memory to about 30 MB.
        public var maxPendingRows = 200_000
        /// The writing connection's SQLite page cache in MiB, which fills as the file grows and then stays resident.
        /// The default is 16: inserts of 10,000 interleaved streams ran as fast with 8 or 16 MiB as with 64, the
        /// previous fixed size (`storage-bench 10000 300 KiB`).
        public var cacheMiB = 16
        /// How long rows are kept per table.
        public var retention = Retention()

        /// Creates the defaults.
        public init() {}
    }

    /// How long each growing table keeps rows (`[storage.retention]`); zero keeps rows forever.
    ///
    /// Checkpoints are bounded by count instead (`retrain.keep_last`); stream states hold one row per stream.
    public struct Retention: Sendable, Equatable {
        /// Observations. The default is 90 days (retraining reads `retrain.history` of them).
        public var observations: Duration = .seconds(90 * 86400)
        /// Issued forecasts. The default is 30 days.
        public var forecasts: Duration = .seconds(30 * 86400)
        /// Drift statistics. The default is 180 days.
        public var drift: Duration = .seconds(180 * 86400)
        /// Events (retrain runs, promotions, alarms, evictions). The default is 365 days.
        public var events: Duration = .seconds(365 * 86400)
        /// Rejected messages. The default is 7 days.
        public var rejects: Duration = .seconds(7 * 86400)

        /// Creates the defaults.
        public init() {}
    }
}
