/// A reading attached to its stream: what the engine receives.
public struct StreamReading: Sendable, Hashable {
    /// The stream id (non-empty, no `+`, `#`, NUL or control characters, at most 256 bytes).
    public var streamID: String
    /// Seconds since the Unix epoch: the payload's time, else the arrival time.
    public var time: Double
    /// The value; always finite.
    public var value: Double
    /// Index of the rule in `DaemonConfiguration.rules` (its cadence, aggregate and model group apply).
    public var rule: Int
    /// Whether `time` came from the payload rather than the arrival time.
    public var timeFromPayload: Bool
    /// The SenML unit the payload gave (`Cel`); `nil` when it gave none.
    public var unit: String?

    /// Creates a reading.
    public init(
        streamID: String, time: Double, value: Double, rule: Int, timeFromPayload: Bool, unit: String? = nil
    ) {
        self.unit = unit
        self.streamID = streamID
        self.time = time
        self.value = value
        self.rule = rule
        self.timeFromPayload = timeFromPayload
    }
}
