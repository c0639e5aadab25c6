import ArgumentParser
import Backtest
import Configuration
import Foundation
import Logging

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `barnnd backtest --csv FILE --out FILE`: the rolling-origin backtest of `shared/eval/PROTOCOL.md`, offline,
/// through the daemon's engine.
struct BacktestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backtest",
        abstract: "Replay a timestamp,stream,value CSV offline through the engine and write protocol forecasts.",
        discussion: """
            The first 60% of each stream trains the model group's first fit; the rest streams through the engine \
            (calibration, hidden states, forecasts every forecast_every steps, scheduled and drift-triggered \
            retrains with the promotion gate) with data time as the clock. \
            Forecasts at the protocol origins are written as JSONL rows for `evaluate.py score`. Horizon and \
            season come from datasets.json next to the CSV unless --horizon/--season are given. The model group \
            is [models.default] of --config (built-in defaults without a file); the output is deterministic for \
            a given seed.
            """
    )

    @Option(help: "The timestamp,stream,value CSV to replay.")
    var csv: String

    @Option(help: "Configuration file whose model group settings to use (default: built-in defaults).")
    var config: String?

    @Option(help: "Model group of --config to use.")
    var model = "default"

    @Option(help: "Output JSONL file ('-' for standard output).")
    var out: String

    @Option(help: "Dataset name in every row (default: the CSV's file stem).")
    var dataset: String?

    @Option(help: "Horizon H in steps (default: datasets.json).")
    var horizon: Int?

    @Option(help: "Seasonal period m of the fallback (default: datasets.json, else 1).")
    var season: Int?

    @Option(help: "Seed of the model group (training and sampling); overrides the configuration.")
    var seed: UInt64?

    @Option(help: "Monte Carlo paths per forecast; overrides the configuration.")
    var paths: Int?

    @Option(help: "Calibration method (aci, rolling, tracking, none); overrides the configuration.")
    var calibration: String?

    @Option(help: "Forecast every N steps (calibration learns from these); overrides the configuration.")
    var forecastEvery: Int?

    @Option(help: "Maximum training steps of the first fit (default: the engine's).")
    var trainingSteps: Int?

    @Option(help: "Keep the database at this path instead of a temporary file.")
    var database: String?

    @Option(
        help:
            "Serve the active checkpoint of a kept backtest database (--database of an earlier run) instead of fitting."
    )
    var checkpointFrom: String?

    @Option(help: "Version of the --checkpoint-from model to serve (default: its active one; 1 is the first fit).")
    var checkpointVersion: Int?

    @Option(
        help: """
            Scheduled retrain every N time steps on data time (default: a quarter of the shortest stream's test part;             0: serve the first fit throughout).
            """)
    var retrainEvery: Int?

    @Flag(help: "Drift alarms do not trigger retrains.")
    var noDriftRetrain = false

    @Option(help: "Sampling: mc (BARNN paths), aleatoric (weight noise off) or map (single MAP pass).")
    var sampling = "mc"

    @Flag(help: "Antithetic path pairs (sampling_antithetic = true) for mc and aleatoric sampling.")
    var antithetic = false

    @Flag(help: "Write a row at every origin of the test part, not only the protocol's.")
    var everyOrigin = false

    @Flag(help: "No progress bar.")
    var quiet = false

    func run() async throws {
        let recording = try RecordingFile.load(csv)
        let name = dataset ?? URL(fileURLWithPath: csv).deletingPathExtension().lastPathComponent
        let entry = DatasetCatalog.beside(csvPath: csv)?.entries[name]
        guard let h = horizon ?? entry?.horizon else {
            throw ValidationError("no horizon for '\(name)': pass --horizon or put datasets.json next to the CSV")
        }
        var group = DaemonConfiguration.ModelGroup()
        if let config {
            let loaded: DaemonConfiguration
            do {
                loaded = try DaemonConfiguration.load(contentsOf: config).validated()
            } catch {
                FileHandle.standardError.write(Data((error.formatted(file: config) + "\n").utf8))
                throw ExitCode(64)
            }
            guard let chosen = loaded.models[model] else { throw ValidationError("no model group '\(model)'") }
            group = chosen
        }
        if let seed { group.seed = seed }
        if let paths { group.paths = paths }
        if antithetic { group.samplingAntithetic = true }
        if let forecastEvery { group.forecastEvery = forecastEvery }
        if let calibration {
            guard let method = DaemonConfiguration.CalibrationMethod(rawValue: calibration) else {
                throw ValidationError("unknown calibration method '\(calibration)'")
            }
            group.calibration.method = method
        }
        var settings = BacktestSettings(dataset: name, horizon: h, season: season ?? entry?.season ?? 1, group: group)
        if let trainingSteps { settings.trainingSteps = trainingSteps }
        settings.databasePath = database
        settings.everyOrigin = everyOrigin
        guard let mode = BacktestSampling(rawValue: sampling) else {
            throw ValidationError("unknown sampling '\(sampling)' (mc, aleatoric, map)")
        }
        settings.sampling = mode
        if let checkpointFrom {
            settings.checkpoint = try Backtest.checkpoint(database: checkpointFrom, version: checkpointVersion)
        } else if checkpointVersion != nil {
            throw ValidationError("--checkpoint-version needs --checkpoint-from")
        }
        if let retrainEvery {
            guard retrainEvery >= 0 else { throw ValidationError("--retrain-every must be 0 or more") }
            settings.retrainEverySteps = retrainEvery
        }
        settings.driftRetrain = !noDriftRetrain
        var logger = Logger(label: "barnnd.backtest")
        logger.logLevel = .warning

        let backtest = try Backtest(recording: recording, settings: settings, logger: logger)
        let sink = try OutputSink(path: out)
        let bar = ProgressBar(enabled: !quiet && isatty(STDERR_FILENO) == 1, label: name)
        let started = Date()
        let summary = try await backtest.run(write: { sink.line($0) }, progress: { bar.update($0, of: $1) })
        bar.finish()
        sink.close()
        let seconds = Date().timeIntervalSince(started)
        let triggers = summary.retrains.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }
        let retrains =
            triggers.isEmpty
            ? "no retrains"
            : "retrains: \(triggers.joined(separator: ", ")) (\(summary.promotions) promoted, "
                + "\(summary.promotionsRefused) refused)"
        FileHandle.standardError.write(
            Data(
                ("\(name): \(summary.rows) forecasts (\(summary.fallbackRows) by the fallback), \(summary.streams) "
                    + "streams, \(summary.values) values, model version \(summary.modelVersion), \(retrains), "
                    + (summary.firstFit.map { "first fit: \($0), " } ?? "")
                    + String(format: "%.1f s", seconds) + "\n").utf8))
    }
}

