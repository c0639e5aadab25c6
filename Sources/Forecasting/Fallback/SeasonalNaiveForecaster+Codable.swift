extension SeasonalNaiveForecaster: Codable {
    private enum CodingKeys: String, CodingKey {
        case period, maximumHorizon, residualWindow, minimumResiduals, history, restoredErrors
        /// Each lag group's error window, in states saved when the history was only `m·G` long.
        case errors
    }

    /// Restores a saved forecaster: its `m·G + R` values, or, saved before the errors were read from the history,
    /// its `m·G` values and each lag group's error window. The errors of such a window that the values do not
    /// reproduce are kept ahead of the history's own until it is full, so the forecaster stays as warm as it was.
    /// - Throws: `DecodingError` when the state is malformed or inconsistent with its settings.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let period = try container.decode(Int.self, forKey: .period)
        let horizon = try container.decode(Int.self, forKey: .maximumHorizon)
        let window = try container.decode(Int.self, forKey: .residualWindow)
        let minimum = try container.decode(Int.self, forKey: .minimumResiduals)
        // Packed `Double`s with NaN for a missing value; a list of numbers with null for one before.
        let history: RingBuffer<Double?>
        if let packed = try? container.decode(RingBuffer<Double>.self, forKey: .history) {
            history = RingBuffer(capacity: packed.capacity, elements: packed.map { $0.isNaN ? nil : $0 })
        } else {
            history = try container.decode(RingBuffer<Double?>.self, forKey: .history)
        }
        guard period >= 1, horizon >= 1, minimum >= 1, window >= minimum else {
            throw DecodingError.corrupt(decoder, "seasonal naive settings are invalid")
        }
        let groups = Self.lagGroups(horizon: horizon, period: period)
        let (lags, overflow) = period.multipliedReportingOverflow(by: groups)
        let (length, overflowWithWindow) = lags.addingReportingOverflow(window)
        guard !overflow, !overflowWithWindow, history.allSatisfy({ $0?.isFinite ?? true }) else {
            throw DecodingError.corrupt(decoder, "seasonal naive settings overflow, or its history is not finite")
        }
        var restored: [[Double]] = []
        if let windows = try container.decodeIfPresent([RingBuffer<Double>].self, forKey: .errors) {
            guard history.capacity == lags, windows.count == groups,
                windows.allSatisfy({ $0.capacity == window && $0.allSatisfy(\.isFinite) })
            else { throw DecodingError.corrupt(decoder, "seasonal naive buffers do not match its settings") }
            let values = Array(history)
            restored = windows.enumerated().map { index, errors in
                // The newest errors of a window are those of the saved values' own pairs: the history reads them.
                let lag = period * (index + 1)
                let reproduced = values.indices.dropFirst(lag).filter { values[$0] != nil && values[$0 - lag] != nil }
                return Array(errors.dropLast(reproduced.count))
            }
        } else {
            restored = try container.decodeIfPresent([[Double]].self, forKey: .restoredErrors) ?? []
            guard history.capacity == length, restored.count <= groups,
                restored.allSatisfy({ $0.count <= window && $0.allSatisfy(\.isFinite) })
            else { throw DecodingError.corrupt(decoder, "seasonal naive history does not match its settings") }
        }
        self.init(period: period, maximumHorizon: horizon, residualWindow: window, minimumResiduals: minimum)
        self.history = RingBuffer(capacity: length, elements: history.map { $0 ?? .nan })
        if !self.history.isFull, restored.contains(where: { !$0.isEmpty }) { restoredErrors = restored }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(period, forKey: .period)
        try container.encode(maximumHorizon, forKey: .maximumHorizon)
        try container.encode(residualWindow, forKey: .residualWindow)
        try container.encode(minimumResiduals, forKey: .minimumResiduals)
        // Packed (bit-exact, NaN for missing): 262 values at the bundled settings are 2.8 KB of text instead of 4.6.
        try container.encode(history, forKey: .history)
        if !restoredErrors.isEmpty { try container.encode(restoredErrors, forKey: .restoredErrors) }
    }
}
