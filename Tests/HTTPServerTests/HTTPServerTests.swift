import Configuration
import Daemon
import Engine
import Foundation
import HTTPServer
import HTTPTestKit
import Hummingbird
import Logging
import MQTT
import Telemetry
import Testing

/// The real server on a loopback port the system picks, asked over real HTTP.
@Suite struct HTTPServerTests {
    struct Hello: HTTPRouteProvider {
        func addRoutes(to router: Router<BasicRequestContext>, resources: HTTPResources) {
            router.get("/hello") { _, _ in "hello \(resources.snapshots.snapshot == nil ? "early" : "late")" }
        }
    }

    /// A folder with nothing in it but what a test writes, removed afterwards.
    final class Folder: Sendable {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("barnnd-http-\(UUID().uuidString)")
        init() throws { try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) }
        deinit { try? FileManager.default.removeItem(at: url) }
        func path(_ name: String) -> String { url.appendingPathComponent(name).path }
    }

    static func server(
        _ folder: Folder, username: String? = nil, password: String? = nil, listen: String = "127.0.0.1:0"
    ) throws -> (BarnndHTTPServer, DaemonSnapshotBox) {
        var settings = DaemonConfiguration.HTTPSettings()
        settings.listen = listen
        if let username, let password {
            try (password + "\n").write(toFile: folder.path("password"), atomically: true, encoding: .utf8)
            settings.username = username
            settings.passwordFile = folder.path("password")
        }
        let box = DaemonSnapshotBox()
        let logger = Logger(label: "test.http")
        let server = try BarnndHTTPServer(
            settings: settings,
            resources: HTTPResources(snapshots: box, databasePath: folder.path("none.sqlite"), logger: logger),
            metrics: DaemonMetrics(streamLimit: 5), routes: [Hello()], logger: logger)
        return (server, box)
    }

    static func get(
        _ address: BarnndHTTPServer.Address, _ path: String, user: String? = nil, password: String? = nil
    ) async throws -> HTTPGet.Response {
        try await HTTPGet.get(port: address.port, path, user: user, password: password)
    }

    static func snapshot(readings: Int = 3, connected: Bool = true) -> DaemonSnapshot {
        var engine = EngineCounters()
        engine.messages = readings
        engine.readings = readings
        engine.rejects = ["non_numeric": 1]
        let health = HealthReport(
            time: "2026-01-01T00:00:00Z", uptimeSeconds: 12, streams: 2,
            rates: .init(messages: 1, observations: 1, forecasts: 1), engine: engine,
            mqtt: ["messages_received": UInt64(readings)], writer: ["queued_rows": 4], runtime: RuntimeCounters(),
            models: [.init(name: "default", version: 3, kind: "barnn", streams: 2, lastTraining: "succeeded v3")],
            stall: nil)
        return DaemonSnapshot(
            health: health, takenAt: Date().timeIntervalSince1970, mqttState: connected ? .connected : .connecting,
            mailboxDepth: 7, mailboxCapacity: 8192)
    }

    @Test func healthzSaysStartingUntilTheEngineSnapshotsThenRunning() async throws {
        let folder = try Folder()
        let (server, box) = try Self.server(folder)
        let address = try await server.start()
        #expect(address.port > 0)
        let early = try await Self.get(address, "/healthz")
        #expect(early.status == 503 && early.body.contains("starting"))
        box.publish(Self.snapshot())
        let running = try await Self.get(address, "/healthz")
        #expect(running.status == 200, "\(running.body)")
        #expect(running.body.contains(#""status":"running""#) && running.body.contains(#""mqtt_connected":true"#))
        #expect(running.headers["content-type"] == "application/json")
        await server.stop()
    }

    @Test func metricsAreThePrometheusTextOfTheSnapshot() async throws {
        let folder = try Folder()
        let (server, box) = try Self.server(folder)
        let address = try await server.start()
        box.publish(Self.snapshot(readings: 3))
        let first = try await Self.get(address, "/metrics")
        #expect(first.status == 200)
        #expect(first.headers["content-type"] == DaemonMetrics.contentType)
        #expect(first.body.contains("# TYPE barnnd_ingest_readings_total counter"))
        #expect(first.body.contains("\nbarnnd_ingest_readings_total 3\n"), "\(first.body)")
        #expect(first.body.contains(#"barnnd_ingest_rejects_total{reason="non_numeric"} 1"#))
        #expect(first.body.contains(#"barnnd_queue_depth{queue="mailbox"} 7.0"#))
        #expect(first.body.contains(#"barnnd_model_version{group="default"} 3.0"#))
        box.publish(Self.snapshot(readings: 10, connected: false))
        let second = try await Self.get(address, "/metrics")
        #expect(second.body.contains("\nbarnnd_ingest_readings_total 10\n"))
        #expect(second.body.contains("\nbarnnd_mqtt_connected 0.0\n"))
        // The database does not exist yet: the per-stream series are simply absent, and the failure counted.
        #expect(second.body.contains("barnnd_http_store_read_failures_total 1"))
        await server.stop()
    }

    @Test func basicAuthenticationGuardsEveryRoute() async throws {
        let folder = try Folder()
        let (server, box) = try Self.server(folder, username: "prom", password: "s3cret:with colon")
        let address = try await server.start()
        box.publish(Self.snapshot())
        for path in ["/metrics", "/healthz", "/hello", "/nowhere"] {
            let anonymous = try await Self.get(address, path)
            #expect(anonymous.status == 401, "\(path)")
            #expect(anonymous.headers["www-authenticate"]?.hasPrefix("Basic realm=") == true, "\(path)")
            let wrong = try await Self.get(address, path, user: "prom", password: "s3cret:with colo")
            #expect(wrong.status == 401, "\(path)")
        }
        let metrics = try await Self.get(address, "/metrics", user: "prom", password: "s3cret:with colon")
        #expect(metrics.status == 200 && metrics.body.contains("barnnd_ingest_readings_total"))
        let hello = try await Self.get(address, "/hello", user: "prom", password: "s3cret:with colon")
        #expect(hello.status == 200 && hello.body == "hello late")
        #expect(metrics.body.contains("\nbarnnd_http_unauthorized_total 8\n"), "\(metrics.body)")
        await server.stop()
    }

    @Test func routeProvidersAddPagesBesideMetrics() async throws {
        let folder = try Folder()
        let (server, _) = try Self.server(folder)
        let address = try await server.start()
        let hello = try await Self.get(address, "/hello")
        #expect(hello.status == 200 && hello.body == "hello early")
        #expect(try await Self.get(address, "/").status == 404)
        await server.stop()
    }

    @Test func aPortInUseIsAClearStartError() async throws {
        let folder = try Folder()
        let (first, _) = try Self.server(folder)
        let address = try await first.start()
        let (second, _) = try Self.server(folder, listen: "127.0.0.1:\(address.port)")
        do {
            try await second.start()
            Issue.record("a second server started on \(address)")
            await second.stop()
        } catch {
            #expect(error.description.contains("cannot listen on 127.0.0.1:\(address.port)"), "\(error)")
            #expect(error.description.contains("in use"), "\(error)")
        }
        await first.stop()
    }

    @Test func anUnreadablePasswordFileRefusesToStart() throws {
        let folder = try Folder()
        var settings = DaemonConfiguration.HTTPSettings()
        settings.username = "prom"
        settings.passwordFile = folder.path("missing")
        let logger = Logger(label: "test.http")
        #expect(throws: HTTPServerError.self) {
            try BarnndHTTPServer(
                settings: settings,
                resources: HTTPResources(snapshots: DaemonSnapshotBox(), databasePath: "", logger: logger),
                metrics: DaemonMetrics(streamLimit: 0), logger: logger)
        }
    }
}
