import EngineTestKit
import Storage
import Testing

@testable import Configuration
@testable import Engine

/// A redelivered reading (same stream and time, bit-identical value) is counted as a duplicate, never a reject; a
/// conflicting or unseen late reading is still rejected.
@Suite struct EngineDuplicateTests {
    static let t0 = EngineFixture.start

    static func send(_ engine: ForecastEngine, stream: String = "a", t: Double, v: Double, arrival: Double? = nil) {
        engine.receive(
            topic: "sensors/\(stream)", payload: EngineFixture.payload(t: t, v: v), arrivalTime: arrival ?? t + 1)
    }

    static func reasons(_ output: EngineOutput) -> [String] {
        output.rejectRows.map { String($0.reason.prefix { $0 != ":" }) }
    }

    @Test func theSameMessageTwiceIsOneObservationAndOneDuplicate() async throws {
        let fixture = try EngineFixture()
        let engine = try fixture.engine(EngineFixture.configuration(cadence: .event))
        Self.send(engine, t: Self.t0, v: 21.5)
        Self.send(engine, t: Self.t0, v: 21.5, arrival: Self.t0 + 30)
        let output = engine.tick(now: Self.t0 + 31)
        #expect(output.rejectRows.isEmpty)
        #expect(output.observationRows.map(\.value) == [21.5])
        #expect(engine.counters.readings == 2)
        #expect(engine.counters.duplicatesIgnored == 1)
        #expect(engine.counters.rejectsTotal == 0)
        try await fixture.apply(output)
        #expect(try fixture.store.rejects().isEmpty)
    }

    @Test func sameTimeWithAnotherValueOrAnUnseenOlderTimeIsStillRejected() throws {
        let fixture = try EngineFixture()
        let engine = try fixture.engine(EngineFixture.configuration(cadence: .event))
        Self.send(engine, t: Self.t0 + 10, v: 0)
        Self.send(engine, t: Self.t0 + 10, v: 2)  // a conflicting value
        Self.send(engine, t: Self.t0 + 10, v: -0.0)  // equal as a Double, but not the same bits
        Self.send(engine, t: Self.t0 + 10, v: 0)  // the redelivery
        Self.send(engine, t: Self.t0 + 5, v: 0)  // never accepted
        let output = engine.tick(now: Self.t0 + 20)
        #expect(Self.reasons(output) == ["duplicate_timestamp", "duplicate_timestamp", "out_of_order"])
        #expect(engine.counters.duplicatesIgnored == 1)
        #expect(output.observationRows.map(\.value) == [0])
    }

    @Test func aReplayedBurstIsIgnoredAndLeavesTheOpenBucketsAggregateAlone() throws {
        let fixture = try EngineFixture()
        let engine = try fixture.engine(EngineFixture.configuration(cadence: .every(.seconds(60))))
        // Ten closed buckets, then two readings in the open bucket 10 (mean 2).
        var burst: [(t: Double, v: Double)] = (0..<10).map { (Self.t0 + 60 * Double($0) + 5, Double($0)) }
        burst += [(Self.t0 + 605, 1), (Self.t0 + 610, 3)]
        for (t, v) in burst { Self.send(engine, t: t, v: v) }
        let first = engine.tick(now: Self.t0 + 611)
        #expect(first.observationRows.map(\.value) == (0..<10).map { Double($0) })
        // The broker redelivers the whole unacknowledged burst.
        for (t, v) in burst { Self.send(engine, t: t, v: v, arrival: Self.t0 + 612) }
        let replayed = engine.tick(now: Self.t0 + 613)
        #expect(replayed.rejectRows.isEmpty)
        #expect(replayed.observationRows.isEmpty)
        #expect(engine.counters.duplicatesIgnored == burst.count)
        #expect(engine.counters.rejectsTotal == 0)
        // The open bucket 10 still closes on its own two readings.
        Self.send(engine, t: Self.t0 + 665, v: 0)
        let closed = engine.tick(now: Self.t0 + 666)
        #expect(closed.observationRows.map(\.value) == [2])
    }

    @Test func aRedeliveryIntoTheOpenBucketIsNotAggregatedTwice() throws {
        let fixture = try EngineFixture()
        let engine = try fixture.engine(EngineFixture.configuration(cadence: .every(.seconds(60))))
        Self.send(engine, t: Self.t0 + 5, v: 1)
        Self.send(engine, t: Self.t0 + 10, v: 4)
        Self.send(engine, t: Self.t0 + 10, v: 4, arrival: Self.t0 + 20)
        Self.send(engine, t: Self.t0 + 65, v: 0)
        let output = engine.tick(now: Self.t0 + 66)
        #expect(output.observationRows.map(\.value) == [2.5])  // (1 + 4) / 2, not (1 + 4 + 4) / 3
        #expect(engine.counters.duplicatesIgnored == 1)
        #expect(output.rejectRows.isEmpty)
    }

    /// After a restart the window of raw readings is empty: an event stream's restored context (the last 16 steps
    /// here) and, further back, its stored observations still identify a replayed inbox burst; a duration stream's
    /// buckets are aggregates and cannot, so those stay `out_of_order`.
    @Test func afterARestartStoredEventReadingsIdentifyTheReplay() async throws {
        let fixture = try EngineFixture()
        var configuration = EngineFixture.configuration(cadence: .event, minHistory: 16)
        configuration.models["default"]!.contextLength = 16
        var buckets = configuration.rules[0]
        buckets.name = "buckets"
        buckets.topic = "buckets/+"
        buckets.cadence = .every(.seconds(60))
        configuration.rules.append(buckets)
        let a = try fixture.engine(configuration)
        let burst = (0..<(RecentReadings.capacity + 36)).map { (t: Self.t0 + 10 * Double($0), v: Double($0) / 4) }
        for (t, v) in burst {
            Self.send(a, t: t, v: v)
            a.receive(topic: "buckets/b", payload: EngineFixture.payload(t: t, v: v), arrivalTime: t + 1)
        }
        let end = burst.last!.t + 100
        try await fixture.apply(a.tick(now: end))
        try await fixture.apply(a.shutdown(now: end + 1))

        let b = try fixture.engine(configuration, now: end + 2)
        #expect(b.counters.streamsRestored == 2)
        for (t, v) in burst { Self.send(b, t: t, v: v, arrival: end + 3) }
        Self.send(b, t: burst[3].t, v: 99, arrival: end + 3)  // a conflicting old value
        b.receive(
            topic: "buckets/b", payload: EngineFixture.payload(t: burst[0].t, v: burst[0].v), arrivalTime: end + 3)
        let output = b.tick(now: end + 4)
        #expect(b.counters.duplicatesIgnored == burst.count)
        #expect(Self.reasons(output) == ["out_of_order", "out_of_order"])
        #expect(output.rejectRows.map(\.topic) == ["sensors/a", "buckets/b"])
        #expect(output.observationRows.isEmpty)
    }
}
