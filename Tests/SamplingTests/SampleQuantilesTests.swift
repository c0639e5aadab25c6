import Sampling
import Testing

@Suite struct SampleQuantilesTests {
    @Test func type7MatchesTheClosedFormOnSmallSamples() {
        let five: [Double] = [1, 2, 3, 4, 5]
        // h = 4τ: whole positions are order statistics, the rest interpolate.
        for (level, expected) in [(0.0, 1.0), (0.25, 2), (0.5, 3), (0.1, 1.4), (0.6, 3.4), (0.95, 4.8), (1, 5)] {
            #expect(abs(SampleQuantiles.type7(sorted: five, level: level) - expected) < 1e-12, "τ=\(level)")
        }
        #expect(SampleQuantiles.type7(sorted: [10.0, 20], level: 0.3) == 13)
        #expect(SampleQuantiles.type7(sorted: [7.0], level: 0.9) == 7)
        let floats: [Float] = [1, 2, 3, 4, 5]
        #expect(abs(SampleQuantiles.type7(sorted: floats, level: 0.1) - 1.4) < 1e-6)
        #expect(SampleQuantiles.type7(sorted: floats, level: 0.5) == 3)
    }

    @Test func levelsOutsideTheUnitIntervalAreClamped() {
        let values: [Double] = [1, 2, 3]
        #expect(SampleQuantiles.type7(sorted: values, level: -0.5) == 1)
        #expect(SampleQuantiles.type7(sorted: values, level: 1.5) == 3)
    }

    /// A whole position returns its order statistic as it is: an infinite neighbour does not make it NaN, and −0
    /// keeps its sign.
    @Test func wholePositionsReturnTheOrderStatistic() {
        let withInfinity: [Float] = [1, 2, .infinity]
        #expect(SampleQuantiles.type7(sorted: withInfinity, level: 0.5) == 2)
        #expect(SampleQuantiles.type7(sorted: withInfinity, level: 0.75) == .infinity)
        let signedZero: [Double] = [-1, -0.0, 1]
        #expect(SampleQuantiles.type7(sorted: signedZero, level: 0.5).sign == .minus)
    }

    /// The two implementations this one replaced, verbatim: BARNN's on `Float` (always interpolating) and
    /// Forecasting's on `Double` (the order statistic when the position is whole). They may differ from this one
    /// only at a whole position next to −0 or a non-finite value, which random finite samples never produce.
    static func replacedFloat(_ values: UnsafePointer<Float>, count: Int, level: Float) -> Float {
        let position = Float(count - 1) * min(max(level, 0), 1)
        let lo = Int(position.rounded(.down))
        let hi = min(lo + 1, count - 1)
        let w = position - Float(lo)
        return values[lo] + w * (values[hi] - values[lo])
    }

    static func replacedDouble(_ x: [Double], level: Double) -> Double {
        let h = Double(x.count - 1) * level
        let lo = min(Int(h), x.count - 1)
        let fraction = h - Double(lo)
        return fraction > 0 && lo + 1 < x.count ? x[lo] + fraction * (x[lo + 1] - x[lo]) : x[lo]
    }

    @Test(arguments: [1, 2, 3, 5, 32, 64, 65, 200, 256])
    func bitIdenticalToTheReplacedImplementations(count: Int) {
        var generator = SplitMix64(seed: UInt64(count))
        // Whole positions, the protocol's levels and random ones.
        var levels = (0...count).map { Double($0) / Double(max(count - 1, 1)) }.filter { $0 <= 1 }
        levels += [0.025, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.975]
        levels += (0..<200).map { _ in Double.random(in: 0...1, using: &generator) }
        for _ in 0..<20 {
            // Coarse values give ties, which put equal neighbours around the interpolation.
            let doubles = (0..<count).map { _ in (Double.random(in: -50...50, using: &generator) * 4).rounded() / 4 }
                .sorted()
            let floats = (0..<count).map { _ in Float.random(in: -1e4...1e4, using: &generator) }.sorted()
            for level in levels {
                let double = SampleQuantiles.type7(sorted: doubles, level: level)
                #expect(double.bitPattern == Self.replacedDouble(doubles, level: level).bitPattern)
                let (shared, replaced) = floats.withUnsafeBufferPointer { buffer in
                    let level = Float(level)
                    return (
                        SampleQuantiles.type7(sorted: buffer, level: level),
                        Self.replacedFloat(buffer.baseAddress!, count: count, level: level)
                    )
                }
                #expect(shared.bitPattern == replaced.bitPattern, "n=\(count) τ=\(level)")
            }
        }
    }

    /// The selection path of Forecasting's estimator composes position and interpolation itself.
    @Test func positionAndInterpolationComposeToType7() {
        let values: [Double] = [-3, -1, 0.5, 2, 8, 13]
        for level in stride(from: 0.0, through: 1, by: 0.01) {
            let (lower, fraction) = SampleQuantiles.type7Position(count: values.count, level: level)
            let upper = fraction > 0 ? lower + 1 : lower
            let composed = SampleQuantiles.type7Interpolate(
                lower: values[lower], upper: values[upper], fraction: fraction)
            #expect(composed == SampleQuantiles.type7(sorted: values, level: level))
        }
    }
}
