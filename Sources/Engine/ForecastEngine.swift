public import BARNN
public import Configuration
import Forecasting
import Formats
import HeapModule
import Ingest
public import Logging
public import Storage
import Trainer

/// The one owner of every stream's state: turns MQTT messages into observations, forecasts and rows.
///
/// Not `Sendable`: the runtime's engine thread owns it (a dedicated `Thread`, since BLAS calls block). It does no
/// I/O except reading the Store at start-up (restore), when an evicted stream comes back, every
/// `controlPollInterval` (5 s) of engine time (train requests and the active checkpoints: a few indexed reads), when
/// a checkpoint activated by someone else is swapped in, and through the trainer (which reads observations and
/// stores a checkpoint on its own thread); everything else it wants done is returned as ``EngineOutput`` values.
/// Time is only ever the `now` passed in (wall time in the daemon, data time in a backtest).
///
/// ## How the engine works
/// `receive` decodes a message (``Ingestor``: topic rule → stream id, payload → readings), turns rejects into
/// `rejects` rows and counters, and feeds each reading to its stream's ``Resampler``; the steps it closes wait in the
/// stream. `tick` then, in this order:
/// 1. swaps in models whose training was promoted (events, re-warm from each stream's context);
/// 2. closes buckets whose end is more than one bucket in the past (silent streams still get explicit gaps), looking
///    only at the streams due (a heap of bucket checks, `closeElapsedBuckets`);
/// 3. per waiting step, in time order: writes the `observations` row, **scores** the forecasts issued h steps
///    earlier against it (``ForecastFeedback/score(_:)``: conformal **calibrator** update per step h; step 1 also
///    into the **drift** monitor), lets the fallback **learn** it and appends it to the context ring;
/// 4. advances the BARNN hidden states of every stream of a group with one batched `step` per round of steps
///    (streams reaching `min_history` are warmed from their context instead);
/// 5. **forecasts** every due stream (`forecast_every` steps since its last forecast): one `sample` call per model
///    group (rows = N·S) for warm streams, the fallback for the others, then calibrates each step's quantiles
///    (``ForecastFeedback/issue(_:calibrate:keepMedian:floor:)``, as ``ProgressiveEvaluation`` does per observation);
/// 6. every `controlPollInterval` of engine time, reads train requests and checkpoint activations (rollbacks)
///    from the Store; starts a group's first training once its streams hold `min_history` present steps, and
///    retrains (scheduled, drift-triggered, requested) through the promotion gate (`+Retraining`);
/// 7. evicts the least recently seen streams beyond `max_streams` (state saved first) and saves changed states:
///    every `engine.state_save_interval` a round over the streams starts, and each tick saves its share of the
///    round (`saveStatesDue`), so that no tick encodes and writes a whole fleet at once.
///
/// Determinism: a sample call draws from `SeededRNG(seed: group seed).substream(issue time in ms)`, so the same
/// states, batch and tick time give bit-identical forecasts.
public final class ForecastEngine {
    var configuration: DaemonConfiguration
    var ingestor: Ingestor
    let store: Store
    let logger: Logger
    let trainer: ModelTrainer
    let trainingOptions: TrainingOptions
    var groups: [String: ModelGroupRuntime] = [:]
    var streams = StreamTable<StreamState>()
    /// Duration-cadence streams by the engine time their resampler next has a bucket to close (one entry a stream
    /// is current, see `StreamState.bucketCheckAt`), so a tick looks at the streams due instead of every stream.
    var bucketChecks = Heap<BucketCheck>()
    /// Streams looked at for buckets to close since the engine started: what the schedule saves, for tests.
    var bucketLooks = 0
    /// Streams with waiting steps or an owed forecast since the last tick (so a tick costs O(touched), not O(N)).
    var touched: Set<StreamKey> = []
    /// States of evicted streams, kept encoded (FIFO, bounded) so a returning stream need not wait for the writer.
    var dormant = StreamTable<StreamStateRecord>()
    var dormantOrder: [String] = []
    /// Streams known to have a saved row in the Store although not in memory.
    var savedElsewhere: Set<StreamKey> = []
    /// Rows produced outside `tick` (rejects, start-up events), returned by the next `tick`.
    var pendingWrites: [WriteItem] = []
    /// Engine time the current round of periodic saves started.
    var lastStateSave: Double
    /// The streams the current round of periodic saves has not visited yet, last to visit first.
    var saveRound: [String] = []
    /// How many streams the current round started with, and the engine time of its last share.
    var saveRoundSize = 0
    var lastSaveShare: Double
    /// Engine time of the last look at the Store for train requests and activations (see `+Control`).
    var lastControlPoll: Double
    /// Train requests already honoured (request ids), so a request is acted on once.
    var handledRequests: Set<String> = []
    var _counters = EngineCounters()

