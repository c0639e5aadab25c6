/// One stream's progressive evaluation, the order River's `iter_evaluate` uses and the engine follows per
/// observation: score the forecasts issued earlier for this step, update the calibrator and the drift monitor, learn
/// the observation, then issue the next calibrated forecast. A step is ``ForecastFeedback/score(_:)``, the
/// forecaster's `learn`, then ``ForecastFeedback/issue(_:calibrate:keepMedian:floor:)``; the engine behind
/// `barnnd backtest` and the daemon calls the same two around its batched learning and sampling, so the loop exists
/// once.
///
/// Scoring is ``ForecastFeedback``'s, with ``HorizonScores`` kept. A missing observation scores nothing and is
/// learned as missing. While the forecaster is cold nothing is issued, so nothing is scored H steps later.
///
/// Memory: the forecaster and the feedback's unscored rows (about 250 KB for H = 48, K = 13). Each step costs H
/// calibrator updates and H + 1 quantile rows to calibrate.
public struct ProgressiveEvaluation<Model: Forecaster>: Sendable {
    /// The forecaster being evaluated.
    public private(set) var forecaster: Model
    /// The forecasts issued and not yet scored, and the calibrator, drift monitor and scores they feed.
    public private(set) var feedback: ForecastFeedback
    /// Forecast rows the calibrator or drift monitor refused (non-finite quantiles from the forecaster).
    public private(set) var rejectedRows = 0

    /// What one observation produced.
    public struct Step: Sendable, Equatable {
        /// The calibrated forecast of the next H steps, nil while the forecaster is cold.
        public var forecast: QuantileForecast?
        /// What the drift monitor reported, when the step-1 forecast of this observation was scored.
        public var drift: DriftMonitor.Update?
        /// How many earlier forecasts (steps) were scored against this observation.
        public var scored: Int
    }

    /// An evaluation of `forecaster` over steps 1…`horizon` at `levels` (which need a median and at least one central
    /// interval of 80, 90 or 95% for the scores).
    public init(
        forecaster: Model, levels: QuantileLevels = .protocolLevels, horizon: Int,
        calibration: ConformalCalibrator.Configuration = .init(), drift: DriftMonitor.Configuration = .init()
    ) {
        self.forecaster = forecaster
        let coverages = [0.8, 0.9, 0.95].filter { levels.centralInterval($0) != nil }
        self.feedback = ForecastFeedback(
            calibrator: ConformalCalibrator(levels: levels, horizon: horizon, configuration: calibration),
            drift: DriftMonitor(levels: levels, configuration: drift),
            scores: HorizonScores(levels: levels, horizon: horizon, coverages: coverages))
    }

    /// The online conformal correction applied to every issued forecast.
    public var calibrator: ConformalCalibrator { feedback.calibrator }
    /// Scores of the calibrated forecasts per horizon step.
    public var scores: HorizonScores { feedback.scores! }
    /// Windows and change alarms of the step-1 calibrated forecasts.
    public var drift: DriftMonitor { feedback.drift }
    /// The horizon H.
    public var horizon: Int { calibrator.horizon }

    /// Scores, learns and forecasts one observation (see the type for the order).
    public mutating func step(_ observation: Observation) -> Step {
        let scoring = feedback.score(observation)
        rejectedRows += scoring.rejected
        var result = Step(forecast: nil, drift: scoring.drift, scored: scoring.scored)
        forecaster.learn(observation)
        guard let forecast = forecaster.forecast(horizon: horizon, levels: calibrator.levels) else { return result }
        let issue = feedback.issue(forecast.quantiles)
        result.forecast = QuantileForecast(levels: forecast.levels, point: forecast.point, quantiles: issue.quantiles)
        return result
    }
}

extension ProgressiveEvaluation: Codable where Model: Codable {
    private enum CodingKeys: String, CodingKey { case forecaster, calibrator, scores, drift, rejectedRows, issued }

    /// Restores a saved evaluation.
    /// - Throws: `DecodingError` when a part is invalid or the issued forecasts do not match the horizon and levels.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        forecaster = try container.decode(Model.self, forKey: .forecaster)
        let calibrator = try container.decode(ConformalCalibrator.self, forKey: .calibrator)
        let scores = try container.decode(HorizonScores.self, forKey: .scores)
        let drift = try container.decode(DriftMonitor.self, forKey: .drift)
        rejectedRows = try container.decode(Int.self, forKey: .rejectedRows)
        let issued = try container.decode(RingBuffer<IssuedForecast?>.self, forKey: .issued)
        let (h, k) = (calibrator.horizon, calibrator.levels.count)
        let shaped = { (forecast: IssuedForecast) in
            forecast.model.count == h && forecast.raw.count == h && [0, k].contains(forecast.published.count)
                && zip(forecast.model, forecast.raw).allSatisfy { [0, k].contains($0.count) && $0.count == $1.count }
        }
        guard scores.horizon == h, scores.levels == calibrator.levels, drift.levels == calibrator.levels,
            issued.capacity == h, issued.allSatisfy({ $0.map(shaped) ?? true })
        else { throw DecodingError.corrupt(decoder, "progressive evaluation parts do not match") }
        feedback = ForecastFeedback(calibrator: calibrator, drift: drift, scores: scores, issued: Array(issued))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(forecaster, forKey: .forecaster)
        try container.encode(feedback.calibrator, forKey: .calibrator)
        try container.encode(scores, forKey: .scores)
        try container.encode(feedback.drift, forKey: .drift)
        try container.encode(rejectedRows, forKey: .rejectedRows)
        var issued = RingBuffer<IssuedForecast?>(capacity: horizon)
        for forecast in feedback.issued { issued.append(forecast) }
        try container.encode(issued, forKey: .issued)
    }
}
extension ProgressiveEvaluation: Equatable where Model: Equatable {}
