extension DaemonConfiguration {
    /// Logging (`[logging]`).
    public struct LoggingSettings: Sendable, Equatable {
        /// Lowest level logged. The default is `info`.
        public var level = LogLevel.info
        /// A repeated error (same kind, same stream or topic) is logged at most once per this interval, with a
        /// count of the suppressed ones; zero logs every occurrence. The default is 60 s.
        public var repeatedErrorInterval: Duration = .seconds(60)

        /// Creates the defaults.
        public init() {}
    }
}
