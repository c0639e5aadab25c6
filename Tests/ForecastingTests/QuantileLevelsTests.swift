import Foundation
import Sampling
import Testing

@testable import Forecasting

@Suite struct QuantileLevelsTests {
    @Test func protocolLevelsHaveThePublishedRiemannWeights() {
        let weights = QuantileLevels.protocolLevels.riemannWeights
        let expected = [0.0375, 0.0375, 0.075] + Array(repeating: 0.1, count: 7) + [0.075, 0.0375, 0.0375]
        #expect(maxAbsDiff(weights, expected) < 1e-12)
        #expect(abs(weights.reduce(0, +) - 1) < 1e-12)
    }

    @Test func generalWeightsFollowTheMidpointRule() throws {
        let levels = try QuantileLevels([0.9, 0.1, 0.5])
        #expect(levels.values == [0.1, 0.5, 0.9])
        #expect(maxAbsDiff(levels.riemannWeights, [0.3, 0.4, 0.3]) < 1e-12)
    }

    @Test func invalidLevelsAreRejectedWithAReason() {
        #expect(throws: QuantileLevelsError.empty) { try QuantileLevels([]) }
        #expect(throws: QuantileLevelsError.outOfRange(1)) { try QuantileLevels([0.5, 1]) }
        #expect(throws: QuantileLevelsError.outOfRange(0)) { try QuantileLevels([0, 0.5]) }
        #expect(throws: QuantileLevelsError.duplicate(0.5)) { try QuantileLevels([0.5, 0.2, 0.5]) }
        #expect(throws: (any Error).self) { try QuantileLevels([Double.nan]) }
    }

    @Test func centralIntervalsMapToTheProtocolEnds() throws {
        let levels = QuantileLevels.protocolLevels
        let i80 = try #require(levels.centralInterval(0.8))
        let i90 = try #require(levels.centralInterval(0.9))
        let i95 = try #require(levels.centralInterval(0.95))
        #expect(levels.values[i80.lower] == 0.1 && levels.values[i80.upper] == 0.9)
        #expect(levels.values[i90.lower] == 0.05 && levels.values[i90.upper] == 0.95)
        #expect(levels.values[i95.lower] == 0.025 && levels.values[i95.upper] == 0.975)
        #expect(levels.centralInterval(0.5) == nil)
        #expect(levels.medianIndex == 6)
        #expect(levels.centralIntervals.map(\.coverage).count == 6)
    }

    @Test func levelsRoundTripThroughJSONAndRejectBadInput() throws {
        let data = try JSONEncoder().encode(QuantileLevels.protocolLevels)
        #expect(try JSONDecoder().decode(QuantileLevels.self, from: data) == .protocolLevels)
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(QuantileLevels.self, from: Data("[0.5,2]".utf8))
        }
    }

    /// Selection (few levels) and sorting (many levels) both equal the type-7 quantile of the sorted sample.
    @Test(arguments: [1, 2, 3, 7, 64, 257, 1000])
    func estimatesEqualType7OnTheSortedSample(n: Int) throws {
        var rng = SplitMix64(seed: UInt64(n))
        // Ties and repeated values are the hard case for selection.
        let samples = (0..<n).map { _ in (rng.normal() * 4).rounded() / 4 }
        let sorted = samples.sorted()
        for levels in [try QuantileLevels([0.5]), try QuantileLevels([0.05, 0.5, 0.95]), .protocolLevels] {
            let estimated = levels.estimate(from: samples)
            let reference = levels.values.map { tau -> Double in
                let h = Double(n - 1) * tau
                let lo = Int(h.rounded(.down))
                let hi = min(lo + 1, n - 1)
                return sorted[lo] + (h - Double(lo)) * (sorted[hi] - sorted[lo])
            }
            #expect(maxAbsDiff(estimated, reference) < 1e-12, "n=\(n) levels=\(levels.values)")
        }
    }

    @Test func rearrangementSortsOnlyCrossedQuantiles() {
        var monotone = [1.0, 2, 2, 3]
        #expect(!QuantileLevels.rearrange(&monotone))
        var crossed = [1.0, 3, 2, 4]
        #expect(QuantileLevels.rearrange(&crossed))
        #expect(crossed == [1, 2, 3, 4])
    }

    @Test func gaussianQuantileInvertsTheCDF() {
        for p in [1e-10, 0.001, 0.025, 0.3, 0.5, 0.8, 0.975, 0.999999] {
            #expect(abs(Gaussian.cdf(Gaussian.quantile(p)) - p) < 1e-12 * max(1, p / (1 - p)), "p=\(p)")
        }
        #expect(abs(Gaussian.quantile(0.975) - 1.959963984540054) < 1e-12)
    }
}
