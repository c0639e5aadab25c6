import BARNN
import Configuration
import Forecasting
import Formats
import HeapModule
import Ingest
import Logging
import Storage

extension ForecastEngine {
    /// Loads a group's active checkpoint; a damaged or mismatched one is logged, counted and recorded as an event,
    /// and the group stays on the fallback.
    func loadActiveCheckpoint(group: ModelGroupRuntime, now: Double) {
        do {
            guard let checkpoint = try store.activeCheckpoint(model: group.name) else { return }
            let model = try BARNN.Checkpoint.decode(checkpoint.blob, expected: group.modelConfiguration)
            group.model = model
            group.version = checkpoint.info.version
            group.checkpointID = checkpoint.info.id
            logger.info(
                "loaded active checkpoint",
                metadata: ["model.name": "\(group.name)", "model.version": "\(checkpoint.info.version)"])
        } catch {
            _counters.checkpointLoadFailures += 1
            // Not retried by the activation poll until another version is activated.
            group.refusedVersion = (try? store.checkpoints(model: group.name))?.first(where: \.isActive)?.version
            pendingWrites.append(
                Self.eventRow(
                    at: now, model: group.name,
                    detail: .checkpointLoadFailed(.init(version: nil, error: "\(error)"))))
            logger.info(
                "active checkpoint not loaded; the group stays on the fallback",
                metadata: ["model.name": "\(group.name)", "error": "\(error)"])
        }
    }

    /// Loads saved states, the most recently seen `max_streams` into memory (the rest on demand), and replays the
    /// observations stored after each. Rows are read one at a time, so a start holds one saved row beside the
    /// restored streams, not every row of a large fleet.
    func restoreStreams(now: Double) throws {
        for name in try store.streamsWithSavedState() {
            guard streams.count < configuration.engine.maxStreams else {
                savedElsewhere.insert(StreamKey(name))
                continue
            }
            guard let record = try store.streamState(named: name), let parts = decode(record) else { continue }
            _ = try restore(record, parts: parts)
        }
        var output = EngineOutput()
        _ = learnPending(now: now, into: &output)
        for group in groups.values { warmAll(group) }
        pendingWrites.append(contentsOf: output.writes)
        if !streams.isEmpty || !savedElsewhere.isEmpty {
            logger.info(
                "restored stream states",
                metadata: [
                    "engine.streams": "\(streams.count)", "engine.replayed": "\(_counters.replayedObservations)",
                    "engine.saved_not_loaded": "\(savedElsewhere.count)",
                ])
        }
    }

    /// Decodes a saved row and checks it against the bounds of its group and rule; nil when unusable. A refused
    /// row is counted and logged with its reason, and the stream starts cold when it next sends.
    func decode(_ record: StreamStateRecord) -> StreamState.Parts? {
        do throws(StreamState.Refusal) {
            let rules = configuration.rules
            let parts = try StreamState.parts(of: record) { normaliser in
                self.groups[normaliser.group].map {
                    StreamState.Bounds(
                        group: $0.settings, name: $0.name, levels: $0.levels, ruleIndex: normaliser.ruleIndex,
                        rules: rules)
                }
            }
            if parts == nil {
                logger.debug(
                    "saved state of a removed model group ignored", metadata: ["stream.id": "\(record.stream)"])
            }
            return parts
        } catch {
            _counters.stateDecodeFailures += 1
            logger.warning(
                "saved stream state refused; the stream starts cold",
                metadata: ["stream.id": "\(record.stream)", "error": "\(error)"])
            return nil
        }
    }

    /// Puts a saved stream in memory, queues the observations stored after its state for replay, and brings its
    /// resampler past them. A hidden state of another checkpoint is dropped (re-warmed from the context).
    @discardableResult
    func restore(_ record: StreamStateRecord, parts: StreamState.Parts) throws -> StreamState {
        let state = StreamState(id: record.stream, group: parts.normaliser.group, parts: parts)
        let group = groups[state.group]!
        adoptScorePool(state, group: group)
        if record.checkpointID == nil || record.checkpointID != group.checkpointID { state.recurrent = nil }
        let newer = try store.observations(stream: record.stream, afterUs: record.tUs)
        let replay = newer.map { Observation(t: UTCTimestamp.seconds(microseconds: $0.tUs), value: $0.value) }
        if let last = replay.last {
            switch state.resampler.cadence {
            // The replayed steps are final: the resampler must not emit them (or anything before them) again.
            // What its saved open bucket held is in those steps already, so closing it discards nothing new.
            case .every(let seconds, _): _ = state.resampler.advance(to: last.t + seconds)
            case .event:
                if let present = replay.last(where: { $0.value != nil }), let value = present.value {
                    _ = try? state.resampler.ingest(Forecasting.Reading(time: present.t, value: value))
                }
            }
            state.pending = replay + state.pending
            state.replayPending = replay.count
            state.forecastOwed = true
            touched.insert(StreamKey(record.stream))
        }
        streams[record.stream] = state
        scheduleBucketCheck(state)
        savedElsewhere.remove(StreamKey(record.stream))
        _counters.streamsRestored += 1
        return state
    }

