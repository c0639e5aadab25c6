import Formats
import Foundation
import Sampling
import Testing

@testable import Forecasting

@Suite struct ConformalCalibratorTests {
    static let methods: [ConformalCalibrator.Method] = [
        .rollingWindow, .adaptive(gamma: 0.005), .quantileTracking(rate: 0.02),
    ]

    /// Over- (model spread σ/2) and under-confident (2σ) models both end up within ±3% of 90% coverage, measured on
    /// the intervals actually issued, for step 1 and for step 3 (feedback delayed by 3 steps), with and without the
    /// issued rows handed back.
    @Test(arguments: methods, [0.5, 2.0])
    func calibratedCoverageMatchesNominal(method: ConformalCalibrator.Method, modelScale: Double) throws {
        for (horizon, feedIssued) in [(1, true), (3, true), (3, false)] {
            var simulation = CalibrationSimulation(
                configuration: .init(method: method, window: 500), modelScale: modelScale, horizon: horizon,
                length: 6_000)
            simulation.feedIssued = feedIssued
            let (outcomes, calibrator) = try simulation.run()
            let coverage = outcomes.coverage(500..<6_000)
            #expect(abs(coverage - 0.9) <= 0.03, "\(method) scale \(modelScale) h=\(horizon): \(coverage)")
            // The oracle 90% width is 2 · 1.645 σ = 3.29.
            #expect(abs(outcomes.meanWidth(500..<6_000) / 3.29 - 1) < 0.15)
            // The calibrator's own report (step 1's) agrees with the issued intervals over its window.
            let reported = try #require(calibrator.empiricalCoverage(interval: 0.9))
            if horizon == 1 { #expect(abs(reported - outcomes.coverage((6_000 - 500)..<6_000)) <= 0.03) }
            #expect(abs(reported - 0.9) <= 0.04, "\(method) scale \(modelScale) h=\(horizon): reported \(reported)")
        }
    }

    /// σ doubles at t = 4000: a model that was right becomes over-confident. Coverage over every later block of 500
    /// outcomes is back within ±4% of nominal after a bounded delay (≤ 1000 steps: the window renews in W = 500).
    @Test(arguments: methods)
    func coverageRecoversAfterARegimeChange(method: ConformalCalibrator.Method) throws {
        let simulation = CalibrationSimulation(
            configuration: .init(method: method, window: 500), modelScale: 1, sigma: { $0 < 4_000 ? 1 : 2 },
            length: 10_000)
        let (outcomes, _) = try simulation.run()
        #expect(abs(outcomes.coverage(500..<4_000) - 0.9) <= 0.03)
        let delay = try #require(outcomes.recoveryDelay(after: 4_000, block: 500, nominal: 0.9, tolerance: 0.04))
        #expect(delay <= 1_000, "\(method) recovered after \(delay)")
    }

    /// A calibrator restored from JSON mid-stream continues exactly like the original.
    @Test(arguments: methods)
    func stateRoundTripsThroughJSONAndContinuesIdentically(method: ConformalCalibrator.Method) throws {
        let levels = QuantileLevels.protocolLevels
        let z = levels.values.map(Gaussian.quantile)
        var original = ConformalCalibrator(
            levels: levels, horizon: 2, configuration: .init(method: method, window: 50, minimumCount: 5))
        var rng = SplitMix64(seed: 9)
        let draw = { (rng: inout SplitMix64) in (z.map { $0 * 0.5 }, rng.normal()) }
        for t in 0..<120 {
            let (q, y) = draw(&rng)
            try original.update(step: t % 2 + 1, quantiles: q, outcome: y)
        }
        var restored = try JSONDecoder().decode(
            ConformalCalibrator.self, from: try JSONEncoder().encode(original))
        #expect(restored == original)
        for t in 0..<80 {
            let (q, y) = draw(&rng)
            let h = t % 2 + 1
            #expect(restored.calibrated(step: h, quantiles: q) == original.calibrated(step: h, quantiles: q))
            try original.update(step: h, quantiles: q, outcome: y)
            try restored.update(step: h, quantiles: q, outcome: y)
        }
        #expect(restored == original)
        #expect(restored.coverage == original.coverage)
    }

    /// A state saved with a coverage ring at every step (before only step 1's was kept) restores with step 1's ring
    /// and the same offsets; a later save holds one ring.
    @Test func aStateWithACoverageRingPerStepRestoresStepOnesCoverage() throws {
        let levels = QuantileLevels.protocolLevels
        let z = levels.values.map(Gaussian.quantile)
        var original = ConformalCalibrator(
            levels: levels, horizon: 3, configuration: .init(method: .adaptive(gamma: 0.01), window: 40))
        var rng = SplitMix64(seed: 4)
        for t in 0..<150 {
            try original.update(step: t % 3 + 1, quantiles: z.map { $0 * 0.7 }, outcome: rng.normal())
        }
        let encoded = try JSONEncoder().encode(original)
        var object = try #require(try JSONSerialization.jsonObject(with: encoded) as? [String: Any])
        let stepOne = try #require(object["coverage"])
        object["coverage"] = nil
        // The old layout: every step's own ring and counts; only step 1's may be read back.
        let other: [String: Any] = ["capacity": 40, "elements": [UInt16(3) | UInt16(4) << 8]]
        var steps = try #require(object["steps"] as? [[String: Any]])
        for s in steps.indices {
            steps[s]["positions"] = s == 0 ? stepOne : other
            steps[s]["atOrBelow"] = Array(repeating: 0, count: levels.count)
            steps[s]["inside"] = [0, 0, 0]
        }
        object["steps"] = steps
        let legacy = try JSONSerialization.data(withJSONObject: object)
        let restored = try JSONDecoder().decode(ConformalCalibrator.self, from: legacy)
        #expect(restored == original)
        #expect(restored.coverage.count == 40 && restored.coverageCount == 40)
        let saved = String(decoding: try JSONEncoder().encode(restored), as: UTF8.self)
        #expect(!saved.contains("positions"))
    }

    /// A step's parameters are saved packed and its score windows only when it has its own; a calibrator without
    /// windows of its own saves all steps' parameters and typical widths as two packed texts. States saved with the
    /// parameters as lists of numbers, or per step without windows, restore the same calibrator.
    @Test func stepParametersAreSavedPackedAndListsStillRead() throws {
        let levels = QuantileLevels.protocolLevels
        for pooled in [false, true] {
            var original = ConformalCalibrator(
                levels: levels, horizon: 2, configuration: .init(method: .adaptive(gamma: 0.01), window: 30),
                pooled: pooled)
            var pool: CalibrationScorePool? = pooled ? original.makePool() : nil
            var rng = SplitMix64(seed: 9)
            let z = levels.values.map { Gaussian.quantile($0) }
            for t in 0..<80 {
                try original.update(step: t % 2 + 1, quantiles: z, outcome: 1.3 * rng.normal(), pool: &pool)
            }
            let encoded = try JSONEncoder().encode(original)
            var object = try #require(try JSONSerialization.jsonObject(with: encoded) as? [String: Any])
            #expect(try JSONDecoder().decode(ConformalCalibrator.self, from: encoded) == original)
            var steps: [[String: Any]]
            if pooled {
                #expect(object["steps"] == nil)
                // The parameters as `Float` shifts from where they start, bit-exact, and the `Double` parameters
                // saved before stop 33 restore the same calibrator.
                let shifts = try #require(object["shifts"] as? String)
                let widths = try #require(object["typicalWidths"] as? String)
                #expect(ScalarPacking.unpack(shifts, as: Float.self) == original.shifts)
                #expect(ScalarPacking.unpack(widths, as: Double.self) == original.steps.map(\.typicalWidth))
                var doubles = object
                doubles["shifts"] = nil
                doubles["parameters"] = ScalarPacking.pack(original.parameters)
                let saved = try JSONSerialization.data(withJSONObject: doubles)
                #expect(try JSONDecoder().decode(ConformalCalibrator.self, from: saved) == original)
                // The per-step form saved before, with empty windows.
                steps = (0..<2).map {
                    [
                        "parameter": ScalarPacking.pack(original.parameters(step: $0)), "scores": [Any](),
                        "typicalWidth": original.steps[$0].typicalWidth,
                    ]
                }
                object["shifts"] = nil
                object["typicalWidths"] = nil
            } else {
                steps = try #require(object["steps"] as? [[String: Any]])
                #expect(steps.allSatisfy { $0["parameter"] is String && $0["scores"] != nil })
            }
            for s in steps.indices {
                let text = try #require(steps[s]["parameter"] as? String)
                let parameter = try #require(ScalarPacking.unpack(text, as: Double.self))
                #expect(parameter == original.parameters(step: s))
                steps[s]["parameter"] = parameter
            }
            object["steps"] = steps
            let legacy = try JSONSerialization.data(withJSONObject: object)
            #expect(try JSONDecoder().decode(ConformalCalibrator.self, from: legacy) == original)
        }
    }

    /// Packed parameters that do not fill K levels at every step of the packed widths are a damaged state.
    @Test func packedParametersOfTheWrongCountAreRefused() throws {
        let original = ConformalCalibrator(
            levels: QuantileLevels.protocolLevels, horizon: 2, configuration: .init(method: .adaptive(gamma: 0.01)),
            pooled: true)
        var object = try #require(
            try JSONSerialization.jsonObject(with: JSONEncoder().encode(original)) as? [String: Any])
        object["typicalWidths"] = ScalarPacking.pack([1.0, 2.0, 3.0])
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(ConformalCalibrator.self, from: JSONSerialization.data(withJSONObject: object))
        }
    }

    /// The reported per-level and interval coverage after every update equals the batch count over the last W
    /// outcomes of the quantiles the calibrator would have issued just before each of them (exact: counts).
    @Test(arguments: methods)
    func reportedCoverageEqualsBatchOverTheWindow(method: ConformalCalibrator.Method) throws {
        let levels = QuantileLevels.protocolLevels
        let z = levels.values.map(Gaussian.quantile)
        let window = 40
        var calibrator = ConformalCalibrator(
            levels: levels, horizon: 1, configuration: .init(method: method, window: window, minimumCount: 10))
        var rng = SplitMix64(seed: 21)
        var history: [(q: [Double], y: Double)] = []
        for _ in 0..<150 {
            let model = z.map { $0 * 0.7 + 0.2 }
            // Constant outcomes now and then exercise ties with the quantiles.
            let y = rng.uniform() < 0.1 ? model[3] : rng.normal()
            history.append((calibrator.calibrated(step: 1, quantiles: model), y))
            try calibrator.update(step: 1, quantiles: model, outcome: y)
            let tail = history.suffix(window)
            let report = calibrator.coverage
            #expect(report.count == tail.count)
            let batchBelow = levels.values.indices.map { k in
                Double(tail.filter { $0.y <= $0.q[k] }.count) / Double(tail.count)
            }
            let batchInside = calibrator.intervals.map { i in
                Double(tail.filter { $0.y >= $0.q[i.lower] && $0.y <= $0.q[i.upper] }.count) / Double(tail.count)
            }
            #expect(maxAbsDiff(report.atOrBelow, batchBelow) < 1e-12)
            #expect(maxAbsDiff(report.inside, batchInside) < 1e-12)
        }
    }

    /// A point mass at the published quantile (a count that is 0 at night, its lower quantiles raised to 0) leaves
    /// those levels' offsets where they were: counted as hits, they ran away downwards at every zero.
    @Test(arguments: [ConformalCalibrator.Method.adaptive(gamma: 0.02), .quantileTracking(rate: 0.02)])
    func anOutcomeOnTheIssuedQuantileDoesNotMoveItsOffset(method: ConformalCalibrator.Method) throws {
        let levels = try QuantileLevels([0.05, 0.25, 0.5, 0.75, 0.95])
        var calibrator = ConformalCalibrator(
            levels: levels, horizon: 1, configuration: .init(method: method, window: 200, minimumCount: 1))
        let model = [-2.0, -1, 0.5, 1, 2]
        for _ in 0..<500 {
            var issued = model
            calibrator.calibrate(step: 1, quantiles: &issued, rearrange: false)
            issued = issued.map { max($0, 0) }
            try calibrator.update(step: 1, quantiles: model, issued: issued, outcome: 0)
        }
        // Levels 0.05 and 0.25 sat on the outcome every time: their τ̃ (ACI) or offset (tracking) is unchanged. The
        // top level was above it at first: moved down.
        let initial = ConformalCalibrator(levels: levels, horizon: 1, configuration: calibrator.configuration)
        let parameter = calibrator.parameters(step: 0), start = initial.parameters(step: 0)
        #expect(parameter[0] == start[0] && parameter[1] == start[1], "\(parameter)")
        #expect(parameter[4] < start[4])
    }

    /// Bursts six times wider than the model believes, 24 steps ahead, with a window of 100: the new scores lie past
    /// every score in the window, so ACI's level runs past 1. Its identity (mean of τ − hit = (τ̃_T − τ̃_0)/(γT)) still
    /// holds for the outer levels, within that bound; with τ̃ held in [0, 1] the misses of each burst were lost and
    /// 5 % of outcomes, not 2.5 %, ended above the 97.5 % quantile (and 4.7 % below the 2.5 % one).
    @Test func aciKeepsItsLongRunMissRateThroughBurstsPastTheWindow() throws {
        let length = 12_000
        let gamma = 0.02
        let simulation = CalibrationSimulation(
            configuration: .init(method: .adaptive(gamma: gamma), window: 100), modelScale: 1,
            sigma: { $0 % 400 < 340 ? 1 : 6 }, horizon: 24, length: length)
        let (outcomes, calibrator) = try simulation.run()
        let scored = outcomes.compactMap { $0 }
        let levels = QuantileLevels.protocolLevels.values
        let range = ConformalCalibrator.adaptiveLevelRange
        let bound = (range.upperBound - range.lowerBound) / (gamma * Double(scored.count)) + 0.005
        for k in [0, 1, levels.count - 2, levels.count - 1] {
            let below = Double(scored.count { $0.atOrBelow[k] }) / Double(scored.count)
            #expect(abs(below - levels[k]) <= bound, "level \(levels[k]): \(below) at or below (bound \(bound))")
        }
        #expect(calibrator.parameters(step: 23).allSatisfy { ConformalCalibrator.adaptiveLevelRange.contains($0) })
    }

    @Test func calibratedQuantilesAreMonotoneAndColdCalibratorPassesThrough() throws {
        let levels = QuantileLevels.protocolLevels
        let model = levels.values.map { Gaussian.quantile($0) }
        var calibrator = ConformalCalibrator(levels: levels, horizon: 1, configuration: .init(method: .rollingWindow))
        #expect(calibrator.calibrated(step: 1, quantiles: model) == model)
        var rng = SplitMix64(seed: 4)
        for _ in 0..<200 {
            // Heavy, skewed outcomes make per-level offsets disagree.
            let y = rng.uniform() < 0.5 ? rng.normal() * 5 : abs(rng.normal()) * 0.1
            try calibrator.update(step: 1, quantiles: model, outcome: y)
            let q = calibrator.calibrated(step: 1, quantiles: model)
            #expect(zip(q, q.dropFirst()).allSatisfy { $0 <= $1 })
        }
        #expect(calibrator.calibrated(step: 1, quantiles: model) != model)
    }

    @Test func badInputIsRejectedAndLeavesTheStateUnchanged() throws {
        let levels = QuantileLevels.protocolLevels
        let model = levels.values.map { Gaussian.quantile($0) }
        var calibrator = ConformalCalibrator(levels: levels, horizon: 2)
        let before = calibrator
        #expect(throws: ForecastInputError.nonFiniteOutcome) {
            try calibrator.update(step: 1, quantiles: model, outcome: .nan)
        }
        #expect(throws: ForecastInputError.stepOutOfRange(step: 3, horizon: 2)) {
            try calibrator.update(step: 3, quantiles: model, outcome: 0)
        }
        #expect(throws: ForecastInputError.wrongQuantileCount(expected: 13, got: 2)) {
            try calibrator.update(step: 1, quantiles: [0, 1], outcome: 0)
        }
        var bad = model
        bad[4] = .infinity
        #expect(throws: ForecastInputError.nonFiniteQuantile(index: 4)) {
            try calibrator.update(step: 1, quantiles: bad, outcome: 0)
        }
        #expect(calibrator == before)
    }

    /// The sorted window equals the sorted tail after every append (River's rolling-statistic check).
    @Test func rollingWindowQuantileMatchesTheBatchWindow() throws {
        var window = RollingWindowQuantile(capacity: 25)
        var rng = SplitMix64(seed: 8)
        var all: [Float] = []
        for _ in 0..<300 {
            let x = Float((rng.normal() * 3).rounded())
            all.append(x)
            window.append(x)
            let tail = Array(all.suffix(25))
            #expect(window.sorted == tail.sorted())
            #expect(Array(window.values) == tail)
            let n = tail.count
            let r = Int((0.9 * Double(n + 1)).rounded(.up))
            #expect(window.conformalQuantile(level: 0.9) == Double(tail.sorted()[min(r, n) - 1]))
        }
        let decoded = try JSONDecoder().decode(RollingWindowQuantile.self, from: try JSONEncoder().encode(window))
        #expect(decoded == window && decoded.sorted == window.sorted)
    }
}

