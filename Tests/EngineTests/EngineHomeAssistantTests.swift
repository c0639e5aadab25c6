import Configuration
import Engine
import EngineTestKit
import Testing

/// What the engine hands Home Assistant discovery: its forecasts with their units, only when it is enabled.
@Suite struct EngineHomeAssistantTests {
    static func senmlPack(t: Double, v: Double) -> [UInt8] {
        Array(#"[{"bu":"Cel","bt":\#(t),"n":"t","v":\#(v)}]"#.utf8)
    }

    static func configuration(enabled: Bool) -> DaemonConfiguration {
        var configuration = EngineFixture.configuration(cadence: .event)
        configuration.rules[0].unit = "kWh"
        configuration.rules[0].deviceClass = "energy"
        var senml = DaemonConfiguration.Rule.senml
        senml.cadence = .event
        configuration.rules.append(senml)
        configuration.homeAssistant.enabled = enabled
        return configuration
    }

    static func feed(_ engine: ForecastEngine) -> [EngineOutput] {
        (0..<60).map { step in
            let t = EngineFixture.start + 60 * Double(step) + 5
            let v = EngineFixture.value(stream: 0, step: step)
            engine.receive(topic: "sensors/meter", payload: EngineFixture.payload(t: t, v: v), arrivalTime: t + 1)
            engine.receive(topic: "senml/lab", payload: senmlPack(t: t, v: v), arrivalTime: t + 1)
            return engine.tick(now: t + 2)
        }
    }

    @Test func forecastsCarryTheRuleOrSenMLUnitWhenEnabled() throws {
        let fixture = try EngineFixture()
        let outputs = Self.feed(try fixture.engine(Self.configuration(enabled: true)))
        let forecasts = outputs.flatMap(\.forecasts)
        let meter = forecasts.filter { $0.stream == "meter" }, lab = forecasts.filter { $0.stream == "lab/t" }
        #expect(!meter.isEmpty && !lab.isEmpty)
        #expect(meter.allSatisfy { $0.unit == "kWh" && $0.deviceClass == "energy" && $0.senmlUnit == nil })
        #expect(lab.allSatisfy { $0.unit == nil && $0.deviceClass == nil && $0.senmlUnit == "Cel" })
        // One notice per published forecast, the same payload.
        let published = outputs.flatMap(\.publications).filter { $0.topic == "forecast/meter" }
        #expect(published.map(\.payload) == meter.map { $0.payload.json() })
    }

    @Test func forecastsAreLeftOutWhenDisabled() throws {
        let fixture = try EngineFixture()
        let outputs = Self.feed(try fixture.engine(Self.configuration(enabled: false)))
        #expect(outputs.flatMap(\.publications).contains { $0.topic == "forecast/meter" })
        #expect(outputs.allSatisfy { $0.forecasts.isEmpty })
    }
}
