import BARNN
import Configuration
import Forecasting
import Formats
import Logging
import Storage

extension ForecastEngine {
    /// Learns every waiting step of every stream: rows, scoring, calibration, drift, fallback and context, then the
    /// batched BARNN steps. Returns the streams that learned something, by id.
    func learnPending(now: Double, into output: inout EngineOutput) -> [StreamState] {
        var learned: [StreamState] = []
        for id in touched.sorted() {
            guard let state = streams[id], !state.pending.isEmpty else { continue }
            for (index, observation) in state.pending.enumerated() {
                if index < state.replayPending {
                    _counters.replayedObservations += 1
                } else {
                    output.writes.append(
                        .observation(
                            stream: state.id, tUs: UTCTimestamp.saturatingMicroseconds(observation.t),
                            value: observation.value))
                    _counters.observations += 1
                    if observation.value == nil { _counters.gaps += 1 }
                }
                score(state, observation, into: &output)
                state.context.append(observation)
                state.fallback.noteHistory(count: state.context.count)
                state.steps += 1
                if let value = observation.value {
                    state.presentSteps += 1
                    state.lowestObserved = min(state.lowestObserved ?? value, value)
                }
                state.stepsSinceForecast += 1
                state.lastT = observation.t
            }
            state.dirty = true
            learned.append(state)
        }
        for name in groups.keys.sorted() {
            guard let group = groups[name], group.model != nil else { continue }
            advance(learned.filter { $0.group == name }, group: group)
        }
        for state in learned {
            state.pending.removeAll()
            state.replayPending = 0
        }
        return learned
    }

    /// Scores the forecasts issued 1…H steps before `observation` and records what the drift monitor reported.
    private func score(_ state: StreamState, _ observation: Observation, into output: inout EngineOutput) {
        let scoring: ForecastFeedback.Scoring
        if let group = groups[state.group] {
            scoring = state.feedback.score(observation, pool: &group.scorePool)
            if scoring.scored > 0, group.scorePool != nil { group.scorePoolDirty = true }
        } else {
            scoring = state.feedback.score(observation)
        }
        _counters.scoringRejects += scoring.rejected
        guard let update = scoring.drift else { return }
        if let alarm = update.alarm { recordDriftAlarm(alarm, state: state, into: &output) }
        if let window = update.closedWindow {
            output.writes.append(.drift(Self.driftRecord(window, stream: state.id, intervals: state.feedback.drift)))
        }
    }

    static func driftRecord(_ window: DriftWindow, stream: String, intervals monitor: DriftMonitor) -> DriftRecord {
        DriftRecord(
            stream: stream, windowEndUs: UTCTimestamp.saturatingMicroseconds(window.end), n: window.count,
            crps: window.crps.isFinite ? window.crps : nil,
            mae: window.meanAbsoluteError.isFinite ? window.meanAbsoluteError : nil,
            coverage: zip(monitor.intervals, window.coverage).map {
                DriftRecord.LevelValue(level: $0.coverage, value: $1)
            },
            pitBins: window.pitHistogram, alarm: !window.alarms.isEmpty)
    }

    /// Streams advanced by one batched `step` at most. The model's workspace holds about 6 KB a row at hidden size 64
    /// and is kept at its largest: one batch of every stream made it 6 KB a stream (60 MB at 10,000 streams, most of
    /// an idle stream's memory), while GEMMs of 1,024 rows already run at full speed.
    static let stepBatchLimit = 1024

    /// Advances the hidden states of `members` (one group) through their waiting steps: one batched `step` per
    /// round and at most ``stepBatchLimit`` streams (round r takes each stream's r-th step); streams without a state
    /// are warmed from their context once they have `min_history` present steps.
    func advance(_ members: [StreamState], group: ModelGroupRuntime) {
        guard let model = group.model else { return }
        let nF = model.configuration.timeFeatures
        let warm = members.filter { $0.recurrent != nil }
        let rounds = warm.map(\.pending.count).max() ?? 0
        for r in 0..<rounds {
            let active = warm.filter { $0.pending.count > r }
            for first in stride(from: 0, to: active.count, by: Self.stepBatchLimit) {
                let chunk = active[first..<min(first + Self.stepBatchLimit, active.count)]
                var batch = RecurrentBatch(
                    chunk.map { $0.recurrent! }, hiddenSize: model.configuration.hiddenSize,
                    seasonalLag: model.configuration.seasonalLag)
                var values = [Float](repeating: .nan, count: chunk.count)
                var features = [Float](repeating: 0, count: chunk.count * nF)
                features.withUnsafeMutableBufferPointer { buffer in
                    for (i, state) in chunk.enumerated() {
                        let observation = state.pending[r]
                        values[i] = observation.value.map(Float.init) ?? .nan
                        model.configuration.calendar.write(
                            unixTime: observation.t, index: state.steps - state.pending.count + r,
                            into: buffer.baseAddress! + i * nF, width: nF)
                    }
                }
                model.step(&batch, observations: values, timeFeatures: features, workspace: group.workspace)
                for (i, state) in chunk.enumerated() {
                    let next = batch[i]
                    // A non-finite state (an extreme input) is dropped and re-warmed from the context.
                    state.recurrent = next.hidden.allSatisfy(\.isFinite) ? next : nil
                }
            }
        }
        for state in members where state.recurrent == nil { warmUp(state, group: group) }
    }

    /// Warms a stream's hidden state from its context with a noise-free pass, once it has `min_history` steps.
    func warmUp(_ state: StreamState, group: ModelGroupRuntime) {
        let context = state.modelContext(contextLength: group.settings.contextLength)
        guard let model = group.model, state.presentSteps >= group.settings.minHistory, !context.isEmpty
        else { return }
        let values = context.map { $0.value.map(Float.init) ?? .nan }
        let features = model.configuration.calendar.features(
            unixTimes: context.map(\.t), firstIndex: state.steps - context.count,
            width: model.configuration.timeFeatures)
        let warmed = model.warmUp(
            values: values, timeFeatures: features, scale: model.scale(fitting: values), workspace: group.workspace)
        state.recurrent = warmed.hidden.allSatisfy(\.isFinite) ? warmed : nil
        state.dirty = true
    }
}
