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
}
