import BARNN
import Configuration
import Engine
import Formats
import Foundation
import Logging
import Storage
import Trainer

extension Backtest {
    /// The loop of one run: owns the engine (replaced by the restart check) and the output rows.
    struct Driver {
        let backtest: Backtest
        let store: Store
        let writer: StoreWriter
        let write: (String) -> Void
        var engine: ForecastEngine
        var summary: BacktestSummary

        init(
            backtest: Backtest, store: Store, writer: StoreWriter, write: @escaping (String) -> Void
        )
            throws(BacktestError)
        {
            self.backtest = backtest
            self.store = store
            self.writer = writer
            self.write = write
            if let blob = backtest.settings.checkpoint {
                do throws(StorageError) {
                    _ = try store.saveCheckpoint(
                        NewCheckpoint(
                            model: Backtest.groupName, kind: "barnn", createdAtUs: 0, trainingMetricsJSON: "{}",
                            validationMetricsJSON: "{}", blob: blob),
                        activate: true, keepLast: 1)
                } catch {
                    throw .storage("\(error)")
                }
            }
            self.engine = try Self.makeEngine(backtest, store: store, now: backtest.steps[0].time)
            self.summary = BacktestSummary(
                streams: backtest.plans.count, values: backtest.steps.reduce(0) { $0 + $1.rows.count }, rows: 0,
                forecastsBARNN: 0, forecastsFallback: 0, modelVersion: 0, fallbackRows: 0)
        }

        static func makeEngine(
            _ backtest: Backtest, store: Store, now: Double
        ) throws(BacktestError)
            -> ForecastEngine
        {
            let engine: ForecastEngine
            do {
                engine = try ForecastEngine(
                    configuration: backtest.configuration, store: store, logger: backtest.logger, now: now,
                    training: backtest.settings.training)
            } catch let error as ConfigurationError {
                throw .invalidSettings("\(error)")
            } catch {
                throw .storage("\(error)")
            }
            switch backtest.settings.sampling {
            case .monteCarlo: break
            case .aleatoricOnly: engine.setSampling(.monteCarlo(.aleatoricOnly), group: Backtest.groupName)
            case .map: engine.setSampling(.map, group: Backtest.groupName)
            }
            return engine
        }

        mutating func run(progress: ((Int, Int) -> Void)?) async throws(BacktestError) -> BacktestSummary {
            let steps = backtest.steps
            let history = backtest.historySteps
            // History: one tick learns it all and starts the first fit on exactly the history.
            for step in steps[..<history] { receive(step) }
            let historyEnd = steps[max(0, history - 1)].time
            await tick(now: historyEnd, origins: [:])
            // The model swap (if a fit ran) and the forecast at the first origin, the last history value.
            let firstOrigins = owe(steps[..<history])
            await tick(now: historyEnd, origins: firstOrigins)
            progress?(history, steps.count)
            var testSteps = 0
            for index in history..<steps.count {
                let step = steps[index]
                receive(step)
                let origins = owe(steps[index...index])
                await tick(now: step.time, origins: origins)
                testSteps += 1
                if testSteps == backtest.settings.restartAfterSteps { try await restart(now: step.time) }
                if index % 64 == 0 || index == steps.count - 1 { progress?(index + 1, steps.count) }
            }
            let output = engine.shutdown(now: steps[steps.count - 1].time)
            count(output.writes)
            await store(output.writes)
            let counters = engine.counters
            summary.forecastsBARNN += counters.forecastsBARNN
            summary.forecastsFallback += counters.forecastsFallback
            summary.modelVersion = engine.modelVersion(group: Backtest.groupName)
            do throws(StorageError) {
                try await writer.flush()
            } catch {
                throw .storage("\(error)")
            }
            return summary
        }

        /// Receives every value of `step` as a number message arriving at its own timestamp.
        func receive(_ step: TimeStep) {
            for row in step.rows {
                engine.receive(
                    topic: Backtest.topicPrefix + row.stream, payload: Array("\(row.value)".utf8),
                    arrivalTime: step.time)
            }
        }

