// The per-observation cost of each building block, beside the scoring reference.
import BenchmarkSupport
import Forecasting
import Sampling

/// Runs every measurement and prints one JSON line each.
func runPerformanceBench() throws {
    let levels = QuantileLevels.protocolLevels
    let horizon = 48
    let observations = 20_000

    // Seeded, so every run draws the same outcomes: uniform on [-1.5, 1.5).
    var rng = SplitMix64(seed: 1)
    let model = levels.values.map { ($0 - 0.5) * 4 }
    let outcomes = (0..<observations).map { _ in (Double(rng.next() >> 11) / 9_007_199_254_740_992.0 - 0.5) * 3 }

    /// Runs `body` once per observation and prints nanoseconds per observation.
    func measure(_ name: String, _ body: (Int) throws -> Void) rethrows {
        // Indices keep increasing past the warm-up (which fills windows and caches) so times never go backwards.
        for i in 0..<1_000 { try body(i) }
        let seconds = try timed { for i in 1_000..<(1_000 + observations) { try body(i) } }
        emit([
            "bench": name, "H": horizon, "K": levels.count,
            "ns_per_observation": Int(seconds * 1e9 / Double(observations)),
        ])
    }

    var scores = HorizonScores(levels: levels, horizon: horizon)
    measure("reference HorizonScores.score x H") { i in
        for h in 1...horizon { scores.score(step: h, quantiles: model, outcome: outcomes[i % observations]) }
    }

    let methods: [(String, ConformalCalibrator.Method)] = [
        ("tracking", .quantileTracking(rate: 0.05)), ("adaptive W=500", .adaptive(gamma: 0.005)),
        ("rolling W=500", .rollingWindow),
    ]
    for (name, method) in methods {
        var calibrator = ConformalCalibrator(levels: levels, horizon: horizon, configuration: .init(method: method))
        var buffer = model
        try measure("ConformalCalibrator \(name) update+calibrate x H") { i in
            let y = outcomes[i % observations]
            for h in 1...horizon {
                try calibrator.update(step: h, quantiles: model, outcome: y)
                for k in buffer.indices { buffer[k] = model[k] }
                calibrator.calibrate(step: h, quantiles: &buffer)
            }
        }
    }

    // The loop a stream runs per observation: score the forecasts issued 1…H steps back (calibrator, drift
    // monitor), then issue the next one (calibrate H rows, keep the rows scoring needs).
    var feedback = ForecastFeedback(
        calibrator: ConformalCalibrator(
            levels: levels, horizon: horizon, configuration: .init(method: .adaptive(gamma: 0.005))),
        drift: DriftMonitor(levels: levels))
    let forecast = Array(repeating: model, count: horizon)
    measure("ForecastFeedback score+issue (H forecasts pending)") { i in
        _ = feedback.score(Observation(t: Double(i), value: outcomes[i % observations]))
        _ = feedback.issue(forecast)
    }

    var monitor = DriftMonitor(levels: levels)
    try measure("DriftMonitor.update") { i in
        _ = try monitor.update(time: Double(i), quantiles: model, outcome: outcomes[i % observations])
    }

    var resampler = Resampler(cadence: .every(seconds: 60, aggregate: .mean))
    var emitted: [Observation] = []
    emitted.reserveCapacity(16)
    try measure("Resampler.ingest (4 readings per bucket)") { i in
        emitted.removeAll(keepingCapacity: true)
        try resampler.ingest(Reading(time: Double(i) * 15, value: outcomes[i % observations]), into: &emitted)
    }

    var fallback = SeasonalNaiveForecaster(period: 24, maximumHorizon: horizon)
    measure("SeasonalNaiveForecaster.learn") { i in
        fallback.learn(Observation(t: Double(i), value: outcomes[i % observations]))
    }
    // The sums are printed so the optimiser cannot drop the calls (-Ounchecked also drops preconditions).
    var checksum = 0.0
    measure("SeasonalNaiveForecaster.forecast H") { _ in
        checksum += fallback.forecast(horizon: horizon, levels: levels)?.quantiles[horizon - 1][0] ?? 0
    }
    checksum += scores.steps[0].crps + (monitor.openWindow?.crps ?? 0) + Double(emitted.count)
    checksum += feedback.drift.openWindow?.crps ?? 0
    emit(["bench": "checksum", "value": checksum])
}
