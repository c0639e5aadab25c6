extension DaemonConfiguration {
    /// Forecast publishing (`[publish]`).
    public struct PublishSettings: Sendable, Equatable {
        /// Topic of the full forecast JSON; `{stream}` is replaced by the stream id. The default is `forecast/{stream}`.
        public var topic = "forecast/{stream}"
        /// QoS of forecast messages, 0–2. The default is 1.
        public var qos = 1
        /// Whether forecasts are retained, so a new subscriber sees the latest at once. The default is `true`.
        public var retain = true
        /// Topic of the next-step median as a bare number, for dashboards and Home Assistant; empty disables it.
        /// The default is `forecast/{stream}/next`.
        public var scalarTopic = "forecast/{stream}/next"
        /// How often barnnd publishes its health summary on `mqtt.status_topic`. The default is 60 s.
        public var healthInterval: Duration = .seconds(60)

        /// Creates the defaults.
        public init() {}
    }
}
