import Foundation
import HTTPTestKit
import MQTTTestKit
import ProcessTestKit
import Testing

/// `barnnd run` with its HTTP server on, scraped by a real Prometheus (Debian's `prometheus`).
@Suite(.serialized) struct EndToEndMetricsTests {
    static let streams = ["plant/flow", "lab/ph"]

    /// Prometheus started by the test on a free port, with its own configuration and TSDB in `directory`,
    /// scraping `target` every second; stopped by PID.
    final class Prometheus {
        let process: ChildProcess
        let port: Int

        init(directory: URL, target: String) throws {
            port = try MosquittoBroker.freePort()
            let config = directory.appendingPathComponent("prometheus.yml").path
            try """
            global:
              scrape_interval: 1s
              evaluation_interval: 1s
            scrape_configs:
              - job_name: barnnd
                static_configs:
                  - targets: ["\(target)"]
            """.write(toFile: config, atomically: true, encoding: .utf8)
            let tsdb = directory.appendingPathComponent("prometheus-data").path
            process = try ChildProcess(
                "/usr/bin/prometheus",
                [
                    "--config.file=\(config)", "--storage.tsdb.path=\(tsdb)",
                    "--web.listen-address=127.0.0.1:\(port)", "--log.level=warn",
                ])
        }

        deinit {
            process.signal(SIGTERM)
            if process.wait(timeout: .seconds(20)) == nil {
                process.signal(SIGKILL)
                process.wait()
            }
        }

        /// The value of the instant query `expression`, when it has exactly one series.
        func value(of expression: String) async -> Double? {
            let query = expression.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? expression
            guard let response = try? await HTTPGet.get(port: port, "/api/v1/query?query=\(query)"),
                response.status == 200,
                let json = try? JSONSerialization.jsonObject(with: Data(response.body.utf8)) as? [String: Any],
                let data = json["data"] as? [String: Any], let result = data["result"] as? [[String: Any]],
                result.count == 1, let sample = result[0]["value"] as? [Any], sample.count == 2,
                let text = sample[1] as? String
            else { return nil }
            return Double(text)
        }
    }

    /// Readings published over MQTT show up in `barnnd_ingest_readings_total` as Prometheus scraped it, and the
    /// scrape target is up; /healthz answers while the daemon runs.
    @Test(.timeLimit(.minutes(3)))
    func prometheusScrapesTheReadingsCount() async throws {
        let harness = try EndToEndHarness()
        let httpPort = try MosquittoBroker.freePort()
        try harness.writeConfiguration(httpListen: "127.0.0.1:\(httpPort)")
        try await harness.startDaemon()
        #expect(harness.log().contains("http server listening"))
        // 503 "starting" until the engine thread's first snapshot, then 200 "running".
        var health = try await HTTPGet.get(port: httpPort, "/healthz")
        #expect(health.status == 200 || health.body.contains("starting"), "\(health.body)")
        try await harness.waitUntil(timeout: .seconds(30), "/healthz to say running") {
            health = try await HTTPGet.get(port: httpPort, "/healthz")
            return health.status == 200
        }
        #expect(health.body.contains(#""status":"running""#) && health.body.contains(#""mqtt_connected":true"#))

        let csv = try harness.writeCSV(name: "data.csv", streams: Self.streams, rows: 0..<15)
        try harness.replay(csv: csv)
        let published = 15 * Self.streams.count
        try await harness.waitForObservations(published, streams: Self.streams)

        let prometheus = try Prometheus(directory: harness.directory, target: "127.0.0.1:\(httpPort)")
        var readings: Double?
        var up: Double?
        try await harness.waitUntil(timeout: .seconds(90), "Prometheus to scrape \(published) readings") {
            #expect(prometheus.process.isRunning, "prometheus exited")
            up = await prometheus.value(of: #"up{job="barnnd"}"#)
            readings = await prometheus.value(of: "barnnd_ingest_readings_total")
            // Both from scrapes already ingested: `up` may lag the first scrape's samples by a query.
            return up == 1 && (readings ?? 0) >= Double(published)
        }
        #expect(up == 1)
        #expect(readings.map { $0 >= Double(published) } == true)
        let connected = await prometheus.value(of: "barnnd_mqtt_connected")
        #expect(connected == 1)
        let observations = await prometheus.value(of: #"barnnd_storage_rows_written_total{table="observations"}"#)
        #expect((observations ?? 0) >= Double(published))
        let ticks = await prometheus.value(of: "barnnd_engine_tick_duration_seconds_count")
        #expect((ticks ?? 0) > 0)

        #expect(harness.stopDaemon(SIGTERM) == 0, "\(harness.log())")
        #expect(harness.log().contains("http server stopped"))
    }

    /// A port already taken makes `barnnd run` fail at start with one clear line and exit status 1.
    @Test(.timeLimit(.minutes(2)))
    func aTakenPortIsAStartUpError() async throws {
        let harness = try EndToEndHarness()
        let httpPort = try MosquittoBroker.freePort()
        try harness.writeConfiguration(httpListen: "127.0.0.1:\(httpPort)")
        try await harness.startDaemon()
        let second = try EndToEndHarness()
        try second.writeConfiguration(httpListen: "127.0.0.1:\(httpPort)")
        let command = "exec '\(EndToEndHarness.binary)' run --config '\(second.configPath)' 2>'\(second.logPath)'"
        let process = try ChildProcess("/bin/sh", ["-c", command])
        let status = process.wait(timeout: .seconds(60))
        #expect(status.map { ($0 >> 8) & 0xff } == 1, "\(second.log())")
        #expect(second.log().contains("cannot listen on 127.0.0.1:\(httpPort)"), "\(second.log())")
        #expect(harness.stopDaemon(SIGTERM) == 0)
    }
}
