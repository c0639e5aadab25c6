extension Resampler: Codable {
    private enum CodingKeys: String, CodingKey {
        case cadence, maximumGapSteps, skippedGapSteps, lastTime, open, lastEmitted
    }

    /// Restores a saved resampler.
    /// - Throws: `DecodingError` when the cadence or counters are invalid, or a time or bucket index lies beyond
    ///   ``timeLimit`` (no reading the resampler accepts could have produced it).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let cadence = try container.decode(Cadence.self, forKey: .cadence)
        let cap = try container.decode(Int.self, forKey: .maximumGapSteps)
        if case .every(let seconds, _) = cadence, !(seconds > 0 && seconds.isFinite) {
            throw DecodingError.corrupt(decoder, "bucket length \(seconds) is not positive")
        }
        guard cap >= 0 else { throw DecodingError.corrupt(decoder, "maximumGapSteps \(cap) < 0") }
        self.init(cadence: cadence, maximumGapSteps: cap)
        skippedGapSteps = try container.decode(Int.self, forKey: .skippedGapSteps)
        lastTime = try container.decodeIfPresent(Double.self, forKey: .lastTime)
        open = try container.decodeIfPresent(Bucket.self, forKey: .open)
        lastEmitted = try container.decodeIfPresent(Int64.self, forKey: .lastEmitted)
        if let problem = problem { throw DecodingError.corrupt(decoder, problem) }
    }

    /// Why a restored state could not have come from accepted readings; nil when it could. Indices and times past
    /// ``timeLimit`` would overflow `lastEmitted + 1` or the conversion of a bucket's start to milliseconds.
    private var problem: String? {
        guard skippedGapSteps >= 0 else { return "skippedGapSteps \(skippedGapSteps) < 0" }
        if let lastTime, !(lastTime.isFinite && abs(lastTime) <= Self.timeLimit) {
            return "last time \(lastTime) is beyond \(Self.timeLimit) s"
        }
        guard case .every(let seconds, _) = cadence else {
            return open == nil && lastEmitted == nil ? nil : "event cadence with a bucket"
        }
        // The largest |bucket index| of a time within the limit, kept well inside Int64 for tiny buckets.
        let indexLimit = min((Self.timeLimit / seconds).rounded(.up), 0x1p62)
        if let lastEmitted, !(Double(lastEmitted).magnitude <= indexLimit) {
            return "last emitted bucket \(lastEmitted) is beyond \(Self.timeLimit) s"
        }
        guard let open else { return nil }
        guard open.count >= 1 else { return "open bucket without readings" }
        guard Double(open.index).magnitude <= indexLimit, open.index > lastEmitted ?? .min else {
            return "open bucket \(open.index) is beyond \(Self.timeLimit) s or not after the last emitted one"
        }
        // A sum of finite readings may overflow to ±infinity, never to NaN.
        guard open.lastTime.isFinite, abs(open.lastTime) <= Self.timeLimit, !open.sum.isNaN,
            [open.minimum, open.maximum, open.last].allSatisfy(\.isFinite)
        else { return "open bucket holds a non-finite or out-of-range reading" }
        return nil
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(cadence, forKey: .cadence)
        try container.encode(maximumGapSteps, forKey: .maximumGapSteps)
        try container.encode(skippedGapSteps, forKey: .skippedGapSteps)
        try container.encodeIfPresent(lastTime, forKey: .lastTime)
        try container.encodeIfPresent(open, forKey: .open)
        try container.encodeIfPresent(lastEmitted, forKey: .lastEmitted)
    }
}