/// Buffered line output to a file or standard output.
private final class OutputSink {
    private let handle: FileHandle
    private var buffer = Data()

    init(path: String) throws {
        if path == "-" {
            handle = .standardOutput
        } else {
            guard FileManager.default.createFile(atPath: path, contents: nil) else {
                throw ValidationError("cannot create \(path)")
            }
            handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        }
    }

    func line(_ text: String) {
        buffer.append(contentsOf: text.utf8)
        buffer.append(0x0A)
        if buffer.count > 1 << 20 { drain() }
    }

    func close() {
        drain()
        if handle !== FileHandle.standardOutput { try? handle.close() }
    }

    private func drain() {
        handle.write(buffer)
        buffer.removeAll(keepingCapacity: true)
    }
}

/// A one-line progress bar on standard error, redrawn at most every 1 %.
private final class ProgressBar {
    private let enabled: Bool
    private let label: String
    private var shown = -1

    init(enabled: Bool, label: String) {
        self.enabled = enabled
        self.label = label
    }

    func update(_ done: Int, of total: Int) {
        guard enabled, total > 0 else { return }
        let percent = done * 100 / total
        guard percent != shown else { return }
        shown = percent
        let filled = percent * 30 / 100
        let bar = String(repeating: "#", count: filled) + String(repeating: " ", count: 30 - filled)
        FileHandle.standardError.write(Data("\r\(label) [\(bar)] \(percent)% (\(done)/\(total) steps)".utf8))
    }

    func finish() {
        if enabled && shown >= 0 { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