    /// Default training options of a first training: the BARNN defaults with one BLAS thread.
    public static var defaultTrainingOptions: TrainingOptions {
        var options = TrainingOptions()
        options.blasThreads = 1
        return options
    }

    /// Loads active checkpoints and saved stream states from `store`, replays observations newer than each saved state.
    ///
    /// - Parameters:
    ///   - now: Unix seconds; the start of the first state-save interval.
    ///   - training: options of first trainings (tests pass tiny ones); seed and validation fraction come from the
    ///     group.
    /// - Throws: `ConfigurationError` for an invalid configuration; `StorageError` if the Store cannot be read. A
    ///   damaged checkpoint or state is not an error: it is logged, counted and the group or stream starts cold.
    public init(
        configuration: DaemonConfiguration, store: Store, logger: Logger, now: Double,
        training: TrainingOptions = ForecastEngine.defaultTrainingOptions
    ) throws {
        let valid = try configuration.validated()
        self.configuration = valid
        self.ingestor = try Ingestor(configuration: valid)
        self.store = store
        self.logger = logger
        self.trainingOptions = training
        self.lastStateSave = now
        self.lastSaveShare = now
        self.lastControlPoll = now
        self.trainer = ModelTrainer(store: store, logger: logger)
        // Process-global in OpenBLAS (see ModelTrainer): one thread for the engine's small GEMMs.
        BLASThreads.set(1)
        for name in valid.modelGroupNames {
            groups[name] = try ModelGroupRuntime(name: name, settings: valid.models[name]!)
            loadActiveCheckpoint(group: groups[name]!, now: now)
        }
        try restoreScorePools()
        try restoreStreams(now: now)
        scheduleRetrains(now: now)
        markHandledRequests(now: now)
        _counters.streamsActive = streams.count
    }

    deinit {
        trainer.stop()
    }

    /// Decodes one MQTT message (Ingestor → rule → stream → Resampler); rejects become reject rows + counters.
    ///
    /// A reading that repeats an accepted one of its stream (same time, bit-identical value) is a redelivery: it is
    /// counted in ``EngineCounters/duplicatesIgnored`` and changes nothing, without a reject row or a warning. See
    /// ``isRedelivery(_:of:after:)`` for what the engine can still see.
    public func receive(topic: String, payload: [UInt8], arrivalTime: Double) {
        _counters.messages += 1
        let output = ingestor.ingest(topic: topic, payload: payload, arrivalTime: arrivalTime)
        for reject in output.rejects {
            recordReject(reject.reason, detail: reject.detail, topic: topic, payload: payload, time: arrivalTime)
        }
        for reading in output.readings {
            _counters.readings += 1
            guard let state = stream(for: reading, arrivalTime: arrivalTime) else {
                // Unreachable with a validated configuration; kept as a reject so no reading vanishes uncounted.
                let rule = configuration.rules[reading.rule]
                let detail = "rule '\(rule.name)' serves model group '\(rule.model)', which is not loaded"
                recordReject(.noMatchingRule, detail: detail, topic: topic, payload: payload, time: arrivalTime)
                continue
            }
            state.lastSeen = arrivalTime
            if let unit = reading.unit { state.unit = unit }
            touched.insert(StreamKey(state.id))
            if isRedelivery(reading, of: state, after: nil) {
                ignoreDuplicate(reading, topic: topic)
                continue
            }
            let skipped = state.resampler.skippedGapSteps
            do throws(ResamplerRejection) {
                try state.resampler.ingest(
                    Forecasting.Reading(time: reading.time, value: reading.value), into: &state.pending)
                state.recent.append(time: reading.time, value: reading.value)
                noteLongGap(state, skippedBefore: skipped)
                scheduleBucketCheck(state)
            } catch {
                if isRedelivery(reading, of: state, after: error) {
                    ignoreDuplicate(reading, topic: topic)
                    continue
                }
                let (reason, detail) = Self.rejectReason(error)
                recordReject(reason, detail: detail, topic: topic, payload: payload, time: arrivalTime)
            }
        }
    }

