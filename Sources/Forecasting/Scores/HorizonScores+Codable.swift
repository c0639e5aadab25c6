extension HorizonScores: Codable {
    private enum CodingKeys: String, CodingKey { case levels, coverages, steps }

    /// Restores saved accumulators.
    /// - Throws: `DecodingError` when an interval is not in the levels or a step's counts do not match.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let levels = try container.decode(QuantileLevels.self, forKey: .levels)
        let coverages = try container.decode([Double].self, forKey: .coverages)
        let steps = try container.decode([Step].self, forKey: .steps)
        guard coverages.allSatisfy({ levels.centralInterval($0) != nil }), !steps.isEmpty,
            steps.allSatisfy({ $0.count >= 0 && $0.hits.count == coverages.count })
        else { throw DecodingError.corrupt(decoder, "horizon scores do not match their levels") }
        self.init(levels: levels, horizon: steps.count, coverages: coverages)
        self.steps = steps
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(levels, forKey: .levels)
        try container.encode(intervals.map(\.coverage), forKey: .coverages)
        try container.encode(steps, forKey: .steps)
    }
}