    /// Points a restored stream's calibrator at its group's score pool where the shapes match, moving the windows a
    /// state saved before pooling (or under `pool = "stream"`) kept into the pool; where the group has no pool of
    /// that shape, the calibrator gets empty windows of its own. Its effective levels are kept either way.
    func adoptScorePool(_ state: StreamState, group: ModelGroupRuntime) {
        let calibrator = state.feedback.calibrator
        guard calibrator.usesScores else { return }
        // Not bound with `if let`: a copy alive while the pool is appended to would copy all of its windows.
        if group.scorePool.map(calibrator.fits) == true {
            guard !calibrator.isPooled else { return }
            state.feedback.moveScores(into: &group.scorePool!)
            group.scorePoolDirty = true
            state.dirty = true
        } else if calibrator.isPooled {
            state.feedback.keepOwnScores()
            state.dirty = true
            logger.debug(
                "a stream's calibration score pool does not match its group's; it keeps windows of its own",
                metadata: ["stream.id": "\(state.id)", "model.name": "\(group.name)"])
        }
    }

    /// Loads every model group's saved score pool that matches the group's levels, horizon and window. One that
    /// does not decode or match is logged and counted, and the group starts from an empty pool.
    func restoreScorePools() throws {
        for record in try store.calibrationPools() {
            guard let group = groups[record.model], group.scorePool != nil else { continue }
            do {
                let pool = try StreamState.decodeScorePool(record.pool)
                guard
                    pool.fits(
                        levelCount: group.levels.count, horizon: group.settings.horizon,
                        window: group.settings.calibration.window)
                else {
                    throw ScorePoolMismatch(
                        found: "\(pool.levelCount) levels, horizon \(pool.horizon), window \(pool.window)")
                }
                group.scorePool = pool
            } catch {
                _counters.calibrationPoolDecodeFailures += 1
                logger.warning(
                    "saved calibration score pool refused; the group's streams calibrate from a fresh pool",
                    metadata: ["model.name": "\(record.model)", "error": "\(error)"])
            }
        }
    }

    /// Saves the score pools that changed (or all) as `calibration_pools` rows.
    func saveScorePools(all: Bool, now: Double, into output: inout EngineOutput) {
        for name in groups.keys.sorted() {
            let group = groups[name]!
            guard let pool = group.scorePool, all || group.scorePoolDirty else { continue }
            do {
                output.writes.append(
                    .calibrationPool(
                        CalibrationPoolRecord(
                            model: name, savedAtUs: UTCTimestamp.saturatingMicroseconds(now),
                            pool: try StreamState.encodeScorePool(pool))))
                group.scorePoolDirty = false
            } catch {
                logger.info(
                    "calibration score pool not encodable", metadata: ["model.name": "\(name)", "error": "\(error)"])
            }
        }
    }

    /// An evicted (or not yet loaded) stream that sends again: restored from its saved state.
    func restoreReturning(_ id: String, now: Double) -> StreamState? {
        var record = dormant.removeValue(forKey: id)
        if record != nil {
            dormantOrder.removeAll { $0.equalsBytewise(id) }
        } else if savedElsewhere.contains(StreamKey(id)) {
            record = try? store.streamState(named: id)
        }
        guard let record, let parts = decode(record) else { return nil }
        guard let state = try? restore(record, parts: parts) else { return nil }
        if let group = groups[state.group], state.recurrent == nil, state.replayPending == 0 {
            warmUp(state, group: group)
        }
        logger.debug("stream restored", metadata: ["stream.id": "\(id)"])
        return state
    }

    /// Warms every stream of `group` that has no hidden state (after a restore or a model swap).
    func warmAll(_ group: ModelGroupRuntime) {
        guard group.model != nil else { return }
        for id in streams.sortedIDs {
            let state = streams[id]!
            if state.group == group.name, state.recurrent == nil, state.pending.isEmpty { warmUp(state, group: group) }
        }
    }

    /// A round over at most this many streams is saved in the tick it starts, as one output (as before rounds);
    /// a larger fleet's round is spread over the interval.
    public static let stateSaveBatch = 128