    /// Runs the batched work for everything received since the last call (see the type's doc for the order).
    /// Returns what to publish and what to store.
    public func tick(now: Double) -> EngineOutput {
        var output = EngineOutput(writes: pendingWrites)
        pendingWrites.removeAll()
        applyTrainingResults(now: now, into: &output)
        pollControl(now: now, into: &output)
        closeElapsedBuckets(now: now)
        let learned = learnPending(now: now, into: &output)
        issueForecasts(candidates: learned, now: now, into: &output)
        touched.removeAll(keepingCapacity: true)
        startTrainings(now: now, into: &output)
        evictBeyondLimit(now: now, into: &output)
        saveStatesDue(now: now, into: &output)
        _counters.streamsActive = streams.count
        return output
    }

    /// Everything needed for a clean shutdown: pending steps learned (no forecasts), every stream's state as
    /// WriteItems and a final `events` row. The trainer stops after the job it is running.
    public func shutdown(now: Double) -> EngineOutput {
        var output = EngineOutput(writes: pendingWrites)
        pendingWrites.removeAll()
        applyTrainingResults(now: now, into: &output)
        _ = learnPending(now: now, into: &output)
        saveAllStates(now: now, into: &output)
        trainer.stop()
        // The process exits soon after this returns: a training still inside BLAS then would die mid-call (and
        // OpenBLAS's teardown under it can crash). Cancellation takes effect at its next step.
        if !trainer.waitUntilIdle(timeout: .seconds(10)) {
            logger.warning("a training did not stop within 10 s; exiting anyway")
        }
        output.writes.append(
            Self.eventRow(at: now, detail: .shutdown(.init(streams: streams.count))))
        logger.info("engine shut down", metadata: ["engine.streams": "\(streams.count)"])
        return output
    }

    /// SIGHUP: new rules, publish settings, engine limits and the per-group `paths`, `sampling_antithetic`,
    /// `forecast_every`, `seed`, `min_history`, `retrain` and calibration rate take effect; stream states and models
    /// are kept. Shape-changing group settings (`hidden_size`, `horizon`, `quantiles`, `context_length`) keep their old
    /// values until restart.
    public func reload(_ configuration: DaemonConfiguration) throws(ConfigurationError) {
        let valid = try configuration.validated()
        let ingestor = try Ingestor(configuration: valid)
        self.ingestor = ingestor
        for name in valid.modelGroupNames {
            let settings = valid.models[name]!
            if let group = groups[name] {
                var kept = settings
                kept.hiddenSize = group.settings.hiddenSize
                kept.horizon = group.settings.horizon
                kept.quantiles = group.settings.quantiles
                kept.contextLength = group.settings.contextLength
                // The score pool's shape, and whether there is one, are fixed at start like the model's.
                kept.calibration.method = group.settings.calibration.method
                kept.calibration.window = group.settings.calibration.window
                kept.calibration.pool = group.settings.calibration.pool
                if kept != settings {
                    logger.info(
                        "shape settings of a model group take effect at restart", metadata: ["model.name": "\(name)"])
                }
                group.settings = kept
            } else if let group = try? ModelGroupRuntime(name: name, settings: settings) {
                groups[name] = group
                loadActiveCheckpoint(group: group, now: lastStateSave)
                group.nextScheduledAt = lastControlPoll + settings.retrain.every.totalSeconds
            }
        }
        var merged = valid
        merged.models = valid.models.merging(groups.mapValues(\.settings)) { _, kept in kept }
        self.configuration = merged
    }

    /// The counters now.
    public var counters: EngineCounters { _counters }

    /// Per model group: name, active version (0 = none), kind, streams, last training outcome.
    public var modelSummaries: [ModelSummary] {
        var perGroup: [String: Int] = [:]
        for state in streams.values { perGroup[state.group, default: 0] += 1 }
        return groups.keys.sorted().map { name in
            let group = groups[name]!
            return ModelSummary(
                name: name, version: group.version, kind: group.model == nil ? .fallback : .barnn,
                streams: perGroup[name] ?? 0, lastTraining: group.training)
        }
    }

    /// Waits until no training job is queued or running (at most `timeout`); true when idle. The results are
    /// applied by the next `tick`.
    public func waitForTrainer(timeout: Duration) -> Bool {
        trainer.waitUntilIdle(timeout: timeout)
    }

    /// An event row at `time` (Unix seconds): what every engine event writes.
    static func eventRow(at time: Double, model: String? = nil, stream: String? = nil, detail: EventDetail) -> WriteItem
    {
        .event(
            EventRecord(
                timeUs: UTCTimestamp.saturatingMicroseconds(time), model: model, stream: stream, detail: detail))
    }
}
