import Foundation
import Sampling

@testable import Forecasting

/// A synthetic stream scored the way the engine does it: at every t the model forecasts steps 1…H, the calibrator
/// adjusts them with its state at t, the issued intervals wait H steps for their outcome, and only then does the
/// calibrator learn `(h, model quantiles, outcome)`.
///
/// Truth: `y_t = μ_t + σ_t ε_t`, `μ_t = 3 sin(2πt/50)`, `ε ~ N(0,1)`; the model knows μ but believes the spread is
/// `modelScale · σ₀` with σ₀ = 1, so `modelScale = 0.5` is over-confident (intervals half as wide as they should be).
struct CalibrationSimulation {
    var configuration: ConformalCalibrator.Configuration
    var modelScale: Double
    /// σ_t as a function of t.
    var sigma: (Int) -> Double = { _ in 1 }
    /// Draws ε; standard normal by default (a heavier-tailed law tests the per-level offsets).
    var noise: @Sendable (inout SplitMix64) -> Double = { $0.normal() }
    var horizon = 1
    /// Hand the issued rows back to the calibrator (the recommended path) instead of letting it re-evaluate hits.
    var feedIssued = true
    var length = 12_000
    var seed: UInt64 = 42

    /// Per outcome time t (index into the stream), whether the issued 90% interval of step `horizon` covered y_t, and
    /// its width.
    struct Outcome {
        var hit: Bool
        var width: Double
        var atOrBelow: [Bool]
    }

    func run() throws -> (outcomes: [Outcome?], calibrator: ConformalCalibrator) {
        let levels = QuantileLevels.protocolLevels
        let z = levels.values.map(Gaussian.quantile)
        let i90 = levels.centralInterval(0.9)!
        var calibrator = ConformalCalibrator(levels: levels, horizon: horizon, configuration: configuration)
        var rng = SplitMix64(seed: seed)
        let mu = { (t: Int) in 3 * sin(2 * Double.pi * Double(t) / 50) }
        let model = { (t: Int) in z.map { mu(t) + modelScale * $0 } }
        // issued[t] holds, per step h, the calibrated quantiles issued at t − h for time t, before rearrangement.
        var issued: [Int: [Int: [Double]]] = [:]
        var outcomes: [Outcome?] = Array(repeating: nil, count: length)
        for t in 0..<length {
            let y = mu(t) + sigma(t) * noise(&rng)
            for (h, raw) in issued.removeValue(forKey: t) ?? [:] {
                try calibrator.update(step: h, quantiles: model(t), issued: feedIssued ? raw : nil, outcome: y)
                let q = raw.sorted()
                if h == horizon {
                    outcomes[t] = Outcome(
                        hit: y >= q[i90.lower] && y <= q[i90.upper], width: q[i90.upper] - q[i90.lower],
                        atOrBelow: q.map { y <= $0 })
                }
            }
            for h in 1...horizon {
                var row = model(t + h)
                calibrator.calibrate(step: h, quantiles: &row, rearrange: false)
                issued[t + h, default: [:]][h] = row
            }
        }
        return (outcomes, calibrator)
    }
}

extension Array where Element == CalibrationSimulation.Outcome? {
    /// Fraction of covered outcomes in `range` (outcomes not yet scored are skipped).
    func coverage(_ range: Range<Int>) -> Double {
        let scored = self[range].compactMap { $0 }
        return Double(scored.filter(\.hit).count) / Double(scored.count)
    }

    /// Mean 90% width in `range`.
    func meanWidth(_ range: Range<Int>) -> Double {
        let scored = self[range].compactMap { $0 }
        return scored.reduce(0) { $0 + $1.width } / Double(scored.count)
    }

    /// Mean over levels of |empirical P(y ≤ q′) − τ| in `range` (the ECE of the BARNN paper).
    func calibrationError(_ range: Range<Int>, levels: QuantileLevels) -> Double {
        let scored = self[range].compactMap { $0 }
        var total = 0.0
        for (k, tau) in levels.values.enumerated() {
            total += abs(Double(scored.filter { $0.atOrBelow[k] }.count) / Double(scored.count) - tau)
        }
        return total / Double(levels.count)
    }

    /// The steps after `start` until the coverage of the following `span` outcomes first reaches `threshold`
    /// (searched in strides of 10).
    func stepsUntilCoverage(after start: Int, span: Int, threshold: Double) -> Int? {
        var s = start
        while s + span <= count {
            if coverage(s..<(s + span)) >= threshold { return s - start }
            s += 10
        }
        return nil
    }

    /// The first block start s (in steps of `block` after `start`) from which every later block of `block` outcomes
    /// has coverage within `tolerance` of `nominal`.
    func recoveryDelay(after start: Int, block: Int, nominal: Double, tolerance: Double) -> Int? {
        var recoveredAt: Int?
        var s = start
        while s + block <= count {
            if abs(coverage(s..<(s + block)) - nominal) <= tolerance {
                if recoveredAt == nil { recoveredAt = s - start }
            } else {
                recoveredAt = nil
            }
            s += block
        }
        return recoveredAt
    }
}
