import BARNN
import Configuration
import Forecasting
import Formats
import Logging
import Storage
import Trainer

extension ForecastEngine {
    /// Applies finished trainings. A promoted candidate is swapped in and the group's streams re-warm from their
    /// context (forecasts of this tick already carry the new version); a candidate the gate refused leaves the active
    /// model in place; a failed first training keeps the fallback and waits for twice the data. Each outcome is one
    /// event carrying the trigger, the request id (if any) and the gate's scores.
    func applyTrainingResults(now: Double, into output: inout EngineOutput) {
        for result in trainer.drainResults() {
            guard let group = groups[result.group] else { continue }
            let trigger = result.trigger.rawValue
            switch result.outcome {
            case .success(let trained):
                let comparison = trained.comparison
                func outcome(version: Int, previous: Int?) -> EventDetail.TrainingOutcome {
                    EventDetail.TrainingOutcome(
                        version: version, previous: previous, promoted: previous != nil, steps: trained.report.steps,
                        series: trained.series, candidate: comparison.candidate.record,
                        active: comparison.active?.record, activeVersion: comparison.activeVersion,
                        tolerance: group.settings.retrain.promotionTolerance,
                        inputs: Self.modelInputs(trained.model.configuration),
                        alphaSpread: Self.alphaSpread(trained.report), request: result.requestID, trigger: trigger)
                }
                if let info = trained.info {
                    let previous = group.version
                    swapModel(group, model: trained.model, info: info)
                    group.training = .succeeded(version: info.version)
                    _counters.trainingsSucceeded += 1
                    _counters.promotions += 1
                    output.writes.append(
                        Self.eventRow(
                            at: now, model: group.name,
                            detail: .trainingSucceeded(outcome(version: info.version, previous: previous))))
                    logger.info(
                        "model swapped in",
                        metadata: ["model.name": "\(group.name)", "model.version": "\(group.version)"])
                } else {
                    group.training = .failed(
                        reason:
                            "candidate not promoted: CRPS \(comparison.candidate.crps) vs \(comparison.active?.crps ?? .nan)"
                    )
                    _counters.trainingsSucceeded += 1
                    _counters.promotionsRefused += 1
                    output.writes.append(
                        Self.eventRow(
                            at: now, model: group.name,
                            detail: .trainingRejected(outcome(version: group.version, previous: nil))))
                    logger.info(
                        "candidate not promoted; the active model stays",
                        metadata: ["model.name": "\(group.name)", "model.version": "\(group.version)"])
                }
            case .failure(let failure):
                group.training = .failed(reason: failure.reason)
                if group.model == nil { group.nextTrainingAt = 2 * max(1, presentSteps(of: group.name)) }
                _counters.trainingsFailed += 1
                output.writes.append(
                    Self.eventRow(
                        at: now, model: group.name,
                        detail: .trainingFailed(
                            .init(reason: failure.reason, request: result.requestID, trigger: trigger))))
                logger.info("training failed", metadata: ["model.name": "\(group.name)", "error": "\(failure.reason)"])
            }
        }
    }

    /// The inputs a trained model reads (level-context window, calendar components chosen from the group's cadence
    /// and season, the seasonal input's period; all recorded in its checkpoint), as event fields.
    static func modelInputs(_ configuration: BARNNConfiguration) -> EventDetail.ModelInputs {
        let calendar = configuration.calendar.components.map { component -> String in
            switch component {
            case .hourOfDay: "hour_of_day"
            case .dayOfWeek: "day_of_week"
            case .dayOfYear: "day_of_year"
            case .seasonIndex(let period): "season_index_\(period)"
            }
        }
        return EventDetail.ModelInputs(
            levelWindow: configuration.levelWindow, calendar: calendar, seasonalLag: configuration.seasonalLag)
    }

    /// The α spread at the trained model's best validation, if one was evaluated.
    static func alphaSpread(_ report: TrainingReport) -> EventDetail.AlphaSpread? {
        report.evaluatedSteps.lastIndex { $0 <= report.bestStep }.map {
            EventDetail.AlphaSpread(input: report.alphaSpread[$0].input, hidden: report.alphaSpread[$0].hidden)
        }
    }

    /// Makes `model` the group's serving model and re-warms every stream of the group from its context (streams
    /// with waiting steps warm in the next `advance`).
    func swapModel(_ group: ModelGroupRuntime, model: BARNNModel, info: CheckpointInfo) {
        group.model = model
        group.version = info.version
        group.checkpointID = info.id
        group.driftAlarmAt = nil  // alarms raised against the previous model are answered
        for state in streams.values where state.group == group.name {
            state.recurrent = nil
            state.dirty = true
        }
        warmAll(group)
    }

    /// Starts trainings: a group without a model once its streams hold `min_history` present steps; a group with
    /// one `retrain.drift_delay` after a drift alarm (when `retrain.drift_trigger` is on and `retrain.cooldown` has
    /// passed since its last retrain; the delay lets the new regime into the data the candidate trains and is
    /// validated on) or when `retrain.every` has elapsed inside `retrain.window`. Scheduled retrains wait for an idle
    /// trainer, so groups due together train one after the other.
    func startTrainings(now: Double, into output: inout EngineOutput) {
        for name in groups.keys.sorted() {
            let group = groups[name]!
            guard !group.isTraining else { continue }
            guard group.model != nil else {
                group.driftAlarmAt = nil  // alarms about the fallback do not ask for a retrain
                startFirstTraining(group, now: now, into: &output)
                continue
            }
            let retrain = group.settings.retrain
            let cooled = group.lastRetrainAt.map { now - $0 >= retrain.cooldown.totalSeconds } ?? true
            if let alarmAt = group.driftAlarmAt, now >= alarmAt + retrain.driftDelay.totalSeconds {
                group.driftAlarmAt = nil
                if retrain.driftTrigger && cooled {
                    submitTraining(group, trigger: .drift, requestID: nil, now: now, into: &output)
                    continue
                }
                if retrain.driftTrigger {
                    _counters.driftRetrainsSuppressed += 1
                    logger.info("drift retrain suppressed by the cooldown", metadata: ["model.name": "\(name)"])
                }
            }
            if now >= group.nextScheduledAt, cooled, Self.isInside(retrain.window, time: now), !trainer.isBusy {
                submitTraining(group, trigger: .schedule, requestID: nil, now: now, into: &output)
            }
        }
    }

