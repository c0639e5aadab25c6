/// One step of a stream after resampling: its time and its value, or nil for an explicit missing step.
public struct Observation: Sendable, Hashable, Codable {
    /// Unix seconds: the reading's time for event cadence, the bucket's start for a duration cadence.
    public var t: Double
    /// The step's value; nil when the step is missing (an empty bucket, a NaN from the source).
    public var value: Double?

    /// An observation at `t`.
    public init(t: Double, value: Double?) {
        self.t = t
        self.value = value
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
