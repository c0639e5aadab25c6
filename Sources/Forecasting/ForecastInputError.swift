/// Why a (forecast, outcome) pair handed to a calibrator or drift monitor was refused; the state is left unchanged.
///
/// The daemon turns these into reject rows and carries on (bad data is never a crash).
public enum ForecastInputError: Error, Sendable, Hashable {
    /// The outcome is NaN or infinite.
    case nonFiniteOutcome
    /// The outcome's time is NaN or infinite.
    case nonFiniteTime
    /// The quantile at this index is NaN or infinite.
    case nonFiniteQuantile(index: Int)
    /// The forecast has the wrong number of quantiles.
    case wrongQuantileCount(expected: Int, got: Int)
    /// The horizon step is outside `1...horizon`.
    case stepOutOfRange(step: Int, horizon: Int)

    /// Checks one forecast row and outcome.
    static func check(_ quantiles: [Double], count: Int, outcome y: Double) throws(ForecastInputError) {
        guard y.isFinite else { throw .nonFiniteOutcome }
        guard quantiles.count == count else { throw .wrongQuantileCount(expected: count, got: quantiles.count) }
        for (k, q) in quantiles.enumerated() where !q.isFinite { throw .nonFiniteQuantile(index: k) }
    }
}