    /// The first training waits for `min_history` present steps per stream that has any (on average): a fleet's
    /// first model trained on the first few dozen steps of each stream was worse than the fallback it replaced (the
    /// demo's three streams trained at 93 steps each and drew 90% bands 40 °C wide six hours ahead).
    private func startFirstTraining(_ group: ModelGroupRuntime, now: Double, into output: inout EngineOutput) {
        let total = presentSteps(of: group.name)
        let reporting = streams.values.filter { $0.group == group.name && $0.presentSteps > 0 }.count
        guard total >= max(group.settings.minHistory * max(1, reporting), group.nextTrainingAt) else { return }
        guard
            streams.values.contains(where: {
                $0.group == group.name
                    && $0.modelContext(contextLength: group.settings.contextLength).count
                        >= ModelTrainer.minimumSeriesLength
            })
        else { return }
        submitTraining(group, trigger: .first, requestID: nil, now: now, into: &output)
    }

    /// Queues a training job of `group` (the active model, if any, is the gate's reference) and records it.
    func submitTraining(
        _ group: ModelGroupRuntime, trigger: TrainingTrigger, requestID: String?, now: Double,
        into output: inout EngineOutput
    ) {
        let members = streams.values.filter { $0.group == group.name }.sorted { $0.id.precedesBytewise($1.id) }
        let retrain = group.settings.retrain
        // `retrain.history` counts back from each stream's newest step, not from the clock nor from the group's newest:
        // replayed or late data (years old, say) is still history to train on, exactly as when it was live, even
        // beside a stream on another clock.
        var options = trainingOptions
        options.seed = group.settings.seed
        options.validationFraction = Float(retrain.validationFraction)
        options.steps = min(options.steps, group.settings.trainingSteps)
        if options.blasThreads == nil { options.blasThreads = 1 }
        trainer.submit(
            TrainingJob(
                group: group.name, configuration: group.modelConfiguration, options: options,
                streams: members.map {
                    ($0.id, Array($0.modelContext(contextLength: group.settings.contextLength)), $0.steps)
                },
                season: group.settings.season,
                calendar: group.settings.calendar,
                historySeconds: retrain.history.totalSeconds,
                keepLast: retrain.keepLast,
                createdAtUs: UTCTimestamp.saturatingMicroseconds(now), trigger: trigger, requestID: requestID,
                active: group.model.map { ($0, group.version) }, warmStart: retrain.warmStart,
                gate: PromotionGate(
                    levels: group.levels, paths: group.settings.paths, horizon: group.settings.horizon,
                    tolerance: retrain.promotionTolerance,
                    seed: group.settings.seed, validationFraction: retrain.validationFraction)))
        group.training = .running
        group.lastRetrainAt = now
        group.nextScheduledAt = now + retrain.every.totalSeconds
        _counters.trainingsStarted += 1
        let total = presentSteps(of: group.name)
        output.writes.append(
            Self.eventRow(
                at: now, model: group.name,
                detail: .trainingStarted(
                    .init(streams: members.count, steps: total, trigger: trigger.rawValue, request: requestID))))
        logger.info(
            "training started",
            metadata: ["model.name": "\(group.name)", "model.steps": "\(total)", "training.trigger": "\(trigger)"])
    }

    /// Sets each group's first scheduled retrain: `retrain.every` after its last training (or now), not before now,
    /// plus a stagger of `every · i / n` for the i-th of n groups, so groups due together spread out.
    func scheduleRetrains(now: Double) {
        let names = groups.keys.sorted()
        for (i, name) in names.enumerated() {
            let group = groups[name]!
            let every = group.settings.retrain.every.totalSeconds
            let last = lastTrainingStart(model: name).map { UTCTimestamp.seconds(microseconds: $0) }
            // The schedule and the cooldown span a restart, whether or not the last candidate was promoted.
            group.lastRetrainAt = last
            let base = last ?? now
            group.nextScheduledAt = max(base + every, now) + every * Double(i) / Double(names.count)
        }
    }

    /// When the group's newest training started (µs): its `training_started` event, or, when retention removed the
    /// events, its newest checkpoint.
    private func lastTrainingStart(model name: String) -> Int64? {
        let started = (try? store.events(kind: .trainingStarted, model: name, limit: 1))?.first?.timeUs
        let checkpoint = (try? store.checkpoints(model: name).map(\.createdAtUs).max()).flatMap { $0 }
        return [started, checkpoint].compactMap { $0 }.max()
    }

    /// Whether `time` (Unix seconds) falls in the UTC window; nil means any time.
    static func isInside(_ window: DaemonConfiguration.TimeWindow?, time: Double) -> Bool {
        guard let window else { return true }
        let seconds = time.truncatingRemainder(dividingBy: 86400)
        let minute = Int((seconds < 0 ? seconds + 86400 : seconds) / 60)
        return window.contains(minuteOfDay: min(1439, max(0, minute)))
    }

    /// Present steps learned by the group's streams in memory.
    func presentSteps(of group: String) -> Int {
        streams.values.reduce(0) { $0 + ($1.group == group ? $1.presentSteps : 0) }
    }
}