    /// Periodic saves. Every `engine.state_save_interval` a round over the streams in memory starts. Beyond
    /// ``stateSaveBatch`` streams, each tick visits its share of the round, in proportion to the engine time since the
    /// previous share, and saves those that changed: the shares of an interval add up to the round, so every changed
    /// state is still saved once an interval, but the encoding and writing are spread evenly over it instead of
    /// stalling one tick (about 1.8 s at 10,000 streams) and the readings that wait for it.
    func saveStatesDue(now: Double, into output: inout EngineOutput) {
        let interval = configuration.engine.stateSaveInterval.totalSeconds
        if now - lastStateSave >= interval {
            // What is left of the last round is its final share (the ticks were sparse).
            saveRoundShare(visiting: saveRound.count, now: now, into: &output)
            saveScorePools(all: false, now: now, into: &output)
            saveRound = streams.sortedIDs.reversed()
            saveRoundSize = saveRound.count
            lastStateSave = now
            lastSaveShare = now
            if saveRoundSize <= Self.stateSaveBatch { saveRoundShare(visiting: saveRoundSize, now: now, into: &output) }
        }
        guard !saveRound.isEmpty else { return }
        let share = (Double(saveRoundSize) * max(0, now - lastSaveShare) / interval).rounded(.up)
        saveRoundShare(visiting: Int(min(share, Double(saveRound.count))), now: now, into: &output)
        lastSaveShare = now
    }

    /// Visits the next `count` streams of the save round and saves the changed ones; a stream evicted since the
    /// round started was saved by its eviction.
    func saveRoundShare(visiting count: Int, now: Double, into output: inout EngineOutput) {
        for _ in 0..<min(count, saveRound.count) {
            let id = saveRound.removeLast()
            guard let state = streams[id], state.dirty, let record = saveRecord(state, now: now) else { continue }
            output.writes.append(.streamState(record))
        }
    }

    /// Saves every state as `stream_states` rows, and the score pools they feed (at shutdown).
    func saveAllStates(now: Double, into output: inout EngineOutput) {
        saveScorePools(all: true, now: now, into: &output)
        saveRound.removeAll()
        for id in streams.sortedIDs {
            guard let record = saveRecord(streams[id]!, now: now) else { continue }
            output.writes.append(.streamState(record))
        }
    }

    /// A state's row, counted; nil (logged) if it cannot be encoded.
    func saveRecord(_ state: StreamState, now: Double) -> StreamStateRecord? {
        do {
            let record = try state.record(checkpointID: groups[state.group]?.checkpointID, savedAt: now)
            state.dirty = false
            _counters.stateSaves += 1
            return record
        } catch {
            logger.info("stream state not encodable", metadata: ["stream.id": "\(state.id)", "error": "\(error)"])
            return nil
        }
    }

    /// Evicts the least recently seen streams beyond `engine.max_streams`, saving each state first.
    func evictBeyondLimit(now: Double, into output: inout EngineOutput) {
        let excess = streams.count - configuration.engine.maxStreams
        guard excess > 0 else { return }
        let victims = leastRecentlySeen(excess)
        let dormantCapacity = max(16, configuration.engine.maxStreams / 8)
        for state in victims {
            guard let record = saveRecord(state, now: now) else { continue }
            output.writes.append(.streamState(record))
            output.writes.append(
                Self.eventRow(
                    at: now, model: state.group, stream: state.id,
                    detail: .eviction(.init(maxStreams: configuration.engine.maxStreams))))
            streams.removeValue(forKey: state.id)
            dormant[state.id] = record
            dormantOrder.append(state.id)
            if dormantOrder.count > dormantCapacity {
                let dropped = dormantOrder.removeFirst()
                dormant.removeValue(forKey: dropped)
                savedElsewhere.insert(StreamKey(dropped))
            }
            _counters.evictions += 1
            logger.info("stream evicted", metadata: ["stream.id": "\(state.id)"])
        }
    }
}

extension ForecastEngine {
    /// A stream by when it was last seen, ties by id (bytewise).
    struct Recency: Comparable {
        var state: StreamState

        static func == (left: Recency, right: Recency) -> Bool {
            left.state.lastSeen == right.state.lastSeen && left.state.id.equalsBytewise(right.state.id)
        }

        static func < (left: Recency, right: Recency) -> Bool {
            let l = left.state, r = right.state
            return l.lastSeen != r.lastSeen ? l.lastSeen < r.lastSeen : l.id.precedesBytewise(r.id)
        }
    }

    /// The `count` least recently seen streams, least recent first. A bounded max-heap keeps the candidates, so a
    /// fleet over `max_streams` costs a pass over it per eviction, not a sort of it (new streams arrive every tick).
    func leastRecentlySeen(_ count: Int) -> [StreamState] {
        var kept = Heap<Recency>()
        for state in streams.values {
            let candidate = Recency(state: state)
            if kept.count < count {
                kept.insert(candidate)
            } else if let newest = kept.max, candidate < newest {
                kept.replaceMax(with: candidate)
            }
        }
        return kept.unordered.sorted().map(\.state)
    }
}

/// A saved score pool shaped for other levels, horizon or window than its group's.
struct ScorePoolMismatch: Error, CustomStringConvertible {
    /// The saved pool's shape.
    var found: String

    var description: String { "saved pool has \(found), not the group's" }
}
