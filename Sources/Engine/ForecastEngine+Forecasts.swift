import BARNN
import Configuration
import Forecasting
import Formats
import Foundation
import Logging
import MQTT
import Storage

extension ForecastEngine {
    /// Issues a forecast for every due stream among `candidates` (and streams owed one after a replay): per group,
    /// one batched Monte Carlo `sample` for the warm streams, the fallback for the others.
    func issueForecasts(candidates: [StreamState], now: Double, into output: inout EngineOutput) {
        var due: [String: [StreamState]] = [:]
        var seen = Set<StreamKey>()
        let owed = touched.compactMap { streams[$0] }.filter(\.forecastOwed)
        for state in (candidates + owed).sorted(by: { $0.id.precedesBytewise($1.id) })
        where seen.insert(StreamKey(state.id)).inserted {
            guard let group = groups[state.group], state.lastT != nil else { continue }
            if state.forecastOwed || state.stepsSinceForecast >= group.settings.forecastEvery {
                due[group.name, default: []].append(state)
            }
        }
        for name in due.keys.sorted() {
            let group = groups[name]!
            let members = due[name]!
            var cold = members
            if let model = group.model {
                let warm = members.filter { $0.recurrent?.level?.isFinite ?? false }
                cold = members.filter { !($0.recurrent?.level?.isFinite ?? false) }
                if !warm.isEmpty {
                    cold += sampleForecasts(warm, model: model, group: group, now: now, into: &output)
                }
            }
            for state in cold {
                guard
                    let forecast = state.fallback.forecast(
                        horizon: group.settings.horizon, levels: group.levels, history: state.context.values)
                else { continue }
                issue(
                    state, group: group, model: forecast.quantiles, means: forecast.point, kind: .fallback, now: now,
                    into: &output)
            }
        }
    }

    /// Worker threads of a `sample` call (`engine.sampling_threads`).
    var samplingThreads: Int { configuration.engine.resolvedSamplingThreads }

    /// One `sample` call for `warm` (rows = N·S); returns the streams whose forecast came out non-finite (their
    /// state is dropped for a re-warm and the fallback serves them this time).
    private func sampleForecasts(
        _ warm: [StreamState], model: BARNNModel, group: ModelGroupRuntime, now: Double,
        into output: inout EngineOutput
    ) -> [StreamState] {
        let horizon = group.settings.horizon, nF = model.configuration.timeFeatures
        var features = [Float](repeating: 0, count: warm.count * horizon * nF)
        features.withUnsafeMutableBufferPointer { buffer in
            for (n, state) in warm.enumerated() {
                let step = state.stepSeconds(contextLength: group.settings.contextLength)
                for h in 0..<horizon {
                    model.configuration.calendar.write(
                        unixTime: state.lastT! + Double(h + 1) * step, index: state.steps + h,
                        into: buffer.baseAddress! + (n * horizon + h) * nF, width: nF)
                }
            }
        }
        // Keyed by the millisecond as before times were µs, so a seeded run draws the same forecasts as it did.
        let nowUs = UTCTimestamp.saturatingMicroseconds(now)
        let nowMilliseconds = nowUs / 1000 + (nowUs % 1000 >= 500 ? 1 : 0)
        var rng = SeededRNG(seed: group.settings.seed, stream: 0xF0CA).substream(UInt64(bitPattern: nowMilliseconds))
        let batch = RecurrentBatch(
            warm.map { $0.recurrent! }, hiddenSize: model.configuration.hiddenSize,
            seasonalLag: model.configuration.seasonalLag)
        let levels = group.levels.values.map(Float.init)
        let forecast: BARNNForecast
        switch group.sampling {
        case .monteCarlo(var options):
            // The group's setting, so the backtest's ablations (which replace the options) keep it.
            options.antithetic = options.antithetic || group.settings.samplingAntithetic
            forecast = model.sample(
                batch, paths: group.settings.paths, horizon: horizon, timeFeatures: features, levels: levels,
                options: options, threads: samplingThreads, rng: &rng, workspace: group.workspace)
        case .map:
            forecast = model.mapForecast(
                batch, horizon: horizon, timeFeatures: features, levels: levels, workspace: group.workspace)
        }
        var failed: [StreamState] = []
        let k = group.levels.count
        for (n, state) in warm.enumerated() {
            var quantiles: [[Double]] = []
            var means: [Double] = []
            for h in 0..<horizon {
                means.append(forecast.mean(stream: n, step: h))
                quantiles.append((0..<k).map { forecast.quantile(stream: n, step: h, level: $0) })
            }
            guard means.allSatisfy(\.isFinite), quantiles.allSatisfy({ $0.allSatisfy(\.isFinite) }) else {
                state.recurrent = nil
                failed.append(state)
                continue
            }
            issue(state, group: group, model: quantiles, means: means, kind: .barnn, now: now, into: &output)
        }
        return failed
    }

