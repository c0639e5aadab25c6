import Foundation

/// SplitMix64 (Steele, Lea & Flood 2014): a small, fast, seedable generator so every test draw is repeatable.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

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
