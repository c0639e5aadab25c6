import Configuration
import Engine
import Formats
import Foundation
import Logging
import Storage
import StorageTestKit
import Testing

/// Times finer than a millisecond survive ingest, the engine, the Store, `barnnd history` and forecast payloads.
@Suite struct MicrosecondTimesTests {
    /// 2026-05-01T12:00:44Z in µs.
    static let start: Int64 = 1_777_636_844_000_000

    /// A store in a temporary directory and an engine with one event-cadence JSON rule `sensors/+` → `{1}` whose
    /// payloads carry an ISO-8601 time: `{"t": "…", "v": value}`.
    final class Harness {
        let database: TemporaryDatabase
        let store: Store
        let writer: StoreWriter
        let engine: ForecastEngine
        var path: String { database.path }

        init() throws {
            database = try TemporaryDatabase(prefix: "barnnd-us")
            let logger = Logger(label: "test.us") { _ in SwiftLogNoOpLogHandler() }
            store = try database.open(logger: logger)
            writer = store.makeWriter()
            var configuration = DaemonConfiguration()
            var rule = DaemonConfiguration.Rule()
            rule.name = "sensors"
            rule.topic = "sensors/+"
            rule.stream = "{1}"
            rule.payload.format = .json
            rule.payload.valuePath = "v"
            rule.payload.timePath = "t"
            rule.cadence = .event
            configuration.rules = [rule]
            var group = DaemonConfiguration.ModelGroup()
            group.hiddenSize = 8
            group.paths = 32
            group.horizon = 3
            group.minHistory = 10_000  // never trains: the fallback serves
            group.contextLength = 10_000
            configuration.models = ["default": group]
            engine = try ForecastEngine(
                configuration: configuration, store: store, logger: logger,
                now: UTCTimestamp.seconds(microseconds: MicrosecondTimesTests.start))
        }

        /// Sends one reading at `microseconds` (arriving 1 ms later), ticks, and queues what the engine wrote.
        func send(stream: String, at microseconds: Int64, value: Double) -> EngineOutput {
            let text = UTCTimestamp.format(microseconds: microseconds)
            let seconds = UTCTimestamp.seconds(microseconds: microseconds)
            engine.receive(
                topic: "sensors/\(stream)", payload: Array("{\"t\":\"\(text)\",\"v\":\(value)}".utf8),
                arrivalTime: seconds + 0.001)
            let output = engine.tick(now: seconds + 0.002)
            _ = writer.enqueue(output.writes, overflow: .block(timeout: .seconds(10)))
            return output
        }

        func close() async throws {
            await writer.close()
            try store.close()
        }
    }

    @Test func a64HertzStreamKeepsItsExactTimes() async throws {
        let harness = try Harness()
        let times = (0..<128).map { Self.start + Int64($0) * 15_625 }  // 15.625 ms apart, 2 s
        var outputs: [EngineOutput] = []
        for (index, time) in times.enumerated() {
            outputs.append(harness.send(stream: "fast", at: time, value: 20 + Double(index % 7)))
        }
        try await harness.writer.flush()
        let stored = try harness.store.observations(stream: "fast", afterUs: .min).map(\.tUs)
        #expect(stored == times)
        #expect(harness.engine.counters.duplicatesIgnored == 0)
        #expect(harness.engine.counters.rejects.isEmpty)

        let issue = try #require(try harness.store.latestForecast(stream: "fast"))
        #expect(issue.issuedAtUs == times[127])
        #expect(issue.points.map(\.tUs) == (1...3).map { times[127] + Int64($0) * 15_625 })
        let publication = try #require(
            outputs.last { $0.publications.contains { $0.topic == "forecast/fast" } }?.publications.first {
                $0.topic == "forecast/fast"
            })
        let document = try #require(
            try JSONSerialization.jsonObject(with: Data(publication.payload)) as? [String: Any])
        #expect(document["issued_at"] as? String == "2026-05-01T12:00:45.984375Z")
        let points = try #require(document["points"] as? [[String: Any]])
        #expect(
            points.compactMap { $0["t"] as? String }
                == ["2026-05-01T12:00:46Z", "2026-05-01T12:00:46.015625Z", "2026-05-01T12:00:46.03125Z"])
        try await harness.close()

        let result = try BarnndProcess.run(
            [
                "history", "fast", "--format", "csv", "--since", "2026-05-01T12:00:44Z", "--until",
                "2026-05-01T12:00:45.9843754Z", "--database", harness.path,
            ])
        #expect(result.status == 0, "\(result.standardError)")
        let printed = result.standardOutput.split(separator: "\n").dropFirst().map { String($0.prefix { $0 != "," }) }
        // The window ends at the last reading (a fraction rounded to it), before the forecasts for later times.
        #expect(printed == times.map { UTCTimestamp.format(microseconds: $0) })
        #expect(printed.first == "2026-05-01T12:00:44Z")
        #expect(printed[1] == "2026-05-01T12:00:44.015625Z")
        #expect(printed[32] == "2026-05-01T12:00:44.5Z")
        #expect(printed[127] == "2026-05-01T12:00:45.984375Z")
    }

    @Test func readingsHalfAMillisecondApartAreTwoObservations() async throws {
        let harness = try Harness()
        let times = [Self.start, Self.start + 500, Self.start + 1000, Self.start + 1500]
        for (index, time) in times.enumerated() {
            _ = harness.send(stream: "close", at: time, value: Double(index))
        }
        // The same time again with the same value is a redelivery; with another value, a conflicting duplicate.
        _ = harness.send(stream: "close", at: Self.start + 1500, value: 3)
        _ = harness.send(stream: "close", at: Self.start + 1500, value: 9)
        try await harness.writer.flush()
        let stored = try harness.store.observations(stream: "close", afterUs: .min)
        #expect(stored.map(\.tUs) == times)
        #expect(stored.map(\.value) == [0, 1, 2, 3])
        #expect(harness.engine.counters.duplicatesIgnored == 1)
        #expect(harness.engine.counters.rejects == ["duplicate_timestamp": 1])
        let reason = try harness.store.rejects().first?.reason
        #expect(reason == "duplicate_timestamp: a step at 2026-05-01T12:00:44.0015Z exists")
        try await harness.close()
    }
}