@Suite struct ConformalCalibratorWidthFloorTests {
    /// Every 20th forecast has collapsed to a point (width 0), as a residual-based model does on a constant stretch.
    /// With the typical-width floor the correction of normal forecasts stays of the order of their width; without
    /// it the window methods store scores of ±10³⁰ and blow the intervals up.
    @Test(arguments: [ConformalCalibrator.Method.rollingWindow, .adaptive(gamma: 0.005)])
    func collapsedForecastsDoNotBlowUpTheCorrection(method: ConformalCalibrator.Method) throws {
        let levels = QuantileLevels.protocolLevels
        let normal = levels.values.map(Gaussian.quantile)
        let collapsed = Array(repeating: 0.0, count: levels.count)
        var widths: [Double: Double] = [:]
        for floor in [0.0, 0.5] {
            var calibrator = ConformalCalibrator(
                levels: levels, horizon: 1, configuration: .init(method: method, window: 200, typicalWidthFloor: floor))
            var rng = SplitMix64(seed: 17)
            for t in 0..<2_000 {
                try calibrator.update(step: 1, quantiles: t % 20 == 0 ? collapsed : normal, outcome: rng.normal())
            }
            let q = calibrator.calibrated(step: 1, quantiles: normal)
            widths[floor] = q[levels.count - 1] - q[0]
        }
        // The calibrated 95% width of a normal N(0,1) forecast should stay near 2·1.96.
        #expect(widths[0.5]! < 8, "\(method) with floor: \(widths[0.5]!)")
        #expect(widths[0.0]! > 1e6, "\(method) without floor: \(widths[0.0]!)")
    }

    /// The per-step parameters are allocated for H·K values, new and restored: joining the per-step rows grew the
    /// array by doubling, 127 places for 84 at H 12, K 7 (344 bytes a stream never used).
    @Test(arguments: ConformalCalibratorTests.methods)
    func parametersAreAllocatedForWhatTheyHold(method: ConformalCalibrator.Method) throws {
        let levels = try QuantileLevels([0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95])
        let fresh = ConformalCalibrator(
            levels: levels, horizon: 12, configuration: .init(method: method, window: 300), pooled: true)
        let restored = try JSONDecoder().decode(ConformalCalibrator.self, from: try JSONEncoder().encode(fresh))
        for calibrator in [fresh, restored] {
            #expect(calibrator.parameters.count == 84)
            // malloc may round the block up by a few places, never by half.
            #expect(calibrator.parameters.capacity <= 84 + 4, "capacity \(calibrator.parameters.capacity)")
        }
    }
}
