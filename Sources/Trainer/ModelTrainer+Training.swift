import BARNN
import Configuration
import Forecasting
import Formats
import Foundation
import Logging
import Storage

extension ModelTrainer {
    /// The shortest series (steps) a training can use: a window of 8 steps plus a validation tail.
    package static let minimumSeriesLength = 16

    /// Reads the group's series, trains a candidate, scores it and the active model on the same validation windows,
    /// and stores and activates the candidate when the gate passes. Runs on the trainer thread.
    static func train(
        _ job: TrainingJob, store: Store, logger: Logger, shouldStop: () -> Bool = { false }
    ) -> Result<TrainingResult.Trained, TrainingFailure> {
        var histories: [(times: [Double], values: [Float], firstIndex: Int)] = []
        for (id, context, count) in job.streams {
            let startUs = context.last.map { UTCTimestamp.saturatingMicroseconds($0.t - job.historySeconds) } ?? .min
            let steps = historySteps(stream: id, context: context, historyStartUs: startUs, store: store)
            guard steps.count >= minimumSeriesLength else { continue }
            histories.append(
                (steps.map(\.t), steps.map { $0.value.map(Float.init) ?? .nan }, max(0, count - steps.count)))
        }
        guard let longest = histories.map(\.values.count).max() else {
            return .failure(TrainingFailure(reason: "no stream has \(minimumSeriesLength) steps"))
        }
        var configuration = job.configuration
        configuration.calendar =
            switch job.calendar {
            case .auto: calendar(for: histories.map(\.times), season: job.season)
            case .hourAndWeek: .hourAndWeek
            }
        configuration.timeFeatures = configuration.calendar.count
        let series = histories.map {
            TrainingSeries(
                values: $0.values,
                timeFeatures: configuration.calendar.features(unixTimes: $0.times, firstIndex: $0.firstIndex))
        }
        var options = job.options
        // Short histories: the window must fit the training part of the longest series.
        let trainPart = longest - Int(Float(longest) * options.validationFraction)
        options.window = max(8, min(options.window, trainPart - 1))
        options.burnIn = min(options.burnIn, options.window / 4)
        let trained: (model: BARNNModel, report: TrainingReport)
        do {
            let fitted = BARNNTrainer.fitted(configuration, series: series, options: options)
            // Same network shapes are enough: a level window or calendar chosen anew (the history grew, the cadence
            // changed) reads inputs of the same kind, so the active weights are still the better start. A group that
            // switched posterior starts afresh: the other posterior's weights were fitted to other noise. SGLD
            // particles are redrawn after every fit, so the trainer takes the network part of an SGLD model.
            let initial = job.active.flatMap { active -> BARNNModel? in
                let c = active.model.configuration
                guard job.warmStart, c.accepts(fitted), c.inputSize == fitted.inputSize,
                    c.timeFeatures == fitted.timeFeatures, fitted.posterior.warmStarts(from: c.posterior)
                else { return nil }
                var start = fitted
                start.posterior = c.posterior
                return BARNNModel(configuration: start, parameters: active.model.parameters)
            }
            trained = try BARNNTrainer.train(
                series: series, configuration: configuration, options: options, initial: initial,
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
            series: histories.map {
                PromotionGate.Series(values: $0.values, times: $0.times, firstIndex: $0.firstIndex)
            })
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
        var metrics = JSONWriter(numberStyle: .swift)
        metrics.object { metrics in
            metrics.key("steps")
            metrics.integer(report.steps)
            metrics.key("best_step")
            metrics.integer(report.bestStep)
            metrics.key("series")
            metrics.integer(series.count)
            metrics.key("window")
            metrics.integer(options.window)
            metrics.key("train_nll")
            metrics.number(report.trainNLL.last)
            metrics.key("trigger")
            metrics.string(job.trigger.rawValue)
            metrics.key("posterior")
            metrics.string(trained.model.configuration.posterior.name)
            if let sgld = report.sgld {
                // What the validation tail chose, and the mixture's NLL beside the fitted head's alone.
                metrics.key("sgld_particles")
                metrics.integer(sgld.particles)
                metrics.key("sgld_step_size")
                metrics.number(sgld.stepSize)
                metrics.key("sgld_thinning")
                metrics.integer(sgld.thinning)
                metrics.key("sgld_validation_nll")
                metrics.number(sgld.validationNLL)
                metrics.key("head_validation_nll")
                metrics.number(sgld.pointValidationNLL)
            }
        }
        var validation = JSONWriter(numberStyle: .swift)
        validation.object { validation in
            validation.key("initial_nll")
            validation.number(report.initialValidationNLL)
            validation.key("nll")
            validation.number(report.validationNLL.min())
            validation.key("gate")
            validation.value(comparison.candidate.record)
        }
        do {
            let info = try store.saveCheckpoint(
                NewCheckpoint(
                    model: job.group, kind: "barnn", createdAtUs: job.createdAtUs, trainingMetricsJSON: metrics.text,
                    validationMetricsJSON: validation.text, blob: BARNN.Checkpoint.encode(trained.model)),
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
                stream: id, afterUs: historyStartUs, beforeUs: UTCTimestamp.saturatingMicroseconds(first.t)))
            ?? []
        return older.map { Observation(t: UTCTimestamp.seconds(microseconds: $0.tUs), value: $0.value) } + recent
    }

    /// The calendar of a group whose streams step at `times`: from the typical interval of the longest stream and
    /// whether its clock skips (`CalendarFeatures.forCadence`).
    static func calendar(for times: [[Double]], season: Int) -> CalendarFeatures {
        let longest = times.max { $0.count < $1.count } ?? []
        let cadence = CalendarFeatures.cadence(of: longest)
        return CalendarFeatures.forCadence(
            stepSeconds: cadence.stepSeconds, season: season, irregular: cadence.irregular)
    }
}
