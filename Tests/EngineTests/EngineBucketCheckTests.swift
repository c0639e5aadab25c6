import Configuration
import EngineTestKit
import Storage
import Testing

@testable import Engine

/// A tick looks for buckets to close only at the streams whose open (or next missing) bucket is one bucket in the
/// past, from a schedule, not at every stream: a fleet's size alone no longer costs every tick a pass over it.
@Suite struct EngineBucketCheckTests {
    @Test func aTickLooksOnlyAtTheStreamsWhoseBucketIsDue() throws {
        let fixture = try EngineFixture()
        let engine = try fixture.engine(EngineFixture.configuration(maxStreams: 1_000))
        let ids = (0..<300).map { "s\($0)" }
        // Minute 0: every stream sends once; its bucket [0, 60) may still take readings until 120 s.
        EngineFixture.feed(engine, streams: ids, steps: 0..<1)
        #expect(engine.scheduledBucketChecks == ids.count)
        // s0 also sends in minute 1, which closes its minute 0 at once and moves its look to 180 s; its entry for
        // 120 s stays and finds nothing.
        let early = EngineFixture.feed(engine, streams: ["s0"], steps: 1..<2)[0]
        #expect(early.observationRows.map(\.stream) == ["s0"])
        let before = engine.bucketLooks
        for offset in [70.0, 90, 119.9] {
            #expect(engine.tick(now: EngineFixture.start + offset).observationRows.isEmpty)
        }
        #expect(engine.bucketLooks == before)

        let due = engine.tick(now: EngineFixture.start + 120)
        #expect(engine.bucketLooks == before + ids.count)
        #expect(due.observationRows.count == ids.count - 1)
        #expect(due.observationRows.allSatisfy { $0.tUs == Int64(EngineFixture.start * 1_000_000) && $0.value != nil })
        _ = engine.tick(now: EngineFixture.start + 150)
        #expect(engine.bucketLooks == before + ids.count)

        // 180 s: every silent stream gets an explicit missing step for minute 1, and s0 closes its minute 1.
        let gaps = engine.tick(now: EngineFixture.start + 180)
        #expect(engine.bucketLooks == before + 2 * ids.count)
        let minute1 = Int64((EngineFixture.start + 60) * 1_000_000)
        #expect(gaps.observationRows.count == ids.count)
        #expect(gaps.observationRows.allSatisfy { $0.tUs == minute1 && ($0.value == nil) == ($0.stream != "s0") })
        // One current entry a stream: the stale ones were dropped as they came due.
        #expect(engine.scheduledBucketChecks == ids.count)
    }

    @Test func anEventCadenceStreamIsNeverLookedAt() throws {
        let fixture = try EngineFixture()
        let engine = try fixture.engine(EngineFixture.configuration(cadence: .event))
        EngineFixture.feed(engine, streams: ["a", "b"], steps: 0..<5)
        #expect(engine.scheduledBucketChecks == 0)
        _ = engine.tick(now: EngineFixture.start + 3_600)
        #expect(engine.bucketLooks == 0)
    }
}
