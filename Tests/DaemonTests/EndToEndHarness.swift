import Foundation
import Logging
import MQTT
import MQTTTestKit
import ProcessTestKit
import Storage
import Testing

/// The real `barnnd` binary run as a child process against a real broker and a real SQLite file in a temporary
/// directory, with helpers to wait for what end-to-end tests observe. Waits are bounded and event-driven (polls of
/// the database or the broker), never fixed sleeps.
final class EndToEndHarness: @unchecked Sendable {
    // @unchecked Sendable: each test owns its harness and uses it from one task; `daemon` changes only in
    // start/stop calls made by that task.

    /// The `barnnd` executable built next to the test bundle.
    static let binary = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        .appendingPathComponent("barnnd").path

    let broker: MosquittoBroker
    let directory: URL
    let clientID: String
    var daemon: ChildProcess?
    private var launches = 0

    var configPath: String { directory.appendingPathComponent("barnnd.toml").path }
    var databasePath: String { directory.appendingPathComponent("barnnd.sqlite").path }
    var logPath: String { directory.appendingPathComponent("barnnd-\(launches).log").path }

    init() throws {
        broker = try MosquittoBroker()
        directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "barnnd-e2e-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        clientID = "barnnd-e2e-\(UUID().uuidString.prefix(8))"
        try writeConfiguration()
    }

    deinit {
        if let daemon {
            daemon.signal(SIGKILL)
            daemon.wait()
        }
        try? FileManager.default.removeItem(at: directory)
    }

    /// The default `[models.default]` body: the fallback only (min_history out of reach, so no training competes for
    /// the 2 cores).
    static let fallbackOnlyModel = """
        hidden_size = 8
        paths = 32
        horizon = 6
        min_history = 5000
        context_length = 5000
        """

