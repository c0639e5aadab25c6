import Foundation
import Sampling
import Testing

@testable import Forecasting

@Suite struct CalibrationScorePoolTests {
    static let levels = QuantileLevels.protocolLevels
    static let aci = ConformalCalibrator.Configuration(method: .adaptive(gamma: 0.005), window: 300)

    /// Streams forecast by a model that knows the mean `3 sin(2πt/50)` and believes the spread is `scales[s]` where
    /// it is 1; each stream's step-`horizon` forecasts are calibrated with `calibrators[s]` (reading `pool` when
    /// pooled) and scored `horizon` steps later, as the engine does. Returns, per stream, whether the issued 90 %
    /// interval covered each outcome of the second half, and the calibrated rows issued, in order.
    static func run(
        scales: [Double], calibrators: inout [ConformalCalibrator], pool: inout CalibrationScorePool?,
        length: Int = 6000, horizon: Int = 2, seed: UInt64 = 7
    ) throws -> (hits: [[Bool]], rows: [[Double]]) {
        let z = levels.values.map(Gaussian.quantile)
        let i90 = levels.centralInterval(0.9)!
        var rng = SplitMix64(seed: seed)
        let mean = { (t: Int) in 3 * sin(2 * Double.pi * Double(t) / 50) }
        var issued: [[Int: [Int: [Double]]]] = Array(repeating: [:], count: scales.count)
        var hits: [[Bool]] = Array(repeating: [], count: scales.count)
        var rows: [[Double]] = []
        for t in 0..<length {
            for s in scales.indices {
                let y = mean(t) + rng.normal()
                let model = { (t: Int) in z.map { mean(t) + scales[s] * $0 } }
                for (h, raw) in issued[s].removeValue(forKey: t) ?? [:] {
                    try calibrators[s].update(step: h, quantiles: model(t), issued: raw, outcome: y, pool: &pool)
                    let sorted = raw.sorted()
                    if h == horizon, t >= length / 2 {
                        hits[s].append(y >= sorted[i90.lower] && y <= sorted[i90.upper])
                    }
                }
                for h in 1...horizon {
                    var row = model(t + h)
                    calibrators[s].calibrate(step: h, quantiles: &row, rearrange: false, pool: pool)
                    issued[s][t + h, default: [:]][h] = row
                    rows.append(row)
                }
            }
        }
        return (hits, rows)
    }

    static func coverage(_ hits: [Bool]) -> Double { Double(hits.filter { $0 }.count) / Double(hits.count) }

    @Test(arguments: [ConformalCalibrator.Method.adaptive(gamma: 0.005), .rollingWindow])
    func aPoolOfOneStreamCalibratesExactlyAsTheStreamsOwnWindows(method: ConformalCalibrator.Method) throws {
        let configuration = ConformalCalibrator.Configuration(method: method, window: 300)
        var own = [ConformalCalibrator(levels: Self.levels, horizon: 2, configuration: configuration)]
        var pooled = [ConformalCalibrator(levels: Self.levels, horizon: 2, configuration: configuration, pooled: true)]
        #expect(!own[0].isPooled && pooled[0].isPooled)
        var none: CalibrationScorePool?
        var pool: CalibrationScorePool? = pooled[0].makePool()
        let alone = try Self.run(scales: [0.5], calibrators: &own, pool: &none, length: 1500)
        let shared = try Self.run(scales: [0.5], calibrators: &pooled, pool: &pool, length: 1500)
        #expect(alone.rows == shared.rows)
        #expect(pooled[0].coverage == own[0].coverage)
        #expect(pool?.count(step: 1, level: 0) == 300)
    }

    /// The pool mixes an over-confident stream's scores with a well-specified one's; each stream's own effective
    /// levels still bring its own coverage to nominal.
    @Test func streamsOfDifferentSharpnessEachReachNominalCoverageFromOnePool() throws {
        let scales = [0.5, 1.0, 2.0]
        var calibrators = scales.map { _ in
            ConformalCalibrator(levels: Self.levels, horizon: 2, configuration: Self.aci, pooled: true)
        }
        var pool: CalibrationScorePool? = calibrators[0].makePool()
        let result = try Self.run(scales: scales, calibrators: &calibrators, pool: &pool)
        for s in scales.indices {
            let coverage = Self.coverage(result.hits[s])
            #expect(abs(coverage - 0.9) < 0.03, "stream of model scale \(scales[s]): cov90 \(coverage)")
        }
        // Without per-stream levels (the pool's quantile at the nominal level for every stream) the over-confident
        // stream would under-cover: its effective levels moved away from the others'.
        let spread = calibrators.map { $0.parameters(step: 1)[Self.levels.count - 1] }
        #expect(spread[0] > spread[2], "95 % level's τ̃ per stream: \(spread)")
    }

