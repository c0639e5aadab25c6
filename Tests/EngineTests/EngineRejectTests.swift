import EngineTestKit
import Storage
import Testing

@testable import Configuration
@testable import Engine
@testable import Ingest

@Suite struct EngineRejectTests {
    /// Rules for every payload format plus an event-cadence JSON rule and a template that can produce an empty id.
    static func configuration() -> DaemonConfiguration {
        var configuration = EngineFixture.configuration()
        func rule(
            _ name: String, _ topic: String, _ stream: String, _ format: DaemonConfiguration.PayloadFormat
        )
            -> DaemonConfiguration.Rule
        {
            var rule = DaemonConfiguration.Rule()
            rule.name = name
            rule.topic = topic
            rule.stream = stream
            rule.payload.format = format
            return rule
        }
        var json = rule("json", "json/+", "j/{1}", .json)
        json.payload.valuePath = "v"
        json.payload.timePath = "t"
        json.cadence = .every(.seconds(60))
        var events = rule("events", "events/+", "e/{1}", .json)
        events.payload.valuePath = "v"
        events.payload.timePath = "t"
        configuration.rules = [
            rule("number", "num/+", "n/{1}", .number), json, events, rule("senml", "senml/+", "s/{1}", .senml),
            rule("ids", "ids/+/v", "{1}", .number),
        ]
        configuration.engine.maxPayloadBytes = 64
        configuration.engine.maxFutureSkew = .seconds(60)
        return configuration
    }

    @Test func everyKindOfBadInputBecomesAReasonedRejectRowAndACounter() async throws {
        let fixture = try EngineFixture()
        let engine = try fixture.engine(Self.configuration())
        let t0 = EngineFixture.start
        let cases: [(topic: String, payload: String, reason: RejectReason)] = [
            ("num/a", "warm", .nonNumeric),
            ("num/a", "NaN", .nonFinite),
            ("num/a", "inf", .nonFinite),
            ("num/a", "-Infinity", .nonFinite),
            ("json/a", #"{"v":"#, .invalidJSON),
            ("json/a", #"{"x":1}"#, .missingPath),
            ("num/a", String(repeating: "1", count: 100), .oversized),
            ("senml/a", #"[{"n":"x","v":1,"zz_":1}]"#, .senmlUnknownField),
            ("json/a", #"{"t":\#(t0 + 3600),"v":1}"#, .futureTimestamp),
            ("nothing/here", "1", .noMatchingRule),
            ("ids//v", "1", .invalidStreamID),
        ]
        for (topic, payload, _) in cases {
            engine.receive(topic: topic, payload: Array(payload.utf8), arrivalTime: t0)
        }
        // Ordering against the stream's own steps is the engine's: a reading older than the open bucket, and the
        // same time twice on an event-cadence stream.
        engine.receive(topic: "json/b", payload: EngineFixture.payload(t: t0 + 300, v: 1), arrivalTime: t0 + 300)
        engine.receive(topic: "json/b", payload: EngineFixture.payload(t: t0 + 100, v: 2), arrivalTime: t0 + 300)
        engine.receive(topic: "events/c", payload: EngineFixture.payload(t: t0, v: 1), arrivalTime: t0)
        engine.receive(topic: "events/c", payload: EngineFixture.payload(t: t0, v: 2), arrivalTime: t0)
        let expected = cases.map(\.reason) + [.outOfOrder, .duplicateTimestamp]

        let output = engine.tick(now: t0 + 301)
        let rows = output.rejectRows
        #expect(rows.map { String($0.reason.prefix { $0 != ":" }) } == expected.map(\.rawValue))
        for reason in Set(expected) {
            #expect(engine.counters.rejects[reason.rawValue] == expected.filter { $0 == reason }.count)
        }
        #expect(engine.counters.rejectsTotal == expected.count)
        #expect(rows.first { $0.topic == "num/a" && $0.payloadBytes == 100 } != nil)
        // The engine carried on: the good readings still became observations.
        engine.receive(topic: "events/c", payload: EngineFixture.payload(t: t0 + 1, v: 3), arrivalTime: t0 + 1)
        let after = engine.tick(now: t0 + 302)
        #expect(after.observationRows.map(\.stream) == ["e/c"])
        #expect(engine.counters.observations == 2)  // e/c at t0 (learned in the first tick) and t0 + 1

        // The rows are storable as they are.
        try await fixture.apply(output)
        #expect(try fixture.store.rejects().count == expected.count)
    }
}