    /// Writes the daemon's configuration: JSON readings with their own time on `sensors/+/+`, the model group
    /// `model` (by default the fallback only), fast saves and health reports. `ruleKeys` go into the rule's table,
    /// `sections` after everything else. The HTTP server is off unless `httpListen` is given, so daemons of tests
    /// running side by side do not share a port.
    func writeConfiguration(
        publishTopic: String = "forecast/{stream}", model: String = fallbackOnlyModel, ruleKeys: String = "",
        sections: String = "", httpListen: String = ""
    ) throws {
        let text = """
            [mqtt]
            host = "127.0.0.1"
            port = \(broker.port)
            client_id = "\(clientID)"
            keepalive = "10s"
            reconnect_min_delay = "50ms"
            reconnect_max_delay = "500ms"

            [storage]
            path = "\(databasePath)"
            batch_interval = "100ms"

            [models.default]
            \(model)

            [[rules]]
            name = "sensors"
            topic = "sensors/+/+"
            stream = "{1}/{2}"
            qos = 1
            \(ruleKeys)

            [rules.payload]
            format = "json"
            value_path = "value"
            time_path = "time"

            [publish]
            topic = "\(publishTopic)"
            health_interval = "1s"

            [engine]
            state_save_interval = "1s"

            [logging]
            level = "info"

            [http]
            listen = "\(httpListen)"

            \(sections)
            """
        try text.write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    /// Starts `barnnd run` (stderr into a log file, `environment` added to ours) and waits until it announced itself
    /// `online`.
    func startDaemon(environment: [String: String] = [:]) async throws {
        precondition(daemon == nil, "daemon already running")
        launches += 1
        let assignments = environment.sorted { $0.key < $1.key }.map { "\($0.key)='\($0.value)' " }.joined()
        let command = "\(assignments)exec '\(Self.binary)' run --config '\(configPath)' 2>'\(logPath)'"
        daemon = try ChildProcess("/bin/sh", ["-c", command])
        try await waitForStatus("online")
    }

    /// Sends `signal` and waits for the daemon to exit; returns its exit status (or 128 + signal).
    @discardableResult
    func stopDaemon(_ signal: Int32) -> Int32 {
        guard let daemon else { return -1 }
        daemon.signal(signal)
        let status = daemon.wait()
        self.daemon = nil
        let terminated = status & 0x7f
        return terminated == 0 ? (status >> 8) & 0xff : 128 + terminated
    }

    /// The daemon's log so far, for failure messages.
    func log() -> String {
        let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        return String(text.suffix(3000))
    }

    /// Writes a CSV of `streams` synthetic streams with `rows` rows each, hourly from `start` (Unix seconds).
    func writeCSV(name: String, streams: [String], rows: Range<Int>, start: Double = 1_700_000_000) throws -> String {
        var lines = ["timestamp,stream,value"]
        for index in rows {
            for (number, stream) in streams.enumerated() {
                let value = 10 * Double(number + 1) + sin(Double(index) * 2 * .pi / 24) + Double(index % 7) * 0.1
                lines.append("\(Int(start) + index * 3600),\(stream),\(value)")
            }
        }
        let path = directory.appendingPathComponent(name).path
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Starts `barnnd replay` of `csv` as JSON readings on `sensors/{stream}`.
    func startReplay(csv: String, speed: Double? = nil) throws -> ChildProcess {
        var arguments = ["replay", "--csv", csv, "--port", "\(broker.port)", "--host", "127.0.0.1", "--format", "json"]
        arguments += speed.map { ["--speed", "\($0)"] } ?? ["--as-fast-as-possible"]
        return try ChildProcess(Self.binary, arguments)
    }

    /// Runs `barnnd replay` to completion and expects success.
    func replay(csv: String) throws {
        let process = try startReplay(csv: csv)
        let status = process.wait()
        #expect(status == 0, "replay exited with status \(status)")
    }

    /// Opens the database read-only (the daemon must have created it).
    func store() throws -> Store {
        try Store(path: databasePath, configuration: StoreConfiguration(access: .readOnly), logger: .quiet)
    }

    /// Observation times per stream in the database.
    func observations(_ streams: [String]) throws -> [String: [Int64]] {
        let store = try store()
        defer { try? store.close() }
        var result: [String: [Int64]] = [:]
        for stream in streams {
            result[stream] = try store.observations(stream: stream, afterUs: .min).map(\.tUs)
        }
        return result
    }

    /// Waits until the database holds `count` observations over `streams`; returns the last count seen.
    @discardableResult
    func waitForObservations(_ count: Int, streams: [String], timeout: Duration = .seconds(60)) async throws -> Int {
        var seen = 0
        try await waitUntil(timeout: timeout, "\(count) observations (saw \(seen))") {
            seen = (try? self.observations(streams).values.reduce(0) { $0 + $1.count }) ?? 0
            return seen >= count
        }
        return seen
    }

    /// A subscriber to `filter` on the test broker, connected and subscribed.
    func subscriber(_ filter: String) async throws -> MosquittoClient {
        let configuration = broker.configuration(
            clientID: "e2e-sub-\(UUID().uuidString.prefix(8))", subscriptions: [.init(try TopicFilter(filter))])
        var clean = configuration
        clean.session = .clean
        let client = try MosquittoClient(configuration: clean, logger: .quiet)
        client.start()
        try await client.waitUntilConnected(timeout: .seconds(10))
        try await waitUntil(timeout: .seconds(10), "subscription to \(filter)") {
            client.counters.subscriptionsGranted > 0
        }
        return client
    }

    /// Waits until the retained status is `payload`.
    func waitForStatus(_ payload: String, timeout: Duration = .seconds(30)) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while clock.now < deadline {
            if let daemon, !daemon.isRunning {
                throw HarnessError(message: "barnnd exited early:\n\(log())")
            }
            let client = try await subscriber("barnnd/status")
            let messages = await client.messages.collect(1, timeout: .milliseconds(500))
            await client.close()
            if messages.first?.payloadString == payload { return }
        }
        throw HarnessError(message: "status never became \(payload):\n\(log())")
    }

    /// Waits until `condition` holds, polling every 20 ms, for at most `timeout`.
    func waitUntil(
        timeout: Duration, _ what: @autoclosure () -> String, _ condition: () async throws -> Bool
    ) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while try await !condition() {
            guard clock.now < deadline else {
                throw HarnessError(message: "timed out waiting for \(what()):\n\(log())")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}

/// An end-to-end wait that failed, with the daemon's log.
struct HarnessError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

/// A forecast message's JSON, checked against the published schema.
struct ForecastMessage {
    let stream: String
    let issuedAt: String
    let points: [(t: String, mean: Double, quantiles: [(level: Double, value: Double)])]
    let modelKind: String

    /// Parses and checks the schema; records an issue and returns `nil` when it does not hold.
    init?(_ payload: [UInt8]) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(payload)) as? [String: Any],
            let stream = object["stream"] as? String, let issuedAt = object["issued_at"] as? String,
            object["step_s"] is NSNumber, let model = object["model"] as? [String: Any],
            model["name"] is String, model["version"] is NSNumber, let kind = model["kind"] as? String,
            let points = object["points"] as? [[String: Any]], !points.isEmpty,
            let calibration = object["calibration"] as? [String: Any], calibration["level"] is NSNumber
        else {
            Issue.record("forecast does not match the schema: \(String(decoding: payload, as: UTF8.self))")
            return nil
        }
        var parsed: [(t: String, mean: Double, quantiles: [(level: Double, value: Double)])] = []
        for point in points {
            guard let t = point["t"] as? String, let mean = (point["mean"] as? NSNumber)?.doubleValue,
                let q = point["q"] as? [String: NSNumber], !q.isEmpty
            else {
                Issue.record("forecast point does not match the schema: \(point)")
                return nil
            }
            let quantiles = q.compactMap { key, value in Double(key).map { ($0, value.doubleValue) } }.sorted {
                $0.0 < $1.0
            }
            parsed.append((t, mean, quantiles))
        }
        self.stream = stream
        self.issuedAt = issuedAt
        self.points = parsed
        self.modelKind = kind
    }

    /// Whether every point's quantiles increase with their level.
    var quantilesAreMonotone: Bool {
        points.allSatisfy { point in
            zip(point.quantiles, point.quantiles.dropFirst()).allSatisfy { $0.value <= $1.value }
        }
    }
}
