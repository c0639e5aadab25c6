/// One stream's progressive evaluation, the order River's `iter_evaluate` uses and the engine follows per
/// observation: score the forecasts issued earlier for this step, update the calibrator and the drift monitor, learn
/// the observation, then issue the next calibrated forecast. `barnnd backtest` and the engine run this one loop.
///
/// For observation `j` with a present value `y`, the forecast issued after observation `j − h` is scored at its step
/// `h` for every `h ≤ H`: its calibrated quantiles into ``scores``, its model and issued quantiles and `y` into the
/// ``calibrator`` (step h), and step 1 into the ``drift`` monitor. A missing observation scores nothing and is
/// learned as missing. While the forecaster is cold nothing is issued, so nothing is scored H steps later.
///
/// Memory: the last H issued forecasts (model, raw and published calibrated quantiles, `3·H·H·K` doubles: 720 KB
/// for H = 48, K = 13) plus the parts. Each step costs H calibrator updates and H + 1 quantile rows to calibrate.
public struct ProgressiveEvaluation<Model: Forecaster>: Sendable {
    /// The forecaster being evaluated.
    public private(set) var forecaster: Model
    /// The online conformal correction applied to every issued forecast.
    public private(set) var calibrator: ConformalCalibrator
    /// Scores of the calibrated forecasts per horizon step.
    public private(set) var scores: HorizonScores
    /// Windows and change alarms of the step-1 calibrated forecasts.
    public private(set) var drift: DriftMonitor
    /// Forecast rows the calibrator or drift monitor refused (non-finite quantiles from the forecaster).
    public private(set) var rejectedRows = 0
    /// The forecasts issued after each of the last H observations, oldest first; nil where the forecaster was cold.
    var issued: RingBuffer<Issued?>

    /// A forecast as issued: what the model said, the calibrated rows before rearrangement (fed back to the
    /// calibrator) and what was published (rearranged).
    struct Issued: Sendable, Codable, Equatable {
        var model: [[Double]]
        var raw: [[Double]]
        var calibrated: [[Double]]
    }

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
        self.calibrator = ConformalCalibrator(levels: levels, horizon: horizon, configuration: calibration)
        let coverages = [0.8, 0.9, 0.95].filter { levels.centralInterval($0) != nil }
        self.scores = HorizonScores(levels: levels, horizon: horizon, coverages: coverages)
        self.drift = DriftMonitor(levels: levels, configuration: drift)
        self.issued = RingBuffer(capacity: horizon)
    }

    /// The horizon H.
    public var horizon: Int { calibrator.horizon }

    /// Scores, learns and forecasts one observation (see the type for the order).
    public mutating func step(_ observation: Observation) -> Step {
        var result = Step(forecast: nil, drift: nil, scored: 0)
        if let y = observation.value, y.isFinite {
            for h in stride(from: 1, through: min(horizon, issued.count), by: 1) {
                guard let forecast = issued[issued.count - h] else { continue }
                do {
                    try calibrator.update(
                        step: h, quantiles: forecast.model[h - 1], issued: forecast.raw[h - 1], outcome: y)
                    if h == 1 {
                        result.drift = try drift.update(
                            time: observation.t, quantiles: forecast.calibrated[0], outcome: y)
                    }
                } catch {
                    rejectedRows += 1
                    continue
                }
                scores.score(step: h, quantiles: forecast.calibrated[h - 1], outcome: y)
                result.scored += 1
            }
        }
        forecaster.learn(observation)
        guard let forecast = forecaster.forecast(horizon: horizon, levels: calibrator.levels) else {
            issued.append(nil)
            return result
        }
        var raw = forecast.quantiles
        for h in 1...horizon { calibrator.calibrate(step: h, quantiles: &raw[h - 1], rearrange: false) }
        var calibrated = raw
        for h in 1...horizon { QuantileLevels.rearrange(&calibrated[h - 1]) }
        issued.append(Issued(model: forecast.quantiles, raw: raw, calibrated: calibrated))
        result.forecast = QuantileForecast(levels: forecast.levels, point: forecast.point, quantiles: calibrated)
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
        calibrator = try container.decode(ConformalCalibrator.self, forKey: .calibrator)
        scores = try container.decode(HorizonScores.self, forKey: .scores)
        drift = try container.decode(DriftMonitor.self, forKey: .drift)
        rejectedRows = try container.decode(Int.self, forKey: .rejectedRows)
        issued = try container.decode(RingBuffer<Issued?>.self, forKey: .issued)
        let (h, k) = (calibrator.horizon, calibrator.levels.count)
        let shaped = { (rows: [[Double]]) in rows.count == h && rows.allSatisfy { $0.count == k } }
        guard scores.horizon == h, scores.levels == calibrator.levels, drift.levels == calibrator.levels,
            issued.capacity == h, issued.allSatisfy({ $0.map { shaped($0.model) && shaped($0.calibrated) } ?? true })
        else { throw DecodingError.corrupt(decoder, "progressive evaluation parts do not match") }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(forecaster, forKey: .forecaster)
        try container.encode(calibrator, forKey: .calibrator)
        try container.encode(scores, forKey: .scores)
        try container.encode(drift, forKey: .drift)
        try container.encode(rejectedRows, forKey: .rejectedRows)
        try container.encode(issued, forKey: .issued)
    }
}
extension ProgressiveEvaluation: Equatable where Model: Equatable {}
