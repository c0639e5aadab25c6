/// The forecaster for cold streams: seasonal naive `ŷ_{t+h} = y_{t+h−m⌈h/m⌉}` (`m = 1`: naive), with intervals
/// from the empirical quantiles of its own past errors, as the protocol's `snaive` baseline but rolling.
///
/// **Residuals.** The h-step forecast uses lag `m·⌈h/m⌉`, so all steps with the same `g = ⌈h/m⌉` share one error
/// series `e_t = y_t − y_{t−m·g}`; the forecaster keeps the last ``residualWindow`` errors of each of the
/// `G = ⌈H/m⌉` series and needs no pending forecasts. Quantiles at step h are `ŷ_{t+h} + Q_τ(e)` (type 7).
///
/// **Missing steps.** A nil or non-finite value is stored as missing and yields no error. When the lagged value of
/// a forecast is missing, the point falls back to the latest present value before it (naive).
///
/// **Cold state.** It is ``ForecasterReadiness/cold(stepsNeeded:)`` until every error series holds
/// ``minimumResiduals`` errors, i.e. after about `m·G + minimumResiduals` clean steps.
///
/// Memory: `m·G` values of history plus `G·residualWindow` errors (8 KB for m = 48, H = 48; 384 KB for m = 1,
/// H = 48 with the default window). ``learn(_:)`` is O(G) and allocates nothing once
/// full; ``forecast(horizon:levels:)`` is O(H·R log R) and allocates its result.
public struct SeasonalNaiveForecaster: Forecaster, Equatable {
    /// The seasonal period m in steps (1 = naive).
    public let period: Int
    /// The largest horizon H the residuals are kept for.
    public let maximumHorizon: Int
    /// Errors kept per lag group. The default is 1000: on the six development datasets (`forecasting-bench
    /// calibration`, every test origin) a window of 200 gave a mean |cov90 − 0.9| of 0.084 (cov90 0.67 on taylor,
    /// whose last 200 lag-48 errors often miss a weekend), 500 gave 0.028 and 1000 gave 0.022 with the lowest CRPS.
    public let residualWindow: Int
    /// Errors a lag group needs before forecasts are issued. The default is 20.
    public let minimumResiduals: Int
    /// The last `m·G` steps, nil where missing.
    var history: RingBuffer<Double?>
    /// Per lag group g (index `g − 1`): recent errors `y_t − y_{t−m·g}`.
    var errors: [RingBuffer<Double>]

    /// A cold forecaster; traps on a period, horizon or window below 1 (configuration errors).
    public init(period: Int, maximumHorizon: Int, residualWindow: Int = 1000, minimumResiduals: Int = 20) {
        precondition(period >= 1, "seasonal period must be at least 1, got \(period)")
        precondition(maximumHorizon >= 1, "horizon must be at least 1, got \(maximumHorizon)")
        precondition(minimumResiduals >= 1 && residualWindow >= minimumResiduals, "need 1 <= minimum <= window")
        let groups = Self.lagGroups(horizon: maximumHorizon, period: period)
        self.period = period
        self.maximumHorizon = maximumHorizon
        self.residualWindow = residualWindow
        self.minimumResiduals = minimumResiduals
        self.history = RingBuffer(capacity: period * groups)
        self.errors = Array(repeating: RingBuffer(capacity: residualWindow), count: groups)
    }

    /// G = ⌈horizon / period⌉, without the overflow of `horizon + period − 1` near `Int.max`.
    static func lagGroups(horizon: Int, period: Int) -> Int {
        horizon / period + (horizon % period == 0 ? 0 : 1)
    }

    public mutating func learn(_ observation: Observation) {
        let value = observation.value.flatMap { $0.isFinite ? $0 : nil }
        if let value {
            for g in 1...errors.count {
                let lag = period * g
                if history.count >= lag, let past = history[history.count - lag] {
                    errors[g - 1].append(value - past)
                }
            }
        }
        history.append(value)
    }

    public var readiness: ForecasterReadiness {
        var needed = 0
        for (i, series) in errors.enumerated() {
            let lag = period * (i + 1)
            needed = max(needed, max(0, lag - history.count) + max(0, minimumResiduals - series.count))
        }
        // Errors can also be missing while the history is long enough, so at least one more step is needed then.
        return errors.allSatisfy { $0.count >= minimumResiduals } ? .warm : .cold(stepsNeeded: max(needed, 1))
    }

    /// Forecasts steps 1…`horizon` (at most ``maximumHorizon``, a programmer error otherwise), or nil while cold or
    /// when no present value is left in the history.
    public func forecast(horizon: Int, levels: QuantileLevels) -> QuantileForecast? {
        precondition(horizon >= 1 && horizon <= maximumHorizon, "horizon \(horizon) outside 1...\(maximumHorizon)")
        let groups = Self.lagGroups(horizon: horizon, period: period)
        guard errors[0..<groups].allSatisfy({ $0.count >= minimumResiduals }) else { return nil }
        var offsets: [[Double]] = []
        for g in 0..<groups { offsets.append(levels.estimate(from: Array(errors[g]))) }
        var point: [Double] = []
        var quantiles: [[Double]] = []
        let last = history.count - 1
        for h in 1...horizon {
            let g = (h + period - 1) / period
            var position = last + h - period * g
            while position >= 0, history[position] == nil { position -= 1 }
            guard position >= 0, let base = history[position] else { return nil }
            point.append(base)
            quantiles.append(offsets[g - 1].map { base + $0 })
        }
        return QuantileForecast(levels: levels, point: point, quantiles: quantiles)
    }
}
