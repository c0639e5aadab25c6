import Foundation
import Sampling
import Testing

@testable import Forecasting

@Suite struct ScoresTests {
    /// The sample CRPS of many draws from N(μ, σ²) tends to the closed form; the tolerance is a few Monte Carlo
    /// standard errors of the two terms for 20 000 draws.
    @Test(arguments: [(0.0, 1.0, 0.3), (2.0, 0.5, 3.1), (-1.0, 3.0, -1.0)])
    func sampleCRPSMatchesGaussianClosedForm(mean: Double, sd: Double, y: Double) {
        var rng = SplitMix64(seed: 7)
        let samples = (0..<20_000).map { _ in rng.normal(mean: mean, sd: sd) }
        let exact = CRPS.gaussian(mean: mean, standardDeviation: sd, outcome: y)
        #expect(abs(CRPS.fromSamples(samples, outcome: y) - exact) < 0.02 * sd, "exact \(exact)")
    }

    @Test func sampleCRPSEqualsTheDoubleSumDefinition() {
        var rng = SplitMix64(seed: 11)
        let samples = (0..<50).map { _ in rng.normal() }
        let y = 0.4
        let s = Double(samples.count)
        let first = samples.reduce(0) { $0 + abs($1 - y) } / s
        var pairs = 0.0
        for a in samples { for b in samples { pairs += abs(a - b) } }
        let reference = first - pairs / (2 * s * s)
        #expect(abs(CRPS.fromSamples(samples, outcome: y) - reference) < 1e-12)
        #expect(CRPS.fromSamples([2.5], outcome: 1) == 1.5)
    }

    /// `python evaluate.py selftest`: calibrated N(0,1) quantiles give 0.563 against the exact 0.565 (ratio 0.997),
    /// from 200 000 draws; here the same expectation over y ~ N(0,1) by quadrature (0.5623 / 0.5642 = 0.9966), so
    /// the tolerance covers the self-test's Monte Carlo noise and rounding.
    @Test func quantileCRPSReproducesTheProtocolSelfTest() {
        let levels = QuantileLevels.protocolLevels
        let q = levels.values.map(Gaussian.quantile)
        var approx = 0.0
        var exact = 0.0
        let step = 0.001
        for y in stride(from: -9.0, through: 9.0, by: step) {
            let w = Gaussian.density(y) * step
            approx += w * CRPS.fromQuantiles(q, levels: levels, outcome: y)
            exact += w * CRPS.gaussian(mean: 0, standardDeviation: 1, outcome: y)
        }
        #expect(abs(exact - 1 / Double.pi.squareRoot()) < 1e-6)
        #expect(abs(approx - 0.563) < 0.001, "approx \(approx)")
        #expect(abs(approx / exact - 0.997) < 0.001)
    }

    @Test func pinballLossIsAsymmetric() {
        #expect(Pinball.loss(level: 0.9, quantile: 1, outcome: 3) == 0.9 * 2)
        #expect(abs(Pinball.loss(level: 0.9, quantile: 1, outcome: 0) - 0.1) < 1e-15)
        #expect(Pinball.loss(level: 0.5, quantile: 1, outcome: 1) == 0)
    }

    @Test func intervalsIncludeTheirEnds() {
        #expect(Coverage.contains(lower: 1, upper: 2, outcome: 1))
        #expect(Coverage.contains(lower: 1, upper: 2, outcome: 2))
        #expect(!Coverage.contains(lower: 1, upper: 2, outcome: 2.0000001))
        #expect(!Coverage.contains(lower: 1, upper: 2, outcome: .nan))
    }

    @Test func pitInterpolatesAndHandlesTailsAndAtoms() throws {
        let levels = try QuantileLevels([0.1, 0.5, 0.9])
        #expect(abs(PIT.fromQuantiles([0, 1, 2], levels: levels, outcome: 0.5) - 0.3) < 1e-15)
        #expect(PIT.fromQuantiles([0, 1, 2], levels: levels, outcome: 1) == 0.5)
        #expect(PIT.fromQuantiles([0, 1, 2], levels: levels, outcome: -5) == 0.05)
        #expect(PIT.fromQuantiles([0, 1, 2], levels: levels, outcome: 5) == 0.95)
        #expect(PIT.fromQuantiles([1, 1, 2], levels: levels, outcome: 1) == 0.3)
        #expect(PIT.fromQuantiles([1, 1, 1], levels: levels, outcome: 1) == 0.5)
    }

    /// PIT values of a calibrated Gaussian forecaster are close to uniform.
    @Test func pitOfCalibratedForecasterIsUniform() {
        let levels = QuantileLevels.protocolLevels
        let q = levels.values.map(Gaussian.quantile)
        var rng = SplitMix64(seed: 3)
        var bins = [Int](repeating: 0, count: 10)
        let n = 20_000
        for _ in 0..<n {
            let u = PIT.fromQuantiles(q, levels: levels, outcome: rng.normal())
            bins[min(9, Int(u * 10))] += 1
        }
        // Expected 2000 per bin, binomial sd ≈ 42; linear interpolation of Φ between levels moves mass by < 1%.
        #expect(bins.allSatisfy { abs($0 - n / 10) < 250 }, "\(bins)")
    }

    @Test func horizonScoresMatchBatchAndMerge() throws {
        let levels = QuantileLevels.protocolLevels
        var rng = SplitMix64(seed: 5)
        var left = HorizonScores(levels: levels, horizon: 3)
        var right = HorizonScores(levels: levels, horizon: 3)
        var all = HorizonScores(levels: levels, horizon: 3)
        var batch: [[(q: [Double], y: Double)]] = Array(repeating: [], count: 3)
        for i in 0..<300 {
            let h = i % 3 + 1
            let sd = Double(h)
            let q = levels.values.map { Gaussian.quantile($0) * sd }
            let y = rng.normal(mean: 0.2, sd: 1.5)
            batch[h - 1].append((q, y))
            all.score(step: h, quantiles: q, outcome: y)
            if i < 150 {
                left.score(step: h, quantiles: q, outcome: y)
            } else {
                right.score(step: h, quantiles: q, outcome: y)
            }
        }
        left.merge(right)
        for h in 0..<3 {
            #expect(left.steps[h].count == all.steps[h].count && left.steps[h].hits == all.steps[h].hits)
            #expect(abs(left.steps[h].crps - all.steps[h].crps) < 1e-9)
            #expect(abs(left.steps[h].absoluteError - all.steps[h].absoluteError) < 1e-9)
        }
        let i90 = try #require(levels.centralInterval(0.9))
        for h in 1...3 {
            let rows = batch[h - 1]
            let step = all.steps[h - 1]
            let mae = rows.reduce(0) { $0 + abs($1.y - $1.q[6]) } / Double(rows.count)
            let crps =
                rows.reduce(0) { $0 + CRPS.fromQuantiles($1.q, levels: levels, outcome: $1.y) } / Double(rows.count)
            let cov =
                Double(rows.filter { $0.y >= $0.q[i90.lower] && $0.y <= $0.q[i90.upper] }.count) / Double(rows.count)
            #expect(step.count == 100)
            #expect(abs(step.meanAbsoluteError - mae) < 1e-12)
            #expect(abs(step.meanCRPS - crps) < 1e-12)
            #expect(step.coverage(1) == cov)
        }
        let data = try JSONEncoder().encode(all)
        #expect(try JSONDecoder().decode(HorizonScores.self, from: data) == all)
    }
}
