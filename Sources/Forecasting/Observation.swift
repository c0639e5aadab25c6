/// One step of a stream after resampling: its time and its value, or nil for an explicit missing step.
public struct Observation: Sendable, Hashable, Codable {
    /// Unix seconds: the reading's time for event cadence, the bucket's start for a duration cadence.
    public var t: Double
    /// The value, NaN for a missing step: an optional `Double` pads an observation to 24 bytes, this keeps it at 16
    /// (a stream's context ring of 256 steps: 6 KB → 4 KB). No step value is NaN (a NaN reading is a missing step).
    private var stored: Double

    /// The step's value; nil when the step is missing (an empty bucket, a NaN from the source).
    public var value: Double? {
        get { stored.isNaN ? nil : stored }
        set { stored = newValue ?? .nan }
    }

    /// An observation at `t`; a NaN `value` is a missing step.
    public init(t: Double, value: Double?) {
        self.t = t
        self.stored = value ?? .nan
    }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.t == rhs.t && lhs.value == rhs.value }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(t)
        hasher.combine(value)
    }

    private enum CodingKeys: String, CodingKey { case t, value }

    /// `{"t": seconds, "value": number}`, without `value` for a missing step.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            t: try container.decode(Double.self, forKey: .t),
            value: try container.decodeIfPresent(Double.self, forKey: .value))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(t, forKey: .t)
        try container.encodeIfPresent(value, forKey: .value)
    }
}

/// A raw reading of a stream before resampling.
public struct Reading: Sendable, Hashable, Codable {
    /// Unix seconds (from the payload, else the arrival time).
    public var time: Double
    /// The measured value.
    public var value: Double

    /// A reading of `value` at `time`.
    public init(time: Double, value: Double) {
        self.time = time
        self.value = value
    }
}
