import Configuration
import Daemon
import HTTPServer
import HTTPTestKit
import Logging
import Storage
import StorageTestKit
import Telemetry
import Testing

/// Per-stream coverage and CRPS on `/metrics` come from the daemon's database, read-only, for the most recently
/// scored `http.stream_metrics` streams.
@Suite struct StreamMetricsTests {
    static func drift(_ stream: String, end: Int64, coverage: Double, crps: Double) -> DriftRecord {
        DriftRecord(
            stream: stream, windowEndUs: end, n: 10, crps: crps, mae: 1,
            coverage: [.init(level: 0.5, value: coverage - 0.4), .init(level: 0.9, value: coverage)], pitBins: [],
            alarm: false)
    }

    /// One `/metrics` scrape of a real server over `database`, and how long the scrape took.
    static func scrape(_ database: TemporaryDatabase, streamLimit: Int) async throws -> (body: String, took: Duration) {
        var settings = DaemonConfiguration.HTTPSettings()
        settings.listen = "127.0.0.1:0"
        let logger = Logger(label: "test.http")
        let server = try BarnndHTTPServer(
            settings: settings,
            resources: HTTPResources(snapshots: DaemonSnapshotBox(), databasePath: database.path, logger: logger),
            metrics: DaemonMetrics(streamLimit: streamLimit), logger: logger)
        let address = try await server.start()
        let clock = ContinuousClock()
        let started = clock.now
        let body = try await HTTPGet.get(port: address.port, "/metrics").body
        let took = started.duration(to: clock.now)
        await server.stop()
        return (body, took)
    }

    @Test func theMostRecentlyScoredStreamsAreExportedWithTheirLatestWindow() async throws {
        let database = try TemporaryDatabase()
        let store = try database.open()
        let writer = store.makeWriter()
        let rows: [WriteItem] = [
            .drift(Self.drift("old/one", end: 1_000, coverage: 0.7, crps: 3)),
            .drift(Self.drift("busy/two", end: 2_000, coverage: 0.8, crps: 2)),
            .drift(Self.drift("busy/two", end: 5_000, coverage: 0.85, crps: 1.5)),
            .drift(Self.drift("new/three", end: 4_000, coverage: 0.9, crps: 1)),
        ]
        #expect(writer.enqueue(rows, overflow: .reject) == .accepted)
        try await writer.flush()
        #expect(try store.latestDrift(limit: 10).map(\.stream) == ["busy/two", "new/three", "old/one"])

        let (body, _) = try await Self.scrape(database, streamLimit: 2)
        await writer.close()
        try store.close()

        #expect(body.contains(#"barnnd_stream_coverage_ratio{stream="busy/two",level="0.9"} 0.85"#), "\(body)")
        #expect(body.contains(#"barnnd_stream_crps{stream="busy/two"} 1.5"#))
        #expect(body.contains(#"barnnd_stream_crps{stream="new/three"} 1.0"#))
        #expect(!body.contains("old/one"))
        #expect(body.contains("barnnd_stream_metrics_streams 2.0"))
        #expect(body.contains("barnnd_http_store_read_failures_total 0"))
    }

    /// 10 000 streams known to the database: `/metrics` still has `stream_metrics × (levels + 2)` per-stream lines.
    @Test func tenThousandStreamsInTheDatabaseStayBounded() async throws {
        let database = try TemporaryDatabase()
        let store = try database.open()
        let writer = store.makeWriter()
        let rows: [WriteItem] = (0..<10_000).map {
            .drift(Self.drift("site\($0 % 100)/sensor\($0)", end: Int64($0), coverage: 0.9, crps: 1))
        }
        #expect(writer.enqueue(rows, overflow: .block(timeout: .seconds(60))) == .accepted)
        try await writer.flush()

        let (body, elapsed) = try await Self.scrape(database, streamLimit: 50)
        await writer.close()
        try store.close()

        let samples = body.split(separator: "\n").filter { !$0.hasPrefix("#") }
        let perStream = samples.filter { $0.contains("stream=\"") }
        #expect(perStream.count == 50 * (2 + 2))
        #expect(
            perStream.contains { $0.contains("sensor9999\"") } && !perStream.contains { $0.contains("sensor9949\"") })
        print("/metrics with 10000 streams in the database: \(samples.count) sample lines, first scrape \(elapsed)")
    }
}