    /// Calibrates, records, stores and publishes one stream's forecast.
    private func issue(
        _ state: StreamState, group: ModelGroupRuntime, model: [[Double]], means: [Double],
        kind: ForecastPayload.Kind, now: Double, into output: inout EngineOutput
    ) {
        // A stream that has never been negative is not forecast negative (see `ForecastFeedback.issue`): at night a
        // series that is 0 half the time (orders, solar generation) would otherwise count every upper bound below 0
        // as a miss and widen the day's intervals.
        let floor = state.lowestObserved.flatMap { $0 >= 0 ? 0.0 : nil }
        let calibration = group.settings.calibration
        let issue = state.feedback.issue(
            model, calibrate: calibration.method != .none, keepMedian: calibration.keepMedian, floor: floor,
            pool: group.scorePool)
        var means = means
        if floor != nil {
            for h in means.indices { means[h] = max(means[h], 0) }
        }
        if issue.raisedToFloor { _counters.forecastsClampedAtZero += 1 }
        let calibrated = issue.quantiles
        state.stepsSinceForecast = 0
        state.forecastOwed = false
        state.dirty = true
        switch kind {
        case .barnn: _counters.forecastsBARNN += 1
        case .fallback: _counters.forecastsFallback += 1
        }

        let step = state.stepSeconds(contextLength: group.settings.contextLength)
        let base = state.lastT!
        let levels = group.levels.values
        var points: [ForecastPoint] = []
        var payloadPoints: [ForecastPayload.Point] = []
        for h in calibrated.indices {
            let t = base + Double(h + 1) * step
            let quantiles = calibrated[h].map(Float.init)
            points.append(
                ForecastPoint(
                    step: h + 1, tUs: UTCTimestamp.saturatingMicroseconds(t), mean: means[h], quantiles: quantiles))
            payloadPoints.append(ForecastPayload.Point(t: t, mean: Float(means[h]), quantiles: quantiles))
        }
        output.writes.append(
            .forecast(
                ForecastIssue(
                    stream: state.id, issuedAtUs: UTCTimestamp.saturatingMicroseconds(base), levels: levels,
                    points: points)))

        let payload = ForecastPayload(
            // Issue time is the data time of the last observation, so replayed or delayed data keeps its own clock.
            stream: state.id, issuedAt: base, stepSeconds: step,
            model: ForecastPayload.ModelInfo(
                name: group.name, version: kind == .barnn ? group.version : 0, kind: kind),
            levels: levels, points: payloadPoints, calibration: calibrationSummary(state.feedback.calibrator))
        let publish = configuration.publish
        let qos = QoS(rawValue: Int32(publish.qos)) ?? .atLeastOnce
        output.publications.append(
            Publication(
                topic: publish.topic.replacingOccurrences(of: "{stream}", with: state.id), payload: payload.json(),
                qos: qos, retain: publish.retain))
        if !publish.scalarTopic.isEmpty, let text = payload.nextMedianText() {
            output.publications.append(
                Publication(
                    topic: publish.scalarTopic.replacingOccurrences(of: "{stream}", with: state.id),
                    payload: Array(text.utf8), qos: qos, retain: publish.retain))
        }
        if configuration.homeAssistant.enabled {
            let rule =
                configuration.rules.indices.contains(state.ruleIndex) ? configuration.rules[state.ruleIndex] : nil
            output.forecasts.append(
                IssuedStreamForecast(
                    payload: payload, unit: rule?.unit, deviceClass: rule?.deviceClass, senmlUnit: state.unit))
        }
    }

    /// The headline interval (90 % when the levels have it, else the widest) and its empirical step-1 coverage.
    private func calibrationSummary(_ calibrator: ConformalCalibrator) -> ForecastPayload.Calibration? {
        let intervals = calibrator.intervals.map(\.coverage)
        guard let level = intervals.first(where: { abs($0 - 0.9) < 1e-9 }) ?? intervals.max() else { return nil }
        return ForecastPayload.Calibration(
            level: level, empirical: calibrator.empiricalCoverage(interval: level),
            window: calibrator.coverageCount)
    }
}
