import Foundation
import Sampling
import Testing

@testable import Forecasting

@Suite struct SeasonalNaiveForecasterTests {
    static let levels = try! QuantileLevels([0.1, 0.5, 0.9])

    static func learned(_ values: [Double?], period: Int = 3, window: Int = 3) -> SeasonalNaiveForecaster {
        var forecaster = SeasonalNaiveForecaster(
            period: period, maximumHorizon: 4, residualWindow: window, minimumResiduals: 2)
        for (t, value) in values.enumerated() { forecaster.learn(Observation(t: Double(t), value: value)) }
        return forecaster
    }

    /// m = 3, H = 4: steps 1–3 use lag 3, step 4 lag 6. Worked by hand:
    /// y = 10 20 30 12 21 33 11 24 30; lag-3 errors 2 1 3 −1 3 −3 (last 3: −1 3 −3), lag-6 errors 1 4 0.
    /// Type-7 quantiles at 0.1/0.5/0.9: lag 3 → −2.6, −1, 2.2; lag 6 → 0.2, 1, 3.4.
    /// Points: y₆ = 11, y₇ = 24, y₈ = 30, then y₆ = 11 again for step 4.
    @Test func matchesAHandComputedExample() throws {
        let forecaster = Self.learned([10, 20, 30, 12, 21, 33, 11, 24, 30])
        #expect(forecaster.readiness == .warm)
        let forecast = try #require(forecaster.forecast(horizon: 4, levels: Self.levels))
        #expect(forecast.point == [11, 24, 30, 11])
        let expected: [[Double]] = [[8.4, 10, 13.2], [21.4, 23, 26.2], [27.4, 29, 32.2], [11.2, 12, 14.4]]
        for h in 0..<4 { #expect(maxAbsDiff(forecast.quantiles[h], expected[h]) < 1e-12, "step \(h + 1)") }
    }

    @Test func staysColdUntilEveryLagHasResiduals() {
        var forecaster = SeasonalNaiveForecaster(period: 3, maximumHorizon: 4, residualWindow: 3, minimumResiduals: 2)
        var steps = 0
        while forecaster.readiness != .warm {
            #expect(forecaster.forecast(horizon: 4, levels: Self.levels) == nil)
            guard case .cold(let needed) = forecaster.readiness else { break }
            #expect(needed >= 1)
            forecaster.learn(Observation(t: Double(steps), value: Double(steps % 3)))
            steps += 1
        }
        // Lag 6 needs 6 values of history, then 2 errors: warm after 8 steps.
        #expect(steps == 8)
        // Steps 1–3 only need the lag-3 errors, available earlier.
        #expect(Self.learned([1, 2, 3, 4, 5]).forecast(horizon: 3, levels: Self.levels) != nil)
    }

    @Test func missingValuesGiveNoErrorsAndFallBackToTheLastPresentValue() throws {
        // y₇ is missing: no error at t = 7; step 2's lagged value y₇ falls back to y₆.
        let forecaster = Self.learned([10, 20, 30, 12, 21, 33, 11, nil, 30, .nan], window: 5)
        let forecast = try #require(forecaster.forecast(horizon: 4, levels: Self.levels))
        // Lag-3 errors of the last 5 steps: 3 (t=5), −1 (t=6), none at 7, −3 (t=8), none at 9.
        // With a window of 3 steps only −3 is left: too few.
        #expect(
            Self.learned([10, 20, 30, 12, 21, 33, 11, nil, 30, .nan]).forecast(horizon: 4, levels: Self.levels) == nil)
        // The last learned step is t = 9 (missing): points y₇ → y₆ = 11, y₈ = 30, y₉ → y₈ = 30, y₇ (lag 6) → 11.
        #expect(forecast.point == [11, 30, 30, 11])
        #expect(maxAbsDiff(forecast.quantiles[0], [11 - 2.6, 11 - 1, 11 + 2.2]) < 1e-12)
    }

