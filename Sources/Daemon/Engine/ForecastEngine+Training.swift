import BARNN
import Forecasting
import Logging
import Storage

extension ForecastEngine {
    /// Applies finished trainings: a success swaps the model in and re-warms the group's streams from their context;
    /// a failure keeps the fallback and waits for twice the data before the next attempt.
    func applyTrainingResults(now: Double, into output: inout EngineOutput) {
        for result in trainer.drainResults() {
            guard let group = groups[result.group] else { continue }
            switch result.outcome {
            case .success(let trained):
                group.model = trained.model
                group.version = trained.info.version
                group.checkpointID = trained.info.id
                group.training = .succeeded(version: trained.info.version)
                _counters.trainingsSucceeded += 1
                output.writes.append(
                    .event(
                        EventRecord(
                            timeMs: Self.milliseconds(now), kind: "training_succeeded", model: group.name,
                            detailJSON:
                                "{\"version\":\(trained.info.version),\"steps\":\(trained.report.steps),\"series\":\(trained.series)}"
                        )))
                for state in streams.values where state.group == group.name { state.recurrent = nil }
                warmAll(group)
                logger.info(
                    "model swapped in", metadata: ["model.name": "\(group.name)", "model.version": "\(group.version)"])
            case .failure(let failure):
                group.training = .failed(reason: failure.reason)
                group.nextTrainingAt = 2 * max(1, presentSteps(of: group.name))
                _counters.trainingsFailed += 1
                output.writes.append(
                    .event(
                        EventRecord(
                            timeMs: Self.milliseconds(now), kind: "training_failed", model: group.name,
                            detailJSON: "{\"reason\":\(Self.jsonString(failure.reason))}")))
                logger.info("training failed", metadata: ["model.name": "\(group.name)", "error": "\(failure.reason)"])
            }
        }
    }

    /// Starts the first training of every group without a model whose streams hold enough present steps.
    func startTrainings(now: Double, into output: inout EngineOutput) {
        for name in groups.keys.sorted() {
            let group = groups[name]!
            guard group.model == nil, !group.isTraining else { continue }
            let total = presentSteps(of: name)
            guard total >= max(group.settings.minHistory, group.nextTrainingAt) else { continue }
            let members = streams.values.filter { $0.group == name }.sorted { $0.id < $1.id }
            guard members.contains(where: { $0.context.count >= ModelTrainer.minimumSeriesLength }) else { continue }
            var options = trainingOptions
            options.seed = group.settings.seed
            options.validationFraction = Float(group.settings.retrain.validationFraction)
            if options.blasThreads == nil { options.blasThreads = 1 }
            trainer.submit(
                TrainingJob(
                    group: name, configuration: group.modelConfiguration, options: options,
                    streams: members.map { ($0.id, Array($0.context)) },
                    historyStartMs: Self.milliseconds(now - group.settings.retrain.history.totalSeconds),
                    keepLast: group.settings.retrain.keepLast, createdAtMs: Self.milliseconds(now)))
            group.training = .running
            _counters.trainingsStarted += 1
            output.writes.append(
                .event(
                    EventRecord(
                        timeMs: Self.milliseconds(now), kind: "training_started", model: name,
                        detailJSON: "{\"streams\":\(members.count),\"steps\":\(total)}")))
            logger.info("first training started", metadata: ["model.name": "\(name)", "model.steps": "\(total)"])
        }
    }

    /// Present steps learned by the group's streams in memory.
    func presentSteps(of group: String) -> Int {
        streams.values.reduce(0) { $0 + ($1.group == group ? $1.presentSteps : 0) }
    }
}
