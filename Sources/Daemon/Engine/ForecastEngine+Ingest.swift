import Forecasting
import Logging
import Storage

extension ForecastEngine {
    /// The stream a reading belongs to: in memory, restored from its saved state, or new.
    func stream(for reading: StreamReading, arrivalTime: Double) -> StreamState? {
        if let state = streams[reading.streamID] { return state }
        if let restored = restoreReturning(reading.streamID, now: arrivalTime) { return restored }
        let rule = configuration.rules[reading.rule]
        guard let group = groups[rule.model] else { return nil }
        let state = StreamState(
            id: reading.streamID, group: group.name, ruleIndex: reading.rule, cadence: Self.cadence(of: rule),
            settings: group.settings, levels: group.levels, lastSeen: arrivalTime)
        streams[reading.streamID] = state
        logger.debug("new stream", metadata: ["stream.id": "\(reading.streamID)", "model.name": "\(group.name)"])
        return state
    }

    /// The Forecasting cadence of a rule.
    static func cadence(of rule: DaemonConfiguration.Rule) -> Cadence {
        switch rule.cadence {
        case .event: .event
        case .every(let duration):
            .every(seconds: duration.totalSeconds, aggregate: Cadence.Aggregate(rawValue: rule.aggregate.rawValue)!)
        }
    }

    /// A reject row (reason code, then the detail) and its counter.
    func recordReject(_ reason: RejectReason, detail: String, topic: String, payload: [UInt8], time: Double) {
        _counters.rejects[reason.rawValue, default: 0] += 1
        pendingWrites.append(
            .reject(
                RejectRecord(
                    timeMs: Self.milliseconds(time), topic: topic, payload: payload,
                    reason: "\(reason.rawValue): \(detail)")))
        logger.debug(
            "rejected reading", metadata: ["reject.reason": "\(reason.rawValue)", "mqtt.topic": "\(topic)"])
    }

    /// The reject reason of a resampler refusal.
    static func rejectReason(_ rejection: ResamplerRejection) -> (RejectReason, String) {
        switch rejection {
        case .nonFiniteTime: (.invalidTimestamp, "time is not finite")
        case .timeOutOfRange(let time): (.invalidTimestamp, "time \(time) is out of range")
        case .nonFiniteValue: (.nonFinite, "value is not finite")
        case .outOfOrder(let time, let after):
            (.outOfOrder, "time \(UTCTimestamp.format(time)) is before \(UTCTimestamp.format(after))")
        case .duplicateTimestamp(let time): (.duplicateTimestamp, "a step at \(UTCTimestamp.format(time)) exists")
        }
    }

    /// Closes buckets that ended more than one bucket ago, so a silent stream still gets explicit missing steps
    /// (one bucket of lateness is allowed for readings in flight).
    func closeElapsedBuckets(now: Double) {
        for state in streams.values {
            guard case .every(let seconds, _) = state.resampler.cadence else { continue }
            let skipped = state.resampler.skippedGapSteps
            let closed = state.resampler.advance(to: now - seconds)
            guard !closed.isEmpty else { continue }
            noteLongGap(state, skippedBefore: skipped)
            state.pending.append(contentsOf: closed)
            touched.insert(state.id)
        }
    }

    /// Counts and logs a gap the resampler cut to its cap (`context_length` missing steps): the cap keeps one
    /// reading from emitting (and the model from stepping through) an unbounded number of steps, and what it emits
    /// fills the context with the gap, so the stream continues as from a context of nothing but missing steps.
    func noteLongGap(_ state: StreamState, skippedBefore: Int) {
        let skipped = state.resampler.skippedGapSteps - skippedBefore
        guard skipped > 0 else { return }
        _counters.longGaps += 1
        logger.info(
            "gap longer than context_length; its older missing steps are skipped",
            metadata: ["stream.id": "\(state.id)", "stream.skipped_steps": "\(skipped)"])
    }
}