    @Test func naiveWhenThePeriodIsOne() throws {
        let forecaster = Self.learned([1, 2, 4, 7, 11], period: 1)
        let forecast = try #require(forecaster.forecast(horizon: 2, levels: Self.levels))
        #expect(forecast.point == [11, 11])
        // Lag-1 errors (last 3): 2 3 4; lag-2 errors: 3 5 7.
        #expect(maxAbsDiff(forecast.quantiles[0], [13.2, 14, 14.8]) < 1e-12)
        #expect(maxAbsDiff(forecast.quantiles[1], [14.4, 16, 17.6]) < 1e-12)
    }

    /// After every step the streaming forecast equals the batch one computed from the whole prefix: errors at each
    /// lag over the last R steps of the series, type-7 quantiles of them sorted (abs tol 1e-9).
    @Test func streamingForecastEqualsBatchOverThePrefix() throws {
        let (period, horizon, window) = (4, 6, 15)
        var forecaster = SeasonalNaiveForecaster(
            period: period, maximumHorizon: horizon, residualWindow: window, minimumResiduals: 5)
        var rng = SplitMix64(seed: 31)
        var series: [Double?] = []
        for t in 0..<200 {
            let value: Double? = rng.uniform() < 0.1 ? nil : Double(t % period) * 3 + rng.normal()
            series.append(value)
            forecaster.learn(Observation(t: Double(t), value: value))
            let streaming = forecaster.forecast(horizon: horizon, levels: .protocolLevels)
            var rows: [[Double]] = []
            var points: [Double] = []
            for h in 1...horizon {
                let lag = period * ((h + period - 1) / period)
                let errors = series.indices.suffix(window).compactMap { i -> Double? in
                    guard i >= lag, let y = series[i], let past = series[i - lag] else { return nil }
                    return y - past
                }.sorted()
                guard errors.count >= 5 else { break }
                var position = series.count - 1 + h - lag
                while position >= 0, series[position] == nil { position -= 1 }
                guard position >= 0, let base = series[position] else { break }
                points.append(base)
                rows.append(
                    QuantileLevels.protocolLevels.values.map { base + SampleQuantiles.type7(sorted: errors, level: $0) }
                )
            }
            guard rows.count == horizon else {
                #expect(streaming == nil, "t=\(t)")
                continue
            }
            let forecast = try #require(streaming, "t=\(t)")
            #expect(forecast.point == points)
            for h in 0..<horizon { #expect(maxAbsDiff(forecast.quantiles[h], rows[h]) < 1e-9) }
        }
    }

    /// A state saved when each lag group kept its own window of the last R errors (and only m·G values) forecasts
    /// as that forecaster did, then as this one once its history is full; its size is the history's.
    @Test func aStateSavedWithErrorWindowsKeepsForecastingFromThem() throws {
        let (period, horizon, window) = (4, 6, 15)
        var rng = SplitMix64(seed: 5)
        var series: [Double?] = []
        for t in 0..<60 { series.append(rng.uniform() < 0.1 ? nil : Double(t % period) * 3 + rng.normal()) }
        // What that forecaster saved: the last m·G = 8 values and, per lag, the last R present errors.
        let lags = [4, 8]
        let windows = lags.map { lag in
            series.indices.compactMap { i -> Double? in
                guard i >= lag, let y = series[i], let past = series[i - lag] else { return nil }
                return y - past
            }.suffix(window)
        }
        func packed(_ capacity: Int, _ values: [Double?]) -> [String: Any] {
            ["capacity": capacity, "elements": values.map { $0.map { $0 as Any } ?? NSNull() }]
        }
        let saved: [String: Any] = [
            "period": period, "maximumHorizon": horizon, "residualWindow": window, "minimumResiduals": 5,
            "history": packed(8, Array(series.suffix(8))), "errors": windows.map { packed(window, $0.map { $0 }) },
        ]
        var restored = try JSONDecoder().decode(
            SeasonalNaiveForecaster.self, from: try JSONSerialization.data(withJSONObject: saved))
        let expected = try #require(
            ProgressiveFixture.seasonalNaive(series, period: period, horizon: horizon, errors: windows.map(Array.init)))
        let forecast = try #require(restored.forecast(horizon: horizon, levels: .protocolLevels))
        #expect(forecast.point == expected.point)
        for h in 0..<horizon { #expect(maxAbsDiff(forecast.quantiles[h], expected.quantiles[h]) < 1e-9) }
        // It round-trips with the errors it still needs, and once its history is full it reads them from there.
        #expect(
            try JSONDecoder().decode(SeasonalNaiveForecaster.self, from: JSONEncoder().encode(restored)) == restored)
        var fresh = SeasonalNaiveForecaster(
            period: period, maximumHorizon: horizon, residualWindow: window, minimumResiduals: 5)
        for (t, value) in series.enumerated() { fresh.learn(Observation(t: Double(t), value: value)) }
        for t in 60..<90 {
            let value = Double(t % period) * 3 + rng.normal()
            restored.learn(Observation(t: Double(t), value: value))
            fresh.learn(Observation(t: Double(t), value: value))
        }
        #expect(restored.restoredErrors.isEmpty)
        #expect(restored == fresh)
    }

