import Foundation
import Sampling

/// The continuous draws the statistics tests need, on the seeded generator so every test draw is repeatable.
extension SplitMix64 {
    /// A uniform draw in (0, 1), never exactly 0 so `log` stays finite.
    mutating func uniform() -> Double {
        (Double(next() >> 11) + 0.5) / 9_007_199_254_740_992.0
    }

    /// A standard normal draw (Box–Muller; the second value of each pair is dropped to keep the state simple).
    mutating func normal() -> Double {
        let u1 = uniform()
        let u2 = uniform()
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }

    /// A N(mean, sd²) draw.
    mutating func normal(mean: Double, sd: Double) -> Double { mean + sd * normal() }
}

/// Fails with the largest difference when two arrays differ by more than `tolerance` anywhere.
func maxAbsDiff(_ a: [Double], _ b: [Double]) -> Double {
    precondition(a.count == b.count, "compared arrays of \(a.count) and \(b.count) elements")
    return zip(a, b).reduce(0) { max($0, abs($1.0 - $1.1)) }
}
