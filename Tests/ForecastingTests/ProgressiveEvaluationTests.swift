import Foundation
import Sampling
import Testing

@testable import Forecasting

@Suite struct ProgressiveEvaluationTests {
    /// A daily-seasonal series (m = 24) with noise and some missing steps.
    static func series(seed: UInt64, count: Int) -> [Observation] {
        var rng = SplitMix64(seed: seed)
        return (0..<count).map { t in
            let value = 5 * sin(2 * Double.pi * Double(t) / 24) + rng.normal(mean: 0, sd: 1 + Double(t % 24) / 24)
            return Observation(t: Double(t) * 3600, value: rng.uniform() < 0.02 ? nil : value)
        }
    }

    /// The loop equals the same composition written out by hand (forecast issued after j − h is scored at j),
    /// including missing steps and the cold start.
    @Test func stepEqualsTheHandWrittenLoop() throws {
        let horizon = 6
        let levels = QuantileLevels.protocolLevels
        let fallback = SeasonalNaiveForecaster(
            period: 4, maximumHorizon: horizon, residualWindow: 30, minimumResiduals: 5)
        let calibration = ConformalCalibrator.Configuration(method: .adaptive(gamma: 0.01), window: 40, minimumCount: 5)
        var evaluation = ProgressiveEvaluation(
            forecaster: fallback, horizon: horizon, calibration: calibration, drift: .init(windowLength: 25))
        var forecaster = fallback
        var calibrator = ConformalCalibrator(levels: levels, horizon: horizon, configuration: calibration)
        var scores = HorizonScores(levels: levels, horizon: horizon)
        var issued: [(model: [[Double]], raw: [[Double]], calibrated: [[Double]])?] = []
        for (j, observation) in Self.series(seed: 3, count: 300).enumerated() {
            let step = evaluation.step(observation)
            var scored = 0
            if let y = observation.value {
                for h in 1...horizon where j - h >= 0 {
                    guard let forecast = issued[j - h] else { continue }
                    try calibrator.update(
                        step: h, quantiles: forecast.model[h - 1], issued: forecast.raw[h - 1], outcome: y)
                    scores.score(step: h, quantiles: forecast.raw[h - 1].sorted(), outcome: y)
                    scored += 1
                }
            }
            forecaster.learn(observation)
            let forecast = forecaster.forecast(horizon: horizon, levels: levels)
            let raw = forecast.map { f in
                (1...horizon).map { h in
                    var row = f.quantiles[h - 1]
                    calibrator.calibrate(step: h, quantiles: &row, rearrange: false)
                    return row
                }
            }
            let calibrated = raw.map { rows in rows.map { $0.sorted() } }
            // Issued rows are kept as row-pair codes, and scoring reads them back.
            issued.append(
                forecast.map {
                    let rows = Self.coded(model: $0.quantiles, raw: raw!)
                    return (rows.model, rows.raw, calibrated!)
                })
            #expect(step.scored == scored, "j=\(j)")
            #expect(step.forecast?.quantiles == calibrated)
            #expect(step.forecast?.point == forecast?.point)
        }
        #expect(evaluation.calibrator == calibrator)
        #expect(evaluation.scores == scores)
        #expect(evaluation.forecaster == forecaster)
    }

    /// The rows as scoring reads them back from their ``RowPairCodes``.
    static func coded(model: [[Double]], raw: [[Double]]) -> (model: [[Double]], raw: [[Double]]) {
        var words: [UInt16] = []
        for h in model.indices { RowPairCodes.append(model: model[h], raw: raw[h], floor: 0, to: &words) }
        let k = model.first?.count ?? 0
        let rows = model.indices.map {
            RowPairCodes.decode(words, at: $0 * RowPairCodes.length(levels: k), levels: k, floor: 0)
        }
        return (rows.map(\.model), rows.map(\.raw))
    }

    /// The seasonal naive fallback, calibrated online, covers 90% within ±3% at every step of the horizon over a long
    /// run; the drift monitor closes its windows.
    @Test func calibratedFallbackCoversNominal() throws {
        var evaluation = ProgressiveEvaluation(
            forecaster: SeasonalNaiveForecaster(period: 24, maximumHorizon: 24, residualWindow: 200), horizon: 24,
            drift: .init(windowLength: 1_000))
        var windows: [DriftWindow] = []
        for observation in Self.series(seed: 8, count: 3_000) {
            if let window = evaluation.step(observation).drift?.closedWindow { windows.append(window) }
        }
        let i90 = try #require(evaluation.scores.intervals.firstIndex { $0.coverage == 0.9 })
        for (h, step) in evaluation.scores.steps.enumerated() {
            #expect(step.count > 2_000)
            #expect(abs(step.coverage(i90) - 0.9) <= 0.03, "step \(h + 1): \(step.coverage(i90))")
        }
        #expect(windows.count == 2)
        #expect(evaluation.rejectedRows == 0)
    }

    @Test func restoredEvaluationContinuesIdentically() throws {
        var original = ProgressiveEvaluation(
            forecaster: SeasonalNaiveForecaster(period: 24, maximumHorizon: 12, minimumResiduals: 10), horizon: 12,
            calibration: .init(method: .rollingWindow, window: 50, minimumCount: 10))
        let series = Self.series(seed: 13, count: 400)
        for observation in series[..<250] { _ = original.step(observation) }
        var restored = try JSONDecoder().decode(
            ProgressiveEvaluation<SeasonalNaiveForecaster>.self, from: try JSONEncoder().encode(original))
        #expect(restored == original)
        for observation in series[250...] { #expect(restored.step(observation) == original.step(observation)) }
        #expect(restored == original)
    }
}
