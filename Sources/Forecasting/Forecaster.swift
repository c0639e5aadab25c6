/// A streaming forecaster in River's shape (`river/time_series/base.py`): it learns one step at a time and
/// forecasts quantiles for the next steps.
///
/// The order per step is forecast, score, then learn (see River's `iter_evaluate`); a cold forecaster says so
/// through ``readiness`` and returns nil instead of guessing.
public protocol Forecaster: Sendable {
    /// Learns the next step of the stream (a nil or non-finite value is a missing step).
    mutating func learn(_ observation: Observation)
    /// Whether forecasts are available yet.
    var readiness: ForecasterReadiness { get }
    /// Quantiles for steps 1…`horizon` after the last learned step, or nil while cold.
    func forecast(horizon: Int, levels: QuantileLevels) -> QuantileForecast?
}

/// Whether a forecaster can forecast.
public enum ForecasterReadiness: Sendable, Hashable, Codable {
    /// Not enough history yet; at least `stepsNeeded` more (non-missing) steps must be learned.
    case cold(stepsNeeded: Int)
    /// Forecasts are available for every horizon the forecaster was built for.
    case warm
}

/// Quantile forecasts for steps 1…H.
public struct QuantileForecast: Sendable, Hashable, Codable {
    /// The levels of each row of ``quantiles``.
    public var levels: QuantileLevels
    /// Per step (index `h − 1`): the point forecast.
    public var point: [Double]
    /// Per step (index `h − 1`): the quantiles at ``levels``, monotone.
    public var quantiles: [[Double]]

    /// A forecast with one point and one quantile row per step.
    public init(levels: QuantileLevels, point: [Double], quantiles: [[Double]]) {
        precondition(point.count == quantiles.count, "\(point.count) points for \(quantiles.count) quantile rows")
        self.levels = levels
        self.point = point
        self.quantiles = quantiles
    }

    /// The horizon H.
    public var horizon: Int { point.count }
}
