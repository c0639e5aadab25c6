import Configuration
import Forecasting
import Formats
import HeapModule
import Ingest
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
            settings: group.settings, levels: group.levels, lastSeen: arrivalTime,
            pooledScores: group.scorePool != nil)
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
                    timeUs: UTCTimestamp.saturatingMicroseconds(time), topic: topic, payload: payload,
                    reason: "\(reason.rawValue): \(detail)")))
        logger.debug(
            "rejected reading", metadata: ["reject.reason": "\(reason.rawValue)", "mqtt.topic": "\(topic)"])
    }

    /// Whether `reading` is a redelivered duplicate of a reading `state` already accepted: same time and a
    /// bit-identical value (readings always have a value, so a missing step never matches).
    ///
    /// Called before the resampler with `rejection` nil, it consults the stream's window of recent raw readings
    /// (``RecentReadings``); this also keeps a redelivery out of a still-open bucket's aggregate. Called again with
    /// the resampler's `out_of_order` or `duplicate_timestamp` refusal, it looks further back for an event cadence
    /// only, where every accepted reading is a step: first the stream's waiting steps and its context ring (in
    /// memory, and restored after a restart), then, only for a time older than both, the Store's `observations`
    /// row at that microsecond. That read is indexed but costs about 0.5 ms in a debug build, which is why the
    /// in-memory steps come first. A duration cadence's older buckets are aggregates, which cannot identify one
    /// reading, so a redelivery into a closed bucket the window no longer holds (after a restart, an eviction, or
    /// more than ``RecentReadings/capacity`` later readings) stays an `out_of_order` reject.
    func isRedelivery(_ reading: StreamReading, of state: StreamState, after rejection: ResamplerRejection?) -> Bool {
        guard let rejection else { return state.recent.contains(time: reading.time, value: reading.value) }
        switch (rejection, state.resampler.cadence) {
        case (.outOfOrder, .event), (.duplicateTimestamp, .event): break
        default: return false
        }
        func same(_ step: Observation) -> Bool { step.value?.bitPattern == reading.value.bitPattern }
        if let step = state.pending.last(where: { $0.t == reading.time }) { return same(step) }
        // Event steps are in time order, and the context ring and the waiting steps are contiguous.
        let context = state.context
        var low = context.startIndex
        var high = context.endIndex
        while low < high {
            let middle = (low + high) / 2
            if context[middle].t < reading.time { low = middle + 1 } else { high = middle }
        }
        if low < context.endIndex, context[low].t == reading.time { return same(context[low]) }
        if let oldest = context.first?.t ?? state.pending.first?.t, reading.time >= oldest { return false }
        let tUs = UTCTimestamp.saturatingMicroseconds(reading.time)
        do {
            let stored = try store.observations(stream: state.id, afterUs: tUs - 1, beforeUs: tUs + 1, limit: 1)
            return stored.first?.value?.bitPattern == reading.value.bitPattern
        } catch {
            logger.debug("duplicate lookup failed", metadata: ["stream.id": "\(state.id)", "error": "\(error)"])
            return false
        }
    }

    /// Counts a redelivered reading; it is normal under QoS 1, so no reject row and no warning.
    func ignoreDuplicate(_ reading: StreamReading, topic: String) {
        _counters.duplicatesIgnored += 1
        logger.debug(
            "redelivered reading ignored",
            metadata: ["stream.id": "\(reading.streamID)", "mqtt.topic": "\(topic)", "reading.time": "\(reading.time)"])
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
        // Only the streams whose look is due, so a tick does not cost a pass over the fleet.
        var due: [BucketCheck] = []
        while let next = bucketChecks.min, next.time <= now { due.append(bucketChecks.removeMin()) }
        for check in due {
            // A stream evicted since, or an entry replaced by an earlier one, is skipped.
            guard let state = streams[check.key], state.bucketCheckAt == check.time,
                case .every(let seconds, _) = state.resampler.cadence
            else { continue }
            state.bucketCheckAt = .infinity
            bucketLooks += 1
            let skipped = state.resampler.skippedGapSteps
            let closed = state.resampler.advance(to: now - seconds)
            if !closed.isEmpty {
                noteLongGap(state, skippedBefore: skipped)
                state.pending.append(contentsOf: closed)
                touched.insert(check.key)
            }
            scheduleBucketCheck(state)
        }
    }

    /// Entries in the schedule of bucket checks, current or stale.
    var scheduledBucketChecks: Int { bucketChecks.count }

    /// Puts a duration-cadence stream in ``bucketChecks`` at the engine time its open (or next missing) bucket is
    /// one bucket in the past, unless it is there already for an earlier time. Called after its resampler changed:
    /// a reading only moves that time later, so an earlier entry is a look that finds nothing and reschedules.
    func scheduleBucketCheck(_ state: StreamState) {
        guard case .every(let seconds, _) = state.resampler.cadence,
            let watermark = state.resampler.nextCloseWatermark
        else { return }
        let time = watermark + seconds
        guard time < state.bucketCheckAt else { return }
        state.bucketCheckAt = time
        bucketChecks.insert(BucketCheck(time: time, key: StreamKey(state.id)))
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
