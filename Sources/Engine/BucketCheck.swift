/// A stream's next look for resampler buckets to close, ordered by engine time (then id, so equal times pop in a
/// fixed order).
struct BucketCheck: Comparable {
    /// Engine time (Unix seconds) from which the look is due.
    var time: Double
    /// The stream.
    var key: StreamKey

    static func < (left: BucketCheck, right: BucketCheck) -> Bool {
        left.time != right.time ? left.time < right.time : left.key < right.key
    }
}