    /// The history is saved as packed `Double`s (NaN where missing), bit-exact and smaller than a list of numbers.
    @Test func theHistoryIsSavedPackedWithMissingValues() throws {
        var forecaster = SeasonalNaiveForecaster(period: 2, maximumHorizon: 3, residualWindow: 20, minimumResiduals: 2)
        for t in 0..<30 { forecaster.learn(Observation(t: Double(t), value: t % 7 == 3 ? nil : 0.1 * Double(t) - 1)) }
        let data = try JSONEncoder().encode(forecaster)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect((object["history"] as? [String: Any])?["elements"] is String)
        let restored = try JSONDecoder().decode(SeasonalNaiveForecaster.self, from: data)
        #expect(restored == forecaster)
        #expect(restored.history.map(\.bitPattern) == forecaster.history.map(\.bitPattern))
        // The last m·G + R = 24 of 30 steps, three of them missing (t = 10, 17, 24).
        #expect(restored.history.filter(\.isNaN).count == 3)
    }

    /// River's generic checks: H rows of monotone quantiles, and a JSON round trip forecasts and learns identically.
    @Test func restoredForecasterContinuesIdentically() throws {
        var original = SeasonalNaiveForecaster(period: 24, maximumHorizon: 48)
        var rng = SplitMix64(seed: 2)
        let series = { (t: Int, rng: inout SplitMix64) in 10 * sin(Double(t) * Double.pi / 12) + rng.normal() }
        for t in 0..<300 { original.learn(Observation(t: Double(t), value: series(t, &rng))) }
        var restored = try JSONDecoder().decode(
            SeasonalNaiveForecaster.self, from: try JSONEncoder().encode(original))
        for t in 300..<340 {
            let a = try #require(original.forecast(horizon: 48, levels: .protocolLevels))
            #expect(a == restored.forecast(horizon: 48, levels: .protocolLevels))
            #expect(a.horizon == 48 && a.quantiles.allSatisfy { zip($0, $0.dropFirst()).allSatisfy { $0 <= $1 } })
            let value = t % 17 == 0 ? nil : series(t, &rng)
            original.learn(Observation(t: Double(t), value: value))
            restored.learn(Observation(t: Double(t), value: value))
        }
        #expect(restored == original)
    }
}

/// The seasonal-naive forecast computed in batch from given error windows (per lag group, oldest first).
enum ProgressiveFixture {
    static func seasonalNaive(_ series: [Double?], period: Int, horizon: Int, errors: [[Double]]) -> QuantileForecast? {
        var points: [Double] = []
        var rows: [[Double]] = []
        for h in 1...horizon {
            let g = (h + period - 1) / period
            var position = series.count - 1 + h - period * g
            while position >= 0, series[position] == nil { position -= 1 }
            guard position >= 0, let base = series[position] else { return nil }
            points.append(base)
            rows.append(QuantileLevels.protocolLevels.estimate(from: errors[g - 1]).map { base + $0 })
        }
        return QuantileForecast(levels: .protocolLevels, point: points, quantiles: rows)
    }
}
