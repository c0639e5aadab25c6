/// How a stream's readings become steps: every reading is a step, or readings are aggregated into fixed buckets.
public enum Cadence: Sendable, Hashable, Codable {
    /// Every reading is a step (times must strictly increase).
    case event
    /// Buckets of `seconds` aligned to the Unix epoch (60 s buckets start at :00), one step per bucket.
    case every(seconds: Double, aggregate: Aggregate)

    /// How the readings of one bucket combine into its value.
    public enum Aggregate: String, Sendable, Hashable, Codable, CaseIterable {
        /// The arithmetic mean.
        case mean
        /// The reading with the latest time (the later arrival on a tie).
        case last
        /// The sum (an empty bucket is still missing, not 0).
        case sum
        /// The smallest reading.
        case min
        /// The largest reading.
        case max
    }
}
