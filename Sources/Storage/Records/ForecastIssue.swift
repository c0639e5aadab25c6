/// The forecast issued for one stream at one time: H points, each with a mean and quantiles at `levels`.
public struct ForecastIssue: Sendable, Equatable {
    /// The stream's name.
    public var stream: String
    /// When the forecast was issued, µs since the Unix epoch.
    public var issuedAtUs: Int64
    /// Quantile probabilities in ascending order, e.g. `[0.05, 0.5, 0.95]`; every point has one quantile per level.
    public var levels: [Double]
    /// The forecast steps, usually `step` 1…H.
    public var points: [ForecastPoint]

    /// Creates an issue.
    public init(stream: String, issuedAtUs: Int64, levels: [Double], points: [ForecastPoint]) {
        self.stream = stream
        self.issuedAtUs = issuedAtUs
        self.levels = levels
        self.points = points
    }
}

/// One step of a forecast.
public struct ForecastPoint: Sendable, Equatable {
    /// The horizon step, 1 for the next value.
    public var step: Int
    /// The time the step forecasts, µs since the Unix epoch.
    public var tUs: Int64
    /// The predictive mean.
    public var mean: Double
    /// One quantile per level of the issue, stored as Float32.
    public var quantiles: [Float]

    /// Creates a point.
    public init(step: Int, tUs: Int64, mean: Double, quantiles: [Float]) {
        self.step = step
        self.tUs = tUs
        self.mean = mean
        self.quantiles = quantiles
    }
}
