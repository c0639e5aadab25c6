import Formats
import Foundation
import MQTT
import MQTTTestKit
import ProcessTestKit
import Storage
import Testing

/// The real `barnnd` binary against a real broker and a real SQLite file.
@Suite(.serialized) struct EndToEndTests {
    static let streams = ["plant/flow", "plant/temp", "lab/ph"]

    /// Every replayed reading lands in SQLite exactly once; every stream gets forecasts that follow the schema with
    /// monotone quantiles; SIGTERM then exits 0 leaving a sound database, saved states and a retained `offline`.
    @Test(.timeLimit(.minutes(2)))
    func replayedReadingsAreStoredOnceForecastAndShutDownCleanly() async throws {
        let harness = try EndToEndHarness()
        try await harness.startDaemon()
        let forecasts = try await harness.subscriber("forecast/+/+")
        let csv = try harness.writeCSV(name: "data.csv", streams: Self.streams, rows: 0..<200)
        try harness.replay(csv: csv)
        try await harness.waitForObservations(600, streams: Self.streams)

        let received = await forecasts.messages.collect(200, timeout: .seconds(5))
        await forecasts.close()
        let parsed = received.compactMap { ForecastMessage($0.payload) }
        #expect(Set(parsed.map(\.stream)) == Set(Self.streams))
        #expect(parsed.allSatisfy { $0.quantilesAreMonotone })
        #expect(received.allSatisfy { $0.topic == "forecast/" + (ForecastMessage($0.payload)?.stream ?? "?") })

        #expect(harness.stopDaemon(SIGTERM) == 0, "\(harness.log())")
        let observations = try harness.observations(Self.streams)
        let expected = (0..<200).map { Int64(1_700_000_000 + $0 * 3600) * 1_000_000 }
        for stream in Self.streams { #expect(observations[stream] == expected, "stream \(stream)") }
        let store = try harness.store()
        let integrity = try store.integrityCheck()
        #expect(integrity == ["ok"])
        let saved = try store.streamStates().map(\.stream)
        #expect(Set(saved) == Set(Self.streams))
        try store.close()
        try await harness.waitForStatus("offline")
    }

    /// SIGKILL in the middle of a replay, while the replay goes on; after a restart every reading is stored exactly
    /// once (broker session + durable inbox) and forecasts resume from the restored stream states.
    @Test(.timeLimit(.minutes(3)))
    func sigkillMidReplayLosesNoReading() async throws {
        let harness = try EndToEndHarness()
        try await harness.startDaemon()
        let rows = 300
        let csv = try harness.writeCSV(name: "data.csv", streams: Self.streams, rows: 0..<rows)
        // 3600 data seconds per row at 180 000× is one row per 20 ms: about 6 s of replay.
        let replay = try harness.startReplay(csv: csv, speed: 180_000)
        // Kill once every stream has a saved state (saved every second), so the restart has states to restore.
        try await harness.waitUntil(timeout: .seconds(30), "saved stream states") {
            let store = try harness.store()
            defer { try? store.close() }
            return try store.streamStates().count == Self.streams.count
        }
        #expect(harness.stopDaemon(SIGKILL) == 128 + SIGKILL)
        let beforeRestart = try harness.observations(Self.streams).values.reduce(0) { $0 + $1.count }
        #expect(beforeRestart < rows * Self.streams.count, "the kill came after the replay had finished")
        #expect(replay.wait() == 0)

        let restartedAt = Date().timeIntervalSince1970
        try await harness.startDaemon()
        let forecasts = try await harness.subscriber("forecast/+/+")
        try await harness.waitForObservations(rows * Self.streams.count, streams: Self.streams)
        let observations = try harness.observations(Self.streams)
        let expected = (0..<rows).map { Int64(1_700_000_000 + $0 * 3600) * 1_000_000 }
        for stream in Self.streams { #expect(observations[stream] == expected, "stream \(stream)") }

        // Forecasts resume: new readings after the restart are forecast, and the health report shows restored states.
        let more = try harness.writeCSV(name: "more.csv", streams: Self.streams, rows: rows..<(rows + 20))
        try harness.replay(csv: more)
        var fresh: Set<String> = []
        var iterator = forecasts.messages.makeAsyncIterator()
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: .seconds(30))
        while fresh.count < Self.streams.count, clock.now < deadline, let message = await iterator.next() {
            // Retained forecasts from before the kill arrive first; only ones that follow a new reading count
            // (issued_at is the data time of the step a forecast follows).
            if let forecast = ForecastMessage(message.payload), let issued = UTCTimestamp.parse(forecast.issuedAt),
                issued >= 1_700_000_000 + Double(rows) * 3600
            {
                fresh.insert(forecast.stream)
            }
        }
        await forecasts.close()
        #expect(fresh == Set(Self.streams))
        // The retained report of the killed process comes first; wait for one of the restarted daemon.
        let health = try await harness.subscriber("barnnd/status/health")
        var report: [String: Any] = [:]
        for await message in health.messages {
            let object = try? JSONSerialization.jsonObject(with: Data(message.payload)) as? [String: Any]
            if let object, let text = object["time"] as? String, let time = UTCTimestamp.parse(text),
                time >= restartedAt
            {
                report = object
                break
            }
        }
        await health.close()
        let engine = try #require(report["engine"] as? [String: Any])
        #expect((engine["streamsRestored"] as? Int ?? 0) == Self.streams.count, "\(engine)")
        #expect(harness.stopDaemon(SIGTERM) == 0)
    }

    /// SIGHUP with a changed publish topic: forecasts move to the new topic without a restart.
    @Test(.timeLimit(.minutes(2)))
    func sighupAppliesANewPublishTopic() async throws {
        let harness = try EndToEndHarness()
        try await harness.startDaemon()
        let first = try harness.writeCSV(name: "first.csv", streams: Self.streams, rows: 0..<30)
        try harness.replay(csv: first)
        try await harness.waitForObservations(90, streams: Self.streams)

        try harness.writeConfiguration(publishTopic: "moved/{stream}")
        let moved = try await harness.subscriber("moved/#")
        let pid = try #require(harness.daemon?.pid)
        kill(pid, SIGHUP)
        // Readings keep coming until a forecast shows up on the new topic (the reload is asynchronous).
        let received = try await replayUntilAForecastArrives(harness, on: moved)
        await moved.close()
        let message = try #require(received.first, "\(harness.log())")
        #expect(message.topic.hasPrefix("moved/"))
        #expect(harness.daemon?.isRunning == true)
        #expect(harness.stopDaemon(SIGTERM) == 0)
    }

    /// Replays ten more rows per stream at a time (after the 30 already sent) until `client` receives a message,
    /// at most 270 rows; returns what it received.
    private func replayUntilAForecastArrives(
        _ harness: EndToEndHarness, on client: MosquittoClient
    ) async throws -> [Message] {
        var batch = 30
        var received: [Message] = []
        while received.isEmpty, batch < 300 {
            let csv = try harness.writeCSV(name: "more-\(batch).csv", streams: Self.streams, rows: batch..<(batch + 10))
            try harness.replay(csv: csv)
            batch += 10
            received = await client.messages.collect(1, timeout: .seconds(2))
        }
        return received
    }

    /// SIGHUP after the file was broken (a header that aborted toml++): the reload is refused with the file's
    /// line, the daemon keeps running and forecasts stay on the topic of the configuration in force.
    @Test(.timeLimit(.minutes(2)))
    func sighupWithAMalformedFileKeepsTheRunningConfiguration() async throws {
        let harness = try EndToEndHarness()
        try await harness.startDaemon()
        let first = try harness.writeCSV(name: "first.csv", streams: Self.streams, rows: 0..<30)
        try harness.replay(csv: first)
        try await harness.waitForObservations(90, streams: Self.streams)

        try Data("[mqtt]\nhost = \"127.0.0.1\"\r\n[,x]\r\n".utf8).write(to: URL(fileURLWithPath: harness.configPath))
        let pid = try #require(harness.daemon?.pid)
        kill(pid, SIGHUP)
        try await harness.waitUntil(timeout: .seconds(30), "the refused reload in the log") {
            let log = (try? String(contentsOfFile: harness.logPath, encoding: .utf8)) ?? ""
            return log.contains("configuration reload refused") && log.contains("\(harness.configPath):3:")
        }
        #expect(harness.daemon?.isRunning == true)

        let forecasts = try await harness.subscriber("forecast/+/+")
        let received = try await replayUntilAForecastArrives(harness, on: forecasts)
        await forecasts.close()
        #expect(received.first?.topic.hasPrefix("forecast/") == true, "\(harness.log())")
        #expect(harness.stopDaemon(SIGTERM) == 0)
    }

    /// The broker goes away and comes back: the daemon reconnects, announces itself again and data flows.
    @Test(.timeLimit(.minutes(2)))
    func reconnectsAfterTheBrokerRestarts() async throws {
        let harness = try EndToEndHarness()
        try await harness.startDaemon()
        let first = try harness.writeCSV(name: "first.csv", streams: Self.streams, rows: 0..<20)
        try harness.replay(csv: first)
        try await harness.waitForObservations(60, streams: Self.streams)

        harness.broker.stop()
        try harness.broker.start()
        try await harness.waitForStatus("online")
        let second = try harness.writeCSV(name: "second.csv", streams: Self.streams, rows: 20..<40)
        try harness.replay(csv: second)
        try await harness.waitForObservations(120, streams: Self.streams)
        #expect(harness.stopDaemon(SIGTERM) == 0)
    }

    /// A configuration with several errors is refused at start with every one listed and exit status 64.
    @Test func badConfigurationIsRefusedWithEveryProblem() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("barnnd-bad-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = directory.appendingPathComponent("bad.toml").path
        try "[mqtt]\nport = 0\n[engine]\nmax_streams = -1\n[publish]\nqos = 7\n".write(
            toFile: config, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: EndToEndHarness.binary)
        process.arguments = ["run", "--config", config, "--database", directory.appendingPathComponent("db").path]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 64)
        for key in ["mqtt.port", "engine.max_streams", "publish.qos"] { #expect(text.contains(key), "\(text)") }
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("db").path))
    }
}
