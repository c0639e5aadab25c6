import EngineTestKit
import Forecasting
import Foundation
import Storage
import Testing

@testable import Configuration
@testable import Engine

/// The `stream_states` rows fuzzing found to crash start-up (Fixtures/DamagedStates, each the hidden, normaliser and
/// calibrator blobs joined by NUL bytes) are refused: the daemon starts, that stream starts cold, the others restore.
@Suite struct EngineFuzzedStateTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/DamagedStates", isDirectory: true)

    /// Each reproducer and the part of the row it must be refused for.
    static let cases: [(file: String, field: String)] = [
        ("state-A-context-capacity", "normaliser.context.capacity"),
        ("state-D-lastEmitted-max", "normaliser"),
        ("state-E-gap-huge", "normaliser.resampler.maximumGapSteps"),
        ("state-F-calib-score-capacity", "calibrator"),
        ("state-G-fallback-errors-capacity", "normaliser.fallback.residualWindow"),
        ("state-H-stepsSinceForecast-max", "normaliser.stepsSinceForecast"),
        ("state-I-steps-max", "normaliser.steps"),
        ("state-M-cadence-huge", "normaliser"),
        ("state-fuzzfound-calibrator-positions-capacity", "calibrator"),
        ("state-fuzzfound-fallback-ringbuffer-capacity", "normaliser"),
        ("state-fuzzfound-scores-capacity-oom", "calibrator"),
    ]

    /// The shapes the reproducers were saved with: rule 0 a 60 s mean cadence, rule 1 event cadence, one group with
    /// hidden size 4, horizon 3 and season 2 (their context of 16 steps fits the fixture's longer one; its
    /// `min_history` keeps the group from training).
    static var configuration: DaemonConfiguration {
        var configuration = EngineFixture.configuration(horizon: 3, hiddenSize: 4)
        configuration.models["default"]!.season = 2
        var events = configuration.rules[0]
        events.name = "events"
        events.topic = "events/+"
        events.cadence = .event
        configuration.rules.append(events)
        return configuration
    }

    /// The three blobs of a reproducer: split at its first two NUL bytes (the calibrator may hold more).
    static func blobs(_ file: String) throws -> (hidden: [UInt8], normaliser: [UInt8], calibrator: [UInt8]) {
        let bytes = try [UInt8](Data(contentsOf: fixtures.appendingPathComponent("\(file).bin")))
        let parts = bytes.split(separator: 0, maxSplits: 2, omittingEmptySubsequences: false).map(Array.init)
        try #require(parts.count == 3, "\(file) is not three NUL-separated blobs")
        return (parts[0], parts[1], parts[2])
    }

    @Test func everyReproducerIsInTheRepository() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.fixtures.path).filter {
            $0.hasSuffix(".bin")
        }
        #expect(Set(files) == Set(Self.cases.map { "\($0.file).bin" }))
    }

    @Test(arguments: cases.map(\.file))
    func aFuzzedRowStartsItsStreamColdAndTheOthersRestore(file: String) async throws {
        let fixture = try EngineFixture()
        let a = try fixture.engine(Self.configuration)
        EngineFixture.feed(a, streams: ["good", "bad"], steps: 0..<30)
        let end = EngineFixture.start + 60 * 30
        var saved = a.shutdown(now: end)
        let damaged = try Self.blobs(file)
        saved.writes = saved.writes.map {
            guard case .streamState(var record) = $0, record.stream == "bad" else { return $0 }
            (record.hidden, record.normaliser, record.calibrator) = damaged
            return .streamState(record)
        }
        try await fixture.apply(saved)

        let b = try fixture.engine(Self.configuration, now: end)
        #expect(b.counters.stateDecodeFailures == 1)
        #expect(b.counters.streamsRestored == 1)
        #expect(b.streams["good"]?.presentSteps == a.streams["good"]?.presentSteps)
        #expect(b.streams["bad"] == nil)
        // Readings after the restart: the damaged stream starts cold, the healthy one goes on as if never stopped.
        EngineFixture.feed(a, streams: ["good", "bad"], steps: 31..<34)
        let outputs = EngineFixture.feed(b, streams: ["good", "bad"], steps: 31..<34)
        #expect(outputs.allSatisfy { $0.rejectRows.isEmpty })
        #expect(b.streams["bad"]?.steps == 2)  // buckets 31 and 32 closed; 33 is open
        let (left, right) = (try #require(a.streams["good"]), try #require(b.streams["good"]))
        #expect(left.presentSteps == right.presentSteps)
        #expect(left.lastT == right.lastT)
        #expect(left.feedback.calibrator == right.feedback.calibrator)
        #expect(b.counters.stateDecodeFailures == 1)
    }

    @Test(arguments: cases)
    func aFuzzedRowIsRefusedForItsDamage(file: String, field: String) throws {
        let damaged = try Self.blobs(file)
        let record = StreamStateRecord(
            stream: "bad", checkpointID: nil, tUs: 0, savedAtUs: 0, hidden: damaged.hidden,
            normaliser: damaged.normaliser, calibrator: damaged.calibrator)
        let error = #expect(throws: StreamState.Refusal.self) {
            try StreamStateBoundsTests.parts(of: record, configuration: Self.configuration)
        }
        #expect(error?.field == field, "\(error.map(String.init(describing:)) ?? "")")
    }
}
