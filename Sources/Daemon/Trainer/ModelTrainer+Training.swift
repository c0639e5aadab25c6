import BARNN
import Forecasting
import Foundation
import Logging
import Storage

extension ModelTrainer {
    /// The shortest series (steps) a training can use: a window of 8 steps plus a validation tail.
    static let minimumSeriesLength = 16

    /// Reads the group's series, trains a candidate, scores it and the active model on the same validation windows,
    /// and stores and activates the candidate when the gate passes. Runs on the trainer thread.
    static func train(
        _ job: TrainingJob, store: Store, logger: Logger, shouldStop: () -> Bool = { false }
    ) -> Result<TrainingResult.Trained, TrainingFailure> {
        var series: [TrainingSeries] = []
        for (id, context) in job.streams {
            let steps = historySteps(stream: id, context: context, historyStartUs: job.historyStartUs, store: store)
            guard steps.count >= minimumSeriesLength else { continue }
            let values = steps.map { $0.value.map(Float.init) ?? .nan }
            series.append(
                TrainingSeries(values: values, timeFeatures: TimeFeatures.features(unixTimes: steps.map(\.t))))
        }
        guard let longest = series.map(\.values.count).max() else {
            return .failure(TrainingFailure(reason: "no stream has \(minimumSeriesLength) steps"))
        }
        var options = job.options
        // Short histories: the window must fit the training part of the longest series.
        let trainPart = longest - Int(Float(longest) * options.validationFraction)
        options.window = max(8, min(options.window, trainPart - 1))
        options.burnIn = min(options.burnIn, options.window / 4)
        let trained: (model: BARNNModel, report: TrainingReport)
        do {
            let initial = job.active.flatMap {
                job.warmStart && $0.model.configuration == job.configuration ? $0.model : nil
            }
            trained = try BARNNTrainer.train(
                series: series, configuration: job.configuration, options: options, initial: initial,
                shouldStop: shouldStop)
        } catch {
            return .failure(TrainingFailure(reason: "training refused: \(error)"))
        }
        let report = trained.report
        guard trained.model.parameters.allSatisfy(\.isFinite) else {
            return .failure(TrainingFailure(reason: "training diverged (non-finite parameters)"))
        }
        let comparison = job.gate.compare(
            candidate: trained.model, active: job.active,
            series: series.map { PromotionGate.Series(values: $0.values, timeFeatures: $0.timeFeatures) })
        guard comparison.promote else {
            logger.info(
                "candidate not promoted",
                metadata: [
                    "model.name": "\(job.group)", "gate.candidate_crps": "\(comparison.candidate.crps)",
                    "gate.active_crps": "\(comparison.active?.crps ?? .nan)",
                ])
            return .success(
                TrainingResult.Trained(
                    model: trained.model, info: nil, report: report, series: series.count, comparison: comparison))
        }
        let metrics =
            "{\"steps\":\(report.steps),\"best_step\":\(report.bestStep),\"series\":\(series.count),"
            + "\"window\":\(options.window),\"train_nll\":\(json(report.trainNLL.last)),"
            + "\"trigger\":\"\(job.trigger.rawValue)\"}"
        let validation =
            "{\"initial_nll\":\(json(report.initialValidationNLL)),\"nll\":\(json(report.validationNLL.min())),"
            + "\"gate\":\(comparison.candidate.json)}"
        do {
            let info = try store.saveCheckpoint(
                NewCheckpoint(
                    model: job.group, kind: "barnn", createdAtUs: job.createdAtUs, trainingMetricsJSON: metrics,
                    validationMetricsJSON: validation, blob: BARNN.Checkpoint.encode(trained.model)),
                activate: true, keepLast: job.keepLast)
            logger.info(
                "trained model promoted", metadata: ["model.name": "\(job.group)", "model.version": "\(info.version)"])
            return .success(
                TrainingResult.Trained(
                    model: trained.model, info: info, report: report, series: series.count, comparison: comparison))
        } catch {
            return .failure(TrainingFailure(reason: "storing the checkpoint failed: \(error)"))
        }
    }

    /// The steps of `retrain.history` up to the last step the engine had learned when the job was queued: the
    /// context where it reaches back far enough, and only the older part from the Store. Rows the writer has not
    /// committed yet are always inside the context (it spans `context_length` steps, the writer lags by a batch), so
    /// the series does not depend on how far the writer got: a backtest is reproducible, and a retrain never reads
    /// steps newer than its job.
    static func historySteps(
        stream id: String, context: [Observation], historyStartUs: Int64, store: Store
    ) -> [Observation] {
        let start = UTCTimestamp.seconds(microseconds: historyStartUs)
        let recent = context.drop { $0.t <= start }
        guard let first = context.first, first.t > start else { return Array(recent) }
        let older =
            (try? store.observations(
                stream: id, afterUs: historyStartUs, beforeUs: ForecastEngine.microseconds(first.t)))
            ?? []
        return older.map { Observation(t: UTCTimestamp.seconds(microseconds: $0.tUs), value: $0.value) } + recent
    }

    private static func json(_ value: Float?) -> String {
        guard let value, value.isFinite else { return "null" }
        return "\(value)"
    }
}
