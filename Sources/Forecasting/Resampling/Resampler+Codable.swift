extension Resampler: Codable {
    private enum CodingKeys: String, CodingKey {
        case cadence, maximumGapSteps, skippedGapSteps, lastTime, open, lastEmitted
    }

    /// Restores a saved resampler.
    /// - Throws: `DecodingError` when the cadence or counters are invalid.
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
        if let open, open.count < 1 { throw DecodingError.corrupt(decoder, "open bucket without readings") }
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
