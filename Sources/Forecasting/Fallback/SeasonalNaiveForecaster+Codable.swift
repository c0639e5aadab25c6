extension SeasonalNaiveForecaster: Codable {
    private enum CodingKeys: String, CodingKey {
        case period, maximumHorizon, residualWindow, minimumResiduals, history, errors
    }

    /// Restores a saved forecaster.
    /// - Throws: `DecodingError` when the state is malformed or inconsistent with its settings.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let period = try container.decode(Int.self, forKey: .period)
        let horizon = try container.decode(Int.self, forKey: .maximumHorizon)
        let window = try container.decode(Int.self, forKey: .residualWindow)
        let minimum = try container.decode(Int.self, forKey: .minimumResiduals)
        let history = try container.decode(RingBuffer<Double?>.self, forKey: .history)
        let errors = try container.decode([RingBuffer<Double>].self, forKey: .errors)
        guard period >= 1, horizon >= 1, minimum >= 1, window >= minimum else {
            throw DecodingError.corrupt(decoder, "seasonal naive settings are invalid")
        }
        let groups = Self.lagGroups(horizon: horizon, period: period)
        let (historyLength, overflow) = period.multipliedReportingOverflow(by: groups)
        guard !overflow, history.capacity == historyLength, errors.count == groups,
            errors.allSatisfy({ $0.capacity == window && $0.allSatisfy(\.isFinite) }),
            history.allSatisfy({ $0?.isFinite ?? true })
        else { throw DecodingError.corrupt(decoder, "seasonal naive buffers do not match its settings") }
        self.init(period: period, maximumHorizon: horizon, residualWindow: window, minimumResiduals: minimum)
        self.history = history
        self.errors = errors
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(period, forKey: .period)
        try container.encode(maximumHorizon, forKey: .maximumHorizon)
        try container.encode(residualWindow, forKey: .residualWindow)
        try container.encode(minimumResiduals, forKey: .minimumResiduals)
        try container.encode(history, forKey: .history)
        try container.encode(errors, forKey: .errors)
    }
}
