import EngineTestKit
import Storage
import Testing

@testable import Engine

@Suite struct EngineDamagedStateTests {
    @Test func anUnreadableSavedStateIsCountedAndTheStreamStartsFresh() async throws {
        let fixture = try EngineFixture()
        let configuration = EngineFixture.configuration(horizon: 3)
        let a = try fixture.engine(configuration)
        EngineFixture.feed(a, streams: ["good", "bad"], steps: 0..<5)
        var saved = a.shutdown(now: EngineFixture.start + 400)
        saved.writes = saved.writes.map {
            guard case .streamState(var record) = $0, record.stream == "bad" else { return $0 }
            record.calibrator = Array("{\"truncated".utf8)
            return .streamState(record)
        }
        try await fixture.apply(saved)
        let b = try fixture.engine(configuration, now: EngineFixture.start + 400)
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
        let fixture = try EngineFixture()
        let configuration = EngineFixture.configuration(horizon: 3)
        let a = try fixture.engine(configuration)
        EngineFixture.feed(a, streams: ["good", "bad"], steps: 0..<40)
        var saved = a.shutdown(now: EngineFixture.start + 4000)
        saved.writes = saved.writes.map {
            guard case .streamState(var record) = $0, record.stream == "bad" else { return $0 }
            var blob = record.calibrator
            #expect(blob.first == StreamState.SavedBlob.deflatedJSON)
            switch damage {
            case "flipped": blob[blob.count / 2] ^= 0x40
            case "cut": blob.removeLast(blob.count / 3)
            case "length": blob[1] &+= 1
            default: blob[0] = 0x02
            }
            record.calibrator = blob
            #expect(
                SavedStreamStateCheck.refusal(
                    hidden: record.hidden, normaliser: record.normaliser, calibrator: blob,
                    configuration: configuration)?.contains("calibrator") == true)
            return .streamState(record)
        }
        try await fixture.apply(saved)
        let b = try fixture.engine(configuration, now: EngineFixture.start + 4000)
        #expect(b.counters.stateDecodeFailures == 1)
        #expect(b.counters.streamsRestored == 1)
        #expect(b.streams["good"]?.presentSteps == 39)
        #expect(b.streams["bad"] == nil)
    }
}
