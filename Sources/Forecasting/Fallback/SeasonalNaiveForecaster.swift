/// The forecaster for cold streams: seasonal naive `ŷ_{t+h} = y_{t+h−m⌈h/m⌉}` (`m = 1`: naive), with intervals
/// from the empirical quantiles of its own past errors, as the protocol's `snaive` baseline but rolling.
///
/// **Residuals.** The h-step forecast uses lag `m·⌈h/m⌉`, so all steps with the same `g = ⌈h/m⌉` share one error
/// series `e_t = y_t − y_{t−m·g}`. The forecaster keeps the last `m·G + R` values (`G = ⌈H/m⌉`, R =
/// ``residualWindow``) and reads each series' errors from them when it forecasts: the errors of the last R steps
/// where both values are present. Quantiles at step h are `ŷ_{t+h} + Q_τ(e)` (type 7). It needs no pending
/// forecasts, and one value history instead of G error windows: at m = 1, H = 12, R = 250 about 2 KB instead of 24.
///
/// **Missing steps.** A nil or non-finite value is kept as missing and yields no error, so a stream with gaps has
/// fewer than R errors. When the lagged value of a forecast is missing, the point falls back to the latest present
/// value before it (naive).
///
/// **Cold state.** It is ``ForecasterReadiness/cold(stepsNeeded:)`` until every error series holds
/// ``minimumResiduals`` errors, i.e. after about `m·G + minimumResiduals` clean steps.
///
/// **A history kept elsewhere.** The daemon's streams already keep their last steps' values (the context ring the
/// model re-warms from), so they keep this forecaster without a history of its own (it never ``learn(_:)``s) and pass
/// theirs to ``forecast(horizon:levels:history:)``, which is nil while cold: one ring of values instead of two.
///
/// Memory: `m·G + R` values. ``learn(_:)`` is O(1) and allocates nothing once full; ``forecast(horizon:levels:)``
/// and ``readiness`` are O(G·R) (plus O(H·R log R) to sort) and allocate.
public struct SeasonalNaiveForecaster: Forecaster, Equatable {
    /// The seasonal period m in steps (1 = naive).
    public let period: Int
    /// The largest horizon H the residuals are kept for.
    public let maximumHorizon: Int
    /// Steps whose errors each lag group's quantiles are read from. The default is 1000: on the six development
    /// datasets (`forecasting-bench calibration`, every test origin) a window of 200 gave a mean |cov90 − 0.9| of
    /// 0.084 (cov90 0.67 on taylor, whose last 200 lag-48 errors often miss a weekend), 500 gave 0.028 and 1000 gave
    /// 0.022 with the lowest CRPS.
    public let residualWindow: Int
    /// Errors a lag group needs before forecasts are issued. The default is 20.
    public let minimumResiduals: Int
    /// The last `m·G + R` steps, NaN where missing.
    var history: RingBuffer<Double>
    /// Per lag group, oldest first: errors restored from a state saved when each group kept its own error window
    /// (its history was only `m·G` long). They precede the history's own errors until the history is full.
    var restoredErrors: [[Double]] = []

    /// A cold forecaster; traps on a period, horizon or window below 1 (configuration errors).
    public init(period: Int, maximumHorizon: Int, residualWindow: Int = 1000, minimumResiduals: Int = 20) {
        precondition(period >= 1, "seasonal period must be at least 1, got \(period)")
        precondition(maximumHorizon >= 1, "horizon must be at least 1, got \(maximumHorizon)")
        precondition(minimumResiduals >= 1 && residualWindow >= minimumResiduals, "need 1 <= minimum <= window")
        self.period = period
        self.maximumHorizon = maximumHorizon
        self.residualWindow = residualWindow
        self.minimumResiduals = minimumResiduals
        self.history = RingBuffer(
            capacity: Self.historyLength(
                period: period, maximumHorizon: maximumHorizon, residualWindow: residualWindow))
    }

