import Foundation
import Glibc
import Hummingbird
import Logging
import MQTTTestKit
import ProcessTestKit
import Storage
import WebView

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The real pipeline the web view reads: a private mosquitto, the real `barnnd run` on a small configuration
/// (the bundled demo rules, a tiny BARNN model so a first training finishes in seconds), the demo slice under
/// `Fixtures/` replayed by the real `barnnd replay`, and the web view's routes served by Hummingbird on a free
/// loopback port over the daemon's database opened read-only.
final class WebViewFixture: @unchecked Sendable {
    // @unchecked Sendable: one test owns the fixture and calls it from one task.

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// The `barnnd` executable the build puts next to the test binary.
    static let binary = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        .appendingPathComponent("barnnd").path
    /// The bundled slice of `config/samples/demo-history.csv`: 168 readings of each demo stream, then 8 more.
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")
    static let streams = ["demo/elec/demand_gw", "demo/elec/temperature_c", "demo/water/flow_lps"]

    /// Logs only what breaks the test (the server logs its own cancellation at shutdown as an error).
    static let quiet: Logger = {
        var logger = Logger(label: "test.web")
        logger.logLevel = .critical
        return logger
    }()

    let broker: MosquittoBroker
    let directory: URL
    var daemon: ChildProcess?
    private(set) var server: Task<Void, any Error>?
    private(set) var store: Store?
    private(set) var webView: WebView?
    private(set) var port = 0
    /// The port of the daemon's own HTTP server (`[http] listen`).
    let daemonHTTPPort: Int

