public import BARNN
public import Configuration
public import Engine
import Foundation
public import Logging
public import Storage
public import StorageTestKit
import Testing

/// A real SQLite store in a temporary directory, its one writer, and helpers to drive a `ForecastEngine`.
public final class EngineFixture {
    public static let start = 1_767_225_600.0  // 2026-01-01T00:00:00Z, a minute boundary
    /// The temporary folder holding the database file, removed with the fixture.
    public let database: TemporaryDatabase
    /// The folder holding `barnnd.sqlite`.
    public var directory: String { database.directory }
    /// The Store on the fixture's database.
    public let store: Store
    /// The Store's one writer.
    public let writer: StoreWriter
    /// A logger that drops everything, so tests print only what they check.
    public let logger = Logger(label: "test.engine") { _ in SwiftLogNoOpLogHandler() }

    /// Opens a fresh Store in a new temporary folder.
    public init() throws {
        database = try TemporaryDatabase(prefix: "barnnd-engine")
        store = try database.open(logger: logger)
        writer = store.makeWriter()
    }

    /// Writes `output`'s rows to the Store and waits until they are committed.
    public func apply(_ output: EngineOutput) async throws {
        #expect(writer.enqueue(output.writes, overflow: .block(timeout: .seconds(10))) == .accepted)
        try await writer.flush()
    }

    /// A configuration with one JSON rule `sensors/+` → stream `{1}`, payload `{"t": seconds, "v": value}`, a
    /// 60 s mean cadence, and a small default group that does not train unless asked.
    public static func configuration(
        cadence: DaemonConfiguration.Cadence = .every(.seconds(60)), horizon: Int = 4, minHistory: Int = 10_000,
        hiddenSize: Int = 8, maxStreams: Int = 100
    ) -> DaemonConfiguration {
        var configuration = DaemonConfiguration()
        var rule = DaemonConfiguration.Rule()
        rule.name = "sensors"
        rule.topic = "sensors/+"
        rule.stream = "{1}"
        rule.payload.format = .json
        rule.payload.valuePath = "v"
        rule.payload.timePath = "t"
        rule.cadence = cadence
        configuration.rules = [rule]
        var group = DaemonConfiguration.ModelGroup()
        group.hiddenSize = hiddenSize
        group.paths = 32
        group.horizon = horizon
        group.minHistory = minHistory
        group.contextLength = max(minHistory, 64)
        group.seed = 7
        configuration.models = ["default": group]
        configuration.engine.maxStreams = maxStreams
        configuration.engine.maxFutureSkew = .seconds(120)
        return configuration
    }

    /// Tiny first-training options: a few Adam steps on short windows.
    public static var tinyTraining: TrainingOptions {
        var options = ForecastEngine.defaultTrainingOptions
        options.steps = 20
        options.batchSize = 4
        options.window = 16
        options.burnIn = 4
        options.evaluateEvery = 10
        return options
    }

    /// An engine on the fixture's Store with ``tinyTraining``, started at `now`.
    public func engine(_ configuration: DaemonConfiguration, now: Double = start) throws -> ForecastEngine {
        try ForecastEngine(
            configuration: configuration, store: store, logger: logger, now: now, training: Self.tinyTraining)
    }

    /// Stores an untrained (seeded) model as the group's active checkpoint, so BARNN serves without training.
    public func activateSeededModel(group: String = "default", hiddenSize: Int = 8) throws -> CheckpointInfo {
        let model = BARNNModel(configuration: BARNNConfiguration(hiddenSize: hiddenSize), seed: 11)
        return try store.saveCheckpoint(
            NewCheckpoint(model: group, createdAtUs: 0, blob: BARNN.Checkpoint.encode(model)), activate: true,
            keepLast: 5)
    }

    /// A synthetic value: a daily-ish sine per stream plus a deterministic wiggle.
    public static func value(stream: Int, step: Int) -> Double {
        20 + 3 * sin(Double(step) * 0.2 + Double(stream)) + 0.3 * cos(Double(step * (stream + 3)) * 1.7)
    }

    /// A JSON reading as the fixture's rule expects it.
    public static func payload(t: Double, v: Double) -> [UInt8] {
        Array("{\"t\":\(t),\"v\":\(v)}".utf8)
    }

    /// Sends one reading per stream at `start + 60·step + 5`, then ticks just after it.
    @discardableResult
    public static func feed(
        _ engine: ForecastEngine, streams: [String], steps: Range<Int>, skip: Set<Int> = []
    ) -> [EngineOutput] {
        var outputs: [EngineOutput] = []
        for step in steps {
            let t = start + 60 * Double(step) + 5
            if !skip.contains(step) {
                for (i, stream) in streams.enumerated() {
                    engine.receive(
                        topic: "sensors/\(stream)", payload: payload(t: t, v: value(stream: i, step: step)),
                        arrivalTime: t + 1)
                }
            }
            outputs.append(engine.tick(now: t + 2))
        }
        return outputs
    }
}

extension EngineOutput {
    /// The observation rows, as (stream, µs, value).
    public var observationRows: [(stream: String, tUs: Int64, value: Double?)] {
        writes.compactMap {
            if case .observation(let stream, let tUs, let value) = $0 { return (stream, tUs, value) }
            return nil
        }
    }

    /// The forecast rows.
    public var forecastIssues: [ForecastIssue] {
        writes.compactMap {
            if case .forecast(let issue) = $0 { return issue }
            return nil
        }
    }

    /// The reject rows.
    public var rejectRows: [RejectRecord] {
        writes.compactMap {
            if case .reject(let reject) = $0 { return reject }
            return nil
        }
    }

    /// The event rows.
    public var events: [EventRecord] {
        writes.compactMap {
            if case .event(let event) = $0 { return event }
            return nil
        }
    }

    /// The stream state rows.
    public var streamStates: [StreamStateRecord] {
        writes.compactMap {
            if case .streamState(let state) = $0 { return state }
            return nil
        }
    }

    /// The forecast JSON documents, parsed.
    public func forecastDocuments(topicPrefix: String = "forecast/") throws -> [[String: Any]] {
        try publications.filter { $0.topic.hasPrefix(topicPrefix) && !$0.topic.hasSuffix("/next") }.map {
            try #require(JSONSerialization.jsonObject(with: Data($0.payload)) as? [String: Any])
        }
    }
}