    /// Equal settings, values (a missing value equals a missing value) and restored errors.
    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.period == rhs.period && lhs.maximumHorizon == rhs.maximumHorizon
            && lhs.residualWindow == rhs.residualWindow && lhs.minimumResiduals == rhs.minimumResiduals
            && lhs.history.capacity == rhs.history.capacity && lhs.restoredErrors == rhs.restoredErrors
            && lhs.history.elementsEqual(rhs.history) { $0 == $1 || ($0.isNaN && $1.isNaN) }
    }

    /// G = ⌈horizon / period⌉, without the overflow of `horizon + period − 1` near `Int.max`.
    static func lagGroups(horizon: Int, period: Int) -> Int {
        horizon / period + (horizon % period == 0 ? 0 : 1)
    }

    /// G for the forecaster's own horizon.
    var lagGroupCount: Int { Self.lagGroups(horizon: maximumHorizon, period: period) }

    /// `m·G + R`, the values the forecaster reads: what a history kept elsewhere should hold.
    public var historyLength: Int { history.capacity }

    /// `m·G + R` for these settings (see ``init(period:maximumHorizon:residualWindow:minimumResiduals:)``).
    public static func historyLength(period: Int, maximumHorizon: Int, residualWindow: Int) -> Int {
        period * lagGroups(horizon: maximumHorizon, period: period) + residualWindow
    }

    /// Empties the forecaster's own history, for an owner that keeps the values itself and passes them in, of a
    /// forecaster restored with one; errors restored from an older state stay until ``noteHistory(count:)``.
    public mutating func releaseHistory() {
        history = RingBuffer(capacity: history.capacity)
    }

    /// Forgets the restored errors once a history kept elsewhere holds ``historyLength`` values, as ``learn(_:)``
    /// does once its own is full.
    public mutating func noteHistory(count: Int) {
        if !restoredErrors.isEmpty, count >= historyLength { restoredErrors = [] }
    }

    public mutating func learn(_ observation: Observation) {
        let value = observation.value.flatMap { $0.isFinite ? $0 : nil }
        history.append(value ?? .nan)
        if !restoredErrors.isEmpty, history.isFull { restoredErrors = [] }
    }

    /// The errors of lag group `g` (1-based), oldest first: the restored ones, then those of the last R steps.
    func errors(group g: Int) -> [Double] { errors(group: g, history: history) }

    /// ``errors(group:)`` read from `history` (the stream's values, oldest first, NaN where missing).
    func errors<History: RandomAccessCollection<Double>>(group g: Int, history: History) -> [Double]
    where History.Index == Int {
        let lag = period * g
        var errors = g <= restoredErrors.count ? restoredErrors[g - 1] : []
        let first = max(lag, history.count - residualWindow)
        for t in stride(from: first, to: history.count, by: 1) {
            let error = history[t] - history[t - lag]
            if !error.isNaN { errors.append(error) }
        }
        return errors.count > residualWindow ? Array(errors.suffix(residualWindow)) : errors
    }

    public var readiness: ForecasterReadiness {
        var needed = 0
        var warm = true
        for g in 1...lagGroupCount {
            let count = errors(group: g).count
            warm = warm && count >= minimumResiduals
            needed = max(needed, max(0, period * g - history.count) + max(0, minimumResiduals - count))
        }
        // Errors can also be missing while the history is long enough, so at least one more step is needed then.
        return warm ? .warm : .cold(stepsNeeded: max(needed, 1))
    }

    /// Forecasts steps 1…`horizon` (at most ``maximumHorizon``, a programmer error otherwise), or nil while cold or
    /// when no present value is left in the history.
    public func forecast(horizon: Int, levels: QuantileLevels) -> QuantileForecast? {
        forecast(horizon: horizon, levels: levels, history: history)
    }

    /// ``forecast(horizon:levels:)`` with `history` (the stream's values, oldest first, NaN where missing) as the
    /// history: its last ``historyLength`` values are read.
    public func forecast<History: RandomAccessCollection<Double>>(
        horizon: Int, levels: QuantileLevels, history: History
    ) -> QuantileForecast? where History.Index == Int {
        precondition(horizon >= 1 && horizon <= maximumHorizon, "horizon \(horizon) outside 1...\(maximumHorizon)")
        let groups = Self.lagGroups(horizon: horizon, period: period)
        var offsets: [[Double]] = []
        for g in 1...groups {
            let errors = errors(group: g, history: history)
            guard errors.count >= minimumResiduals else { return nil }
            offsets.append(levels.estimate(from: errors))
        }
        var point: [Double] = []
        var quantiles: [[Double]] = []
        let last = history.count - 1
        for h in 1...horizon {
            let g = (h + period - 1) / period
            var position = last + h - period * g
            while position >= 0, history[position].isNaN { position -= 1 }
            guard position >= 0 else { return nil }
            let base = history[position]
            point.append(base)
            quantiles.append(offsets[g - 1].map { base + $0 })
        }
        return QuantileForecast(levels: levels, point: point, quantiles: quantiles)
    }
}
