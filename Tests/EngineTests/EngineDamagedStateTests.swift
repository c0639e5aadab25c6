import EngineTestKit
import Storage
import Testing

@testable import Engine

@Suite struct EngineDamagedStateTests {
    /// Saves two streams after `steps` readings, damages the saved state of "bad" with `damage`, and starts a new
    /// engine on the result.
    private static func restart(
        after steps: Int, damaging damage: (inout StreamStateRecord) -> Void
    ) async throws -> ForecastEngine {
        let fixture = try EngineFixture()
        let configuration = EngineFixture.configuration(horizon: 3)
        let a = try fixture.engine(configuration)
        EngineFixture.feed(a, streams: ["good", "bad"], steps: 0..<steps)
        let now = EngineFixture.start + Double(steps) * 100
        var saved = a.shutdown(now: now)
        saved.writes = saved.writes.map {
            guard case .streamState(var record) = $0, record.stream == "bad" else { return $0 }
            damage(&record)
            return .streamState(record)
        }
        try await fixture.apply(saved)
        return try fixture.engine(configuration, now: now)
    }

    @Test func anUnreadableSavedStateIsCountedAndTheStreamStartsFresh() async throws {
        let b = try await Self.restart(after: 5) { $0.calibrator = Array("{\"truncated".utf8) }
        #expect(b.counters.stateDecodeFailures == 1)
        #expect(b.counters.streamsRestored == 1)
        #expect(b.streams["good"]?.presentSteps == 4)
        #expect(b.streams["bad"] == nil)
        let output = EngineFixture.feed(b, streams: ["bad"], steps: 7..<8)[0]
        #expect(b.streams["bad"]?.steps == 0)  // a fresh stream: its first reading opened a bucket
        #expect(output.rejectRows.isEmpty)
    }

    /// Parts are saved deflated; one whose compressed bytes were damaged (a flipped byte, cut short, a length that
    /// is not its stream's, an unknown first byte) is refused like unreadable JSON: counted, logged with its reason,
    /// and the stream starts fresh while the others restore.
    @Test(arguments: ["flipped", "cut", "length", "unknown"])
    func aDamagedDeflatedPartIsRefusedWithItsReason(_ damage: String) async throws {
        let configuration = EngineFixture.configuration(horizon: 3)
        let b = try await Self.restart(after: 40) { record in
            var blob = record.calibrator
            #expect(blob.first == StreamState.SavedBlob.deflatedWithDictionary)
            switch damage {
            case "flipped": blob[blob.count / 2] ^= 0x40
            case "cut": blob.removeLast(blob.count / 3)
            case "length": blob[1] &+= 1
            default: blob[0] = 0x03
            }
            record.calibrator = blob
            #expect(
                SavedStreamStateCheck.refusal(
                    hidden: record.hidden, normaliser: record.normaliser, calibrator: blob,
                    configuration: configuration)?.contains("calibrator") == true)
        }
        #expect(b.counters.stateDecodeFailures == 1)
        #expect(b.counters.streamsRestored == 1)
        #expect(b.streams["good"]?.presentSteps == 39)
        #expect(b.streams["bad"] == nil)
    }
}