        /// Asks the engine for a forecast of every stream whose last value in `steps` is a protocol origin; returns
        /// stream → origin time.
        func owe(_ steps: ArraySlice<TimeStep>) -> [String: Double] {
            var last: [String: (index: Int, time: Double)] = [:]
            for step in steps { for row in step.rows { last[row.stream] = (row.index, step.time) } }
            var origins: [String: Double] = [:]
            for (stream, seen) in last where backtest.isOrigin(seen.index, of: stream) {
                if engine.oweForecast(stream: stream) { origins[stream] = seen.time }
            }
            return origins
        }

        /// One engine tick: origin forecasts become JSONL rows, every write goes to the database, and a training
        /// the tick started is waited for (so the run does not depend on thread timing).
        mutating func tick(now: Double, origins: [String: Double]) async {
            let started = engine.counters.trainingsStarted
            let output = engine.tick(now: now)
            if !origins.isEmpty {
                for item in output.writes {
                    guard case .forecast(let issue) = item, let origin = origins[issue.stream] else { continue }
                    write(
                        BacktestForecastLine(
                            dataset: backtest.settings.dataset, stream: issue.stream,
                            originTimestamp: UTCTimestamp.format(origin), levels: issue.levels,
                            quantiles: issue.points.map(\.quantiles)
                        ).json)
                    summary.rows += 1
                    if !engine.isServedByModel(stream: issue.stream) {
                        summary.fallbackRows += 1
                    }
                }
            }
            count(output.writes)
            await store(output.writes)
            if engine.counters.trainingsStarted > started {
                // A fit runs on the trainer thread; wait for it, so the swap happens at a fixed step.
                while !engine.waitForTrainer(timeout: .seconds(3600)) {}
            }
        }

        /// Counts the retrains and the gate's verdicts from the training events of a tick (the first fit aside).
        mutating func count(_ writes: [WriteItem]) {
            for item in writes {
                guard case .event(let event) = item, event.model == Backtest.groupName else { continue }
                let detail = event.detail
                let trigger = detail?.trigger ?? ""
                if trigger == TrainingTrigger.first.rawValue, case .trainingSucceeded(let outcome) = detail {
                    summary.firstFit = Self.firstFitSummary(outcome)
                }
                guard trigger != TrainingTrigger.first.rawValue else { continue }
                switch detail {
                case .trainingStarted: summary.retrains[trigger, default: 0] += 1
                case .trainingSucceeded: summary.promotions += 1
                case .trainingRejected: summary.promotionsRefused += 1
                default: break
                }
            }
        }

        /// "level window W, calendar a+b[, seasonal input m], α spread x (input) y (hidden)" from a `training_succeeded` event's detail.
        static func firstFitSummary(_ outcome: EventDetail.TrainingOutcome) -> String {
            let calendar = outcome.inputs.calendar.joined(separator: "+")
            var text = "level window \(outcome.inputs.levelWindow), calendar \(calendar)"
            if outcome.inputs.seasonalLag > 0 { text += ", seasonal input \(outcome.inputs.seasonalLag)" }
            if let spread = outcome.alphaSpread {
                text += String(format: ", α spread %.3f (input) %.3f (hidden)", spread.input, spread.hidden)
            }
            return text
        }

        func store(_ writes: [WriteItem]) async {
            guard !writes.isEmpty else { return }
            while writer.enqueue(writes, overflow: .block(timeout: .seconds(60))) == .queueFull {}
        }

        /// Shuts the engine down, flushes its states and starts a new one on the same database.
        mutating func restart(now: Double) async throws(BacktestError) {
            let output = engine.shutdown(now: now)
            count(output.writes)
            await store(output.writes)
            do throws(StorageError) {
                try await writer.flush()
            } catch {
                throw .storage("\(error)")
            }
            summary.forecastsBARNN += engine.counters.forecastsBARNN
            summary.forecastsFallback += engine.counters.forecastsFallback
            engine = try Self.makeEngine(backtest, store: store, now: now)
        }
    }
}
