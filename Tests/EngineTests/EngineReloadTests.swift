import EngineTestKit
import Foundation
import Storage
import Testing

@testable import Configuration
@testable import Engine

@Suite struct EngineReloadTests {
    @Test func reloadAppliesRulesAndPublishSettingsAndKeepsStreamStates() throws {
        let fixture = try EngineFixture()
        let configuration = EngineFixture.configuration(horizon: 3)
        let engine = try fixture.engine(configuration)
        EngineFixture.feed(engine, streams: ["a"], steps: 0..<30)
        let before = try #require(engine.streams["a"])
        let steps = before.steps

        var changed = configuration
        changed.publish.topic = "predictions/{stream}"
        changed.publish.scalarTopic = ""
        changed.publish.retain = false
        var extra = configuration.rules[0]
        extra.name = "plant"
        extra.topic = "plant/+"
        extra.stream = "plant/{1}"
        changed.rules.append(extra)
        changed.models["default"]!.horizon = 6  // shape-changing: kept until restart
        try engine.reload(changed)

        let output = EngineFixture.feed(engine, streams: ["a"], steps: 30..<31)[0]
        #expect(engine.streams["a"] === before)
        #expect(before.steps == steps + 1)
        #expect(output.publications.map(\.topic) == ["predictions/a"])
        #expect(output.publications.allSatisfy { !$0.retain })
        #expect(output.forecastIssues.first?.points.count == 3)
        let t = EngineFixture.start + 60 * 31 + 5
        engine.receive(topic: "plant/p1", payload: EngineFixture.payload(t: t, v: 1), arrivalTime: t)
        #expect(engine.streams["plant/p1"] != nil)
        #expect(engine.counters.rejectsTotal == 0)

        // An invalid configuration is refused as a whole; the old one stays in force.
        var invalid = changed
        invalid.rules[1].model = "missing"
        #expect(throws: ConfigurationError.self) { try engine.reload(invalid) }
        engine.receive(topic: "plant/p2", payload: EngineFixture.payload(t: t, v: 1), arrivalTime: t)
        #expect(engine.streams["plant/p2"] != nil)
    }
}
