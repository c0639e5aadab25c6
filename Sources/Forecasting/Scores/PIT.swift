/// The probability integral transform `F(y)` of an outcome under a forecast given by quantiles.
///
/// A calibrated forecaster gives PIT values uniform on (0, 1); a U shape means intervals too narrow, a hump too wide.
public enum PIT {
    /// `F(y)` interpolated linearly between the points `(qₖ, τₖ)`.
    ///
    /// Beyond the outer quantiles the tail mass is unknown, so an outcome below `q₀` gets `τ₀/2` and one above
    /// `q_K` gets `(1 + τ_K)/2` (the middle of each tail). When `y` equals several quantiles (a flat stretch: the
    /// forecast has an atom at `y`), the value is the middle of that atom's levels. `quantiles` must be monotone.
    /// - Complexity: O(K); allocates nothing.
    public static func fromQuantiles(_ quantiles: [Double], levels: QuantileLevels, outcome y: Double) -> Double {
        let tau = levels.values
        precondition(quantiles.count == tau.count, "\(quantiles.count) quantiles for \(tau.count) levels")
        let last = tau.count - 1
        if y < quantiles[0] { return tau[0] / 2 }
        if y > quantiles[last] { return (1 + tau[last]) / 2 }
        var first = 0
        while first <= last, quantiles[first] < y { first += 1 }
        // quantiles[first - 1] < y <= quantiles[first]
        if quantiles[first] == y {
            var end = first
            while end < last, quantiles[end + 1] == y { end += 1 }
            return (tau[first] + tau[end]) / 2
        }
        let (q0, q1) = (quantiles[first - 1], quantiles[first])
        return tau[first - 1] + (tau[first] - tau[first - 1]) * (y - q0) / (q1 - q0)
    }
}
