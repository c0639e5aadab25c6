extension DriftMonitor: Codable {
    private enum CodingKeys: String, CodingKey { case levels, configuration, detector, window }

    /// Restores a saved monitor.
    /// - Throws: `DecodingError` when the state is malformed or inconsistent with its configuration.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let levels = try container.decode(QuantileLevels.self, forKey: .levels)
        let configuration = try container.decode(Configuration.self, forKey: .configuration)
        let detector = try container.decode(CUSUMDetector.self, forKey: .detector)
        let window = try container.decode(Accumulator.self, forKey: .window)
        let d = configuration.detector
        guard configuration.windowLength >= 1, configuration.scaleFloor > 0, d.warmup >= 2, d.threshold > 0,
            d.allowance >= 0, d.clip > 0, detector.configuration == d
        else { throw DecodingError.corrupt(decoder, "drift monitor configuration is invalid") }
        self.init(levels: levels, configuration: configuration)
        guard window.count >= 0, window.count < configuration.windowLength, window.atOrBelow.count == levels.count,
            window.inside.count == intervals.count, window.pit.count == 10
        else { throw DecodingError.corrupt(decoder, "drift window does not match the levels or window length") }
        self.detector = detector
        self.window = window
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(levels, forKey: .levels)
        try container.encode(configuration, forKey: .configuration)
        try container.encode(detector, forKey: .detector)
        try container.encode(window, forKey: .window)
    }
}