    var configPath: String { directory.appendingPathComponent("barnnd.toml").path }
    var databasePath: String { directory.appendingPathComponent("barnnd.sqlite").path }
    var logPath: String { directory.appendingPathComponent("barnnd.log").path }
    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// `minHistory` steps per stream start the first training; out of reach, only fallback forecasts are made.
    init(minHistory: Int = 64) throws {
        broker = try MosquittoBroker()
        daemonHTTPPort = try MosquittoBroker.freePort()
        directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "barnnd-web-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let text = """
            [mqtt]
            host = "127.0.0.1"
            port = \(broker.port)
            client_id = "barnnd-web-\(UUID().uuidString.prefix(8))"
            reconnect_min_delay = "50ms"
            reconnect_max_delay = "500ms"

            [storage]
            path = "\(databasePath)"
            batch_interval = "100ms"

            [models.default]
            hidden_size = 8
            paths = 32
            horizon = 6
            min_history = \(minHistory)
            context_length = \(max(64, minHistory))
            training_steps = 200

            [[rules]]
            name = "senml"
            topic = "senml/+"
            stream = "{1}/{name}"
            model = "default"

            [rules.payload]
            format = "senml"

            [[rules]]
            name = "sensors"
            topic = "sensors/+/+"
            stream = "{1}/{2}"
            model = "default"

            [rules.payload]
            format = "number"

            [engine]
            state_save_interval = "1s"

            [http]
            listen = "127.0.0.1:\(daemonHTTPPort)"

            [logging]
            level = "info"
            """
        try text.write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    deinit {
        server?.cancel()
        if let daemon {
            daemon.signal(SIGKILL)
            daemon.wait()
        }
        try? store?.close()
        try? FileManager.default.removeItem(at: directory)
    }

    /// Starts `barnnd run` and waits until it announced itself `online` (retained on `barnnd/status`). barnnd sends
    /// that after its SUBSCRIBE on the same connection, so what is published afterwards reaches it; waiting only for
    /// its database lost the whole demo slice on a loaded machine (the replay ran before the subscription).
    func startDaemon() async throws {
        let command = "exec '\(Self.binary)' run --config '\(configPath)' 2>'\(logPath)'"
        daemon = try ChildProcess("/bin/sh", ["-c", command])
        try await waitUntil("the daemon's database") {
            FileManager.default.fileExists(atPath: self.databasePath)
        }
        try await waitUntil("barnnd online on barnnd/status") { try self.retainedStatus() == "online" }
    }

    /// The retained payload on `barnnd/status`, read with the real `mosquitto_sub` (nil when none within 1 s).
    private func retainedStatus() throws -> String? {
        let probe = try ChildProcess.piped(
            "/usr/bin/mosquitto_sub",
            ["-h", "127.0.0.1", "-p", "\(broker.port)", "-t", "barnnd/status", "-C", "1", "-W", "1"])
        let line = probe.nextLine()
        probe.finish()
        return line
    }

    /// Stops the daemon with SIGTERM (it drains and saves) and waits for it.
    func stopDaemon() {
        guard let daemon else { return }
        daemon.signal(SIGTERM)
        if daemon.wait(timeout: .seconds(20)) == nil {
            daemon.signal(SIGKILL)
            daemon.wait()
        }
        self.daemon = nil
    }

    /// Replays a bundled CSV as SenML on `senml/demo` (streams `demo/…`) with the real `barnnd replay`.
    func replay(_ name: String) throws {
        let csv = Self.fixtures.appendingPathComponent(name).path
        let process = try ChildProcess(
            Self.binary,
            [
                "replay", "--csv", csv, "--port", "\(broker.port)", "--host", "127.0.0.1", "--topic", "senml/demo",
                "--format", "senml", "--as-fast-as-possible",
            ])
        let status = process.wait()
        guard status == 0 else { throw Failure(description: "replay of \(name) exited with \(status):\n\(log())") }
    }

    /// Publishes `payload` on `topic` with the real `mosquitto_pub` (QoS 1).
    func publish(_ topic: String, _ payload: String) throws {
        let process = try ChildProcess(
            "/usr/bin/mosquitto_pub",
            ["-h", "127.0.0.1", "-p", "\(broker.port)", "-q", "1", "-t", topic, "-m", payload])
        let status = process.wait()
        guard status == 0 else { throw Failure(description: "mosquitto_pub exited with \(status)") }
    }

    /// Points ``baseURL`` at the daemon's own HTTP server (`barnnd run` serves the web view) and waits until it answers.
    func useDaemonServer() async throws {
        port = daemonHTTPPort
        try await waitUntil("barnnd's web view on port \(port)") { (try? await self.get("/").status) == 200 }
    }

    /// Serves the web view in this process on a free loopback port and waits until it answers.
    func startServer(refreshInterval: Duration = .milliseconds(300)) async throws {
        let logger = Self.quiet
        let store = try Store(
            path: databasePath, configuration: StoreConfiguration(access: .readOnly), logger: logger)
        let webView = WebView(store: store, refreshInterval: refreshInterval, logger: logger)
        let router = Router()
        webView.addRoutes(to: router)
        port = try MosquittoBroker.freePort()
        let application = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)), logger: logger)
        self.store = store
        self.webView = webView
        server = Task { try await application.runService(gracefulShutdownSignals: []) }
        try await waitUntil("the web server on port \(port)") {
            (try? await self.get("/").status) == 200
        }
    }

    /// Stops the web server.
    func stopServer() async {
        server?.cancel()
        _ = try? await server?.value
        server = nil
    }

    /// A GET on the web server: status, Content-Type, body text.
    func get(_ path: String) async throws -> (status: Int, type: String, body: String) {
        guard let url = URL(string: baseURL + path) else { throw Failure(description: "bad path \(path)") }
        var request = URLRequest(url: url)
        request.timeoutInterval = 10
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = response as? HTTPURLResponse
        return (
            http?.statusCode ?? 0, http?.value(forHTTPHeaderField: "Content-Type") ?? "",
            String(decoding: data, as: UTF8.self)
        )
    }

    /// Runs `barnnd arguments… --database DB` to completion: its exit status and standard output.
    func cli(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let outputPath = directory.appendingPathComponent("cli-\(UUID().uuidString.prefix(8)).out").path
        let descriptor = Glibc.open(outputPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw Failure(description: "cannot create \(outputPath)") }
        let process = try ChildProcess(
            Self.binary, arguments + ["--database", databasePath], stdout: descriptor)
        close(descriptor)
        let status = process.wait()
        return (status, (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "")
    }

    /// Observations stored per stream (read-only).
    func observationCount() throws -> Int {
        let store = try Store(
            path: databasePath, configuration: StoreConfiguration(access: .readOnly), logger: Self.quiet
        )
        defer { try? store.close() }
        return try store.observationCounts().values.reduce(0, +)
    }

    /// Whether the stored data holds an active checkpoint and a forecast for every stream.
    func hasActiveCheckpoint() throws -> Bool {
        let store = try Store(
            path: databasePath, configuration: StoreConfiguration(access: .readOnly), logger: Self.quiet
        )
        defer { try? store.close() }
        return try store.checkpoints().contains(where: \.isActive)
    }

    /// The daemon's log so far, for failure messages.
    func log() -> String {
        String(((try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "").suffix(3000))
    }

    /// Polls `condition` every 50 ms for at most `timeout`.
    func waitUntil(
        timeout: Duration = .seconds(60), _ what: String, _ condition: () async throws -> Bool
    ) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while clock.now < deadline {
            if let daemon, !daemon.isRunning { throw Failure(description: "barnnd exited early:\n\(log())") }
            if (try? await condition()) == true { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw Failure(description: "timed out waiting for \(what):\n\(log())")
    }
}
