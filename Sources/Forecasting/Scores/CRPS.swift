/// The continuous ranked probability score, lower is better, in the units of the outcome.
///
/// `CRPS(F, y) = ∫ (F(x) − 1{y ≤ x})² dx = E|X − y| − ½ E|X − X′|` (Gneiting & Raftery 2007, eq. 21).
public enum CRPS {
    /// The exact CRPS of the empirical distribution of `samples` (energy form, V-statistic: each of the S samples
    /// weighs 1/S). Sorts `samples` in place.
    ///
    /// With the order statistics `x₍₁₎ ≤ … ≤ x₍S₎`:
    /// `E|X − X′| = (2/S²) Σᵢ (2i − S − 1) x₍ᵢ₎`, so the double sum costs one sort.
    /// - Complexity: O(S log S); allocates only what the standard library sort needs. Traps on empty `samples`.
    public static func fromSamples(_ samples: inout [Double], outcome y: Double) -> Double {
        precondition(!samples.isEmpty, "CRPS of an empty sample")
        samples.sort()
        let s = Double(samples.count)
        var absoluteError = 0.0
        var spread = 0.0
        for (i, x) in samples.enumerated() {
            absoluteError += abs(x - y)
            spread += (2 * Double(i + 1) - s - 1) * x
        }
        return absoluteError / s - spread / (s * s)
    }

    /// ``fromSamples(_:outcome:)`` on a copy of `samples`.
    public static func fromSamples(_ samples: [Double], outcome y: Double) -> Double {
        var scratch = samples
        return fromSamples(&scratch, outcome: y)
    }

    /// The quantile approximation of the protocol, `2 Σₖ wₖ ρ_τₖ(y − qₖ)` with the Riemann weights of `levels`
    /// (`eval/PROTOCOL.md` §4). `quantiles` is indexed like `levels.values` and should be monotone.
    /// - Complexity: O(K); allocates nothing when `weights` are passed in (see ``QuantileLevels/riemannWeights``).
    public static func fromQuantiles(
        _ quantiles: [Double], weights: [Double], levels: QuantileLevels, outcome y: Double
    )
        -> Double
    {
        precondition(quantiles.count == levels.count, "\(quantiles.count) quantiles for \(levels.count) levels")
        precondition(weights.count == levels.count, "\(weights.count) weights for \(levels.count) levels")
        var sum = 0.0
        for k in 0..<quantiles.count {
            sum += weights[k] * Pinball.loss(level: levels.values[k], quantile: quantiles[k], outcome: y)
        }
        return 2 * sum
    }

    /// ``fromQuantiles(_:weights:levels:outcome:)`` with the Riemann weights computed on the fly.
    public static func fromQuantiles(_ quantiles: [Double], levels: QuantileLevels, outcome y: Double) -> Double {
        fromQuantiles(quantiles, weights: levels.riemannWeights, levels: levels, outcome: y)
    }

    /// The closed-form CRPS of a Gaussian N(μ, σ²) forecast:
    /// `σ [z(2Φ(z) − 1) + 2φ(z) − 1/√π]`, `z = (y − μ)/σ` (Gneiting et al. 2005, eq. 5).
    public static func gaussian(mean: Double, standardDeviation sigma: Double, outcome y: Double) -> Double {
        precondition(sigma > 0, "Gaussian CRPS needs sigma > 0, got \(sigma)")
        let z = (y - mean) / sigma
        return sigma * (z * (2 * Gaussian.cdf(z) - 1) + 2 * Gaussian.density(z) - 1 / Double.pi.squareRoot())
    }
}
