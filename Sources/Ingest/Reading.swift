/// One value decoded from a payload, before a stream id is attached.
public struct Reading: Sendable, Hashable {
    /// The SenML record's resolved name (`bn` + `n`), which extends the stream id; `nil` for other formats.
    public var name: String?
    /// Seconds since the Unix epoch taken from the payload; `nil` when the payload has none (arrival time applies).
    public var time: Double?
    /// The value; always finite.
    public var value: Double
    /// The SenML record's unit (`u`, else the pack's `bu`), e.g. `Cel`; `nil` for other formats.
    public var unit: String?

    /// Creates a reading.
    public init(name: String? = nil, time: Double? = nil, value: Double, unit: String? = nil) {
        self.name = name
        self.time = time
        self.value = value
        self.unit = unit
    }
}