    @Test func movingOwnWindowsIntoAPoolKeepsTheCalibrationAndTheLevels() throws {
        var own = [ConformalCalibrator(levels: Self.levels, horizon: 2, configuration: Self.aci)]
        var none: CalibrationScorePool?
        _ = try Self.run(scales: [0.5], calibrators: &own, pool: &none, length: 800)
        var moved = own[0]
        var pool = moved.makePool()
        moved.moveScores(into: &pool)
        #expect(moved.isPooled)
        #expect(moved.steps.allSatisfy { $0.scores.isEmpty })
        #expect(moved.parameters == own[0].parameters)
        for h in 1...2 {
            let row = Self.levels.values.map { Gaussian.quantile($0) * 0.5 }
            #expect(moved.calibrated(step: h, quantiles: row, pool: pool) == own[0].calibrated(step: h, quantiles: row))
        }
        // Moving into a pool that already holds scores keeps the newest W.
        var second = own[0]
        second.moveScores(into: &pool)
        #expect(pool.count(step: 1, level: 0) == 300)
    }

    @Test func aPooledCalibratorGivenWindowsOfItsOwnKeepsItsLevelsAndStartsThemEmpty() throws {
        var pooled = [ConformalCalibrator(levels: Self.levels, horizon: 2, configuration: Self.aci, pooled: true)]
        var pool: CalibrationScorePool? = pooled[0].makePool()
        _ = try Self.run(scales: [0.5], calibrators: &pooled, pool: &pool, length: 400)
        var own = pooled[0]
        own.keepOwnScores()
        #expect(!own.isPooled)
        #expect(own.parameters == pooled[0].parameters)
        #expect(own.steps.allSatisfy { $0.scores.count == Self.levels.count && $0.scores.allSatisfy { $0.count == 0 } })
        // Under `minimumCount` scores of its own it passes the model's quantiles through.
        let row = Self.levels.values.map(Gaussian.quantile)
        #expect(own.calibrated(step: 1, quantiles: row) == row)
    }

    @Test func pooledStateAndPoolRoundTripThroughJSON() throws {
        var pooled = [ConformalCalibrator(levels: Self.levels, horizon: 2, configuration: Self.aci, pooled: true)]
        var pool: CalibrationScorePool? = pooled[0].makePool()
        _ = try Self.run(scales: [0.5], calibrators: &pooled, pool: &pool, length: 400)
        let calibrator = try JSONDecoder().decode(
            ConformalCalibrator.self, from: try JSONEncoder().encode(pooled[0]))
        #expect(calibrator == pooled[0])
        #expect(calibrator.isPooled)
        let decodedPool = try JSONDecoder().decode(CalibrationScorePool.self, from: try JSONEncoder().encode(pool!))
        #expect(decodedPool == pool)
        // A pooled state holds no windows: under a tenth of the same calibrator's state with its own.
        var own = [ConformalCalibrator(levels: Self.levels, horizon: 2, configuration: Self.aci)]
        var none: CalibrationScorePool?
        _ = try Self.run(scales: [0.5], calibrators: &own, pool: &none, length: 400)
        #expect(try JSONEncoder().encode(pooled[0]).count * 10 < (try JSONEncoder().encode(own[0]).count))
    }

    @Test func aRaggedOrEmptyPoolIsRefused() throws {
        let pool = CalibrationScorePool(levelCount: 3, horizon: 2, window: 10)
        var json = try #require(String(data: try JSONEncoder().encode(pool), encoding: .utf8))
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(CalibrationScorePool.self, from: Data(#"{"windows":[]}"#.utf8))
        }
        // One window of another capacity.
        let range = try #require(json.range(of: #""capacity":10"#))
        json.replaceSubrange(range, with: #""capacity":11"#)
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(CalibrationScorePool.self, from: Data(json.utf8))
        }
        #expect(pool.fits(levelCount: 3, horizon: 2, window: 10))
        #expect(!pool.fits(levelCount: 3, horizon: 2, window: 11))
    }
}
