/// Running scores of quantile forecasts kept separately for each horizon step `h = 1…H`, in the spirit of River's
/// `HorizonMetric`: per step the count, MAE and RMSE of the median, the protocol CRPS and the coverage of each
/// central interval. Accumulators merge, so per-stream scores add up to per-dataset ones.
///
/// Memory is O(H·I) for I intervals; ``score(step:quantiles:outcome:)`` is O(K) and allocates nothing.
public struct HorizonScores: Sendable, Equatable {
    /// The levels the scored quantiles are given at.
    public let levels: QuantileLevels
    /// The central intervals whose coverage is counted (by default those of 80, 90 and 95%).
    public let intervals: [CentralInterval]
    /// Per step `h` (index `h − 1`): the running sums.
    public internal(set) var steps: [Step]
    private let weights: [Double]
    private let median: Int?

    /// The running sums of one horizon step.
    public struct Step: Sendable, Codable, Equatable {
        /// Scored (forecast, outcome) pairs.
        public var count = 0
        /// Σ |y − q0.5| (0 when the levels have no median).
        public var absoluteError = 0.0
        /// Σ (y − q0.5)².
        public var squaredError = 0.0
        /// Σ CRPS (quantile form).
        public var crps = 0.0
        /// Per interval of ``HorizonScores/intervals``: outcomes inside it.
        public var hits: [Int]

        /// Mean absolute error of the median, NaN before the first score.
        public var meanAbsoluteError: Double { absoluteError / Double(count) }
        /// Root mean squared error of the median.
        public var rootMeanSquaredError: Double { (squaredError / Double(count)).squareRoot() }
        /// Mean CRPS.
        public var meanCRPS: Double { crps / Double(count) }
        /// Empirical coverage of interval `i`.
        public func coverage(_ i: Int) -> Double { Double(hits[i]) / Double(count) }
    }

    /// Creates empty accumulators for steps 1…`horizon`; `coverages` picks the central intervals (each must exist in
    /// `levels`, a programmer error otherwise).
    public init(levels: QuantileLevels, horizon: Int, coverages: [Double] = [0.8, 0.9, 0.95]) {
        precondition(horizon >= 1, "horizon must be at least 1, got \(horizon)")
        self.levels = levels
        self.intervals = coverages.map { coverage in
            guard let interval = levels.centralInterval(coverage) else {
                preconditionFailure("levels \(levels.values) have no central \(coverage) interval")
            }
            return interval
        }
        self.steps = Array(repeating: Step(hits: Array(repeating: 0, count: coverages.count)), count: horizon)
        self.weights = levels.riemannWeights
        self.median = levels.medianIndex
    }

    /// The horizon H.
    public var horizon: Int { steps.count }

    /// Scores one forecast for step `h` (1-based) against its outcome.
    /// - Complexity: O(K + I); allocates nothing.
    public mutating func score(step h: Int, quantiles: [Double], outcome y: Double) {
        precondition(h >= 1 && h <= steps.count, "step \(h) outside 1...\(steps.count)")
        precondition(quantiles.count == levels.count, "\(quantiles.count) quantiles for \(levels.count) levels")
        steps[h - 1].count += 1
        if let median {
            let error = y - quantiles[median]
            steps[h - 1].absoluteError += abs(error)
            steps[h - 1].squaredError += error * error
        }
        steps[h - 1].crps += CRPS.fromQuantiles(quantiles, weights: weights, levels: levels, outcome: y)
        for (i, interval) in intervals.enumerated()
        where Coverage.contains(interval, quantiles: quantiles, outcome: y) {
            steps[h - 1].hits[i] += 1
        }
    }

    /// Adds `other`'s sums into these; both must have the same levels, horizon and intervals.
    /// - Complexity: O(H·I).
    public mutating func merge(_ other: HorizonScores) {
        precondition(
            other.levels == levels && other.intervals == intervals && other.horizon == horizon,
            "merging HorizonScores with different levels, intervals or horizon")
        for h in steps.indices {
            steps[h].count += other.steps[h].count
            steps[h].absoluteError += other.steps[h].absoluteError
            steps[h].squaredError += other.steps[h].squaredError
            steps[h].crps += other.steps[h].crps
            for i in intervals.indices { steps[h].hits[i] += other.steps[h].hits[i] }
        }
    }

    /// The step averages of a metric over the horizon (the protocol's "averaged over the horizon"), skipping empty
    /// steps; NaN when nothing was scored.
    public func horizonMean(_ metric: (Step) -> Double) -> Double {
        let scored = steps.filter { $0.count > 0 }
        return scored.isEmpty ? .nan : scored.reduce(0) { $0 + metric($1) } / Double(scored.count)
    }
}
