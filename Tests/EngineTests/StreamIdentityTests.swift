import EngineTestKit
import MQTT
import Storage
import Testing

@testable import Configuration
@testable import Engine
@testable import Ingest

/// Topics and stream ids are bytes: canonically equivalent but different byte sequences are different streams all
/// the way from the topic filter to the Store.
@Suite struct StreamIdentityTests {
    static let composed = "caf\u{e9}"
    static let decomposed = "cafe\u{301}"

    @Test func equivalentTopicsAreTwoStreamsInTheEngineAndTheStore() async throws {
        #expect(Self.composed == Self.decomposed)  // what Swift's String says, and why the engine must not ask it
        let fixture = try EngineFixture()
        let engine = try fixture.engine(EngineFixture.configuration(cadence: .event))
        let t0 = EngineFixture.start
        engine.receive(
            topic: "sensors/\(Self.composed)", payload: EngineFixture.payload(t: t0, v: 1), arrivalTime: t0)
        engine.receive(
            topic: "sensors/\(Self.decomposed)", payload: EngineFixture.payload(t: t0, v: 2), arrivalTime: t0)
        let output = engine.tick(now: t0 + 1)
        // Without bytewise keys the second reading lands on the first stream as a duplicate_timestamp reject.
        #expect(output.rejectRows.isEmpty)
        #expect(engine.streams.count == 2)
        let rows = output.observationRows.map { (Array($0.stream.utf8), $0.value) }
        #expect(rows.count == 2)
        #expect(rows.contains { $0.0 == Array(Self.composed.utf8) && $0.1 == 1 })
        #expect(rows.contains { $0.0 == Array(Self.decomposed.utf8) && $0.1 == 2 })

        try await fixture.apply(output)
        let stored = try fixture.store.streams().map { Array($0.name.utf8) }
        #expect(Set(stored) == [Array(Self.composed.utf8), Array(Self.decomposed.utf8)])
        let composedRows = try fixture.store.observations(stream: Self.composed, afterUs: 0)
        let decomposedRows = try fixture.store.observations(stream: Self.decomposed, afterUs: 0)
        #expect(composedRows.map(\.value) == [1])
        #expect(decomposedRows.map(\.value) == [2])
    }

    @Test func streamTemplateSubstitutesTheMatchedBytes() throws {
        var rule = DaemonConfiguration.Rule()
        rule.name = "r"
        rule.topic = "site/+/+"
        rule.stream = "{1}/{2}"
        var configuration = DaemonConfiguration()
        configuration.rules = [rule]
        let ingestor = try Ingestor(configuration: configuration)
        let output = ingestor.ingest(
            topic: "site/\(Self.decomposed)/\u{301}x", payload: Array("1".utf8), arrivalTime: 1_767_225_600)
        #expect(output.readings.map { Array($0.streamID.utf8) } == [Array("\(Self.decomposed)/\u{301}x".utf8)])
        // A combining mark after a '/' does not hide that level separator: three levels do not match `site/+/+`.
        let extra = ingestor.ingest(topic: "site/a/b/\u{301}c", payload: Array("1".utf8), arrivalTime: 1_767_225_600)
        #expect(extra.readings.isEmpty)
        #expect(extra.rejects.map(\.reason) == [.noMatchingRule])
    }

    @Test func templateCharactersAreCheckedAsBytes() {
        // As Characters, '+' and '{' followed by a combining mark used to pass as literal text.
        #expect(throws: StreamIDTemplate.ParseError.forbiddenCharacter("+")) {
            try StreamIDTemplate("{1}+\u{301}", wildcards: 1)
        }
        #expect(throws: StreamIDTemplate.ParseError.unbalancedBrace) {
            try StreamIDTemplate("x/{\u{301}", wildcards: 1)
        }
        #expect(throws: StreamIDTemplate.ParseError.unbalancedBrace) { try StreamIDTemplate("x}\u{301}", wildcards: 1) }
        #expect((try? StreamIDTemplate("caf\u{e9}/{1}", wildcards: 1).render(captures: ["x"], topic: "t")) == "café/x")
    }

    @Test func equivalentRuleFiltersAreTwoSubscriptions() throws {
        var configuration = DaemonConfiguration()
        var first = DaemonConfiguration.Rule()
        first.name = "composed"
        first.topic = "\(Self.composed)/+"
        var second = first
        second.name = "decomposed"
        second.topic = "\(Self.decomposed)/+"
        configuration.rules = [first, second]
        let client = try configuration.mqttClientConfiguration()
        #expect(
            client.subscriptions.map { Array($0.filter.description.utf8) } == [
                Array(first.topic.utf8), Array(second.topic.utf8),
            ])
    }
}
