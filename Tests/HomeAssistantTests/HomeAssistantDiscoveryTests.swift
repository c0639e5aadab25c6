import Configuration
import Engine
import HomeAssistant
import MQTT
import Testing

/// What discovery queues and publishes: once per stream, again on a birth message or a unit change, bounded per
/// drain, a refused publish kept, idle streams removed.
@Suite struct HomeAssistantDiscoveryTests {
    struct Refused: Error {}

    static func configuration(removeAfter: Duration = .seconds(3600)) -> DaemonConfiguration {
        var configuration = DaemonConfiguration()
        configuration.homeAssistant.enabled = true
        configuration.homeAssistant.removeAfter = removeAfter
        return configuration
    }

    static func forecast(_ stream: String, senmlUnit: String? = nil) -> IssuedStreamForecast {
        IssuedStreamForecast(
            payload: HomeAssistantPayloadTests.payload(stream: stream), unit: nil, deviceClass: nil,
            senmlUnit: senmlUnit)
    }

    /// Drains everything, returning the topics in order.
    static func drainAll(_ discovery: inout HomeAssistantDiscovery, limit: Int = .max) -> [Publication] {
        var published: [Publication] = []
        _ = discovery.drain(limit: limit) { published.append($0) }
        return published
    }

    @Test func aStreamIsAnnouncedOnceAndItsAttributesEveryTime() {
        var discovery = HomeAssistantDiscovery(configuration: Self.configuration(), softwareVersion: "1")
        let attributes = discovery.issued([Self.forecast("lab/t1", senmlUnit: "Cel")], now: 0)
        #expect(attributes.map(\.topic) == ["forecast/lab/t1/attributes"])
        #expect(attributes.allSatisfy { $0.retain && $0.qos == .atLeastOnce })
        let configs = Self.drainAll(&discovery)
        #expect(configs.map(\.topic) == ["homeassistant/sensor/barnnd_lab_t1_d55030062b59/config"])
        #expect(configs.allSatisfy { $0.retain })
        #expect(String(decoding: configs[0].payload, as: UTF8.self).contains("\"unit_of_measurement\":\"°C\""))

        _ = discovery.issued([Self.forecast("lab/t1", senmlUnit: "Cel")], now: 1)
        #expect(Self.drainAll(&discovery).isEmpty, "no config on every forecast")
        // A changed unit is announced again.
        _ = discovery.issued([Self.forecast("lab/t1", senmlUnit: "K")], now: 2)
        #expect(Self.drainAll(&discovery).count == 1)
        #expect(discovery.counters.configsPublished == 2)
        #expect(discovery.counters.attributesBuilt == 3)
    }

    @Test func aBirthMessageRepublishesEveryConfigInBoundedDrains() {
        var discovery = HomeAssistantDiscovery(configuration: Self.configuration(), softwareVersion: "1")
        let streams = (0..<10_000).map { "site/s\($0)" }
        _ = discovery.issued(streams.map { Self.forecast($0) }, now: 0)
        #expect(Self.drainAll(&discovery).count == 10_000)
        #expect(discovery.birthMessage(Array("offline".utf8)) == 0)
        #expect(discovery.birthMessage(Array("online".utf8)) == 10_000)
        // A second birth before the first is drained queues nothing twice.
        #expect(discovery.birthMessage(Array("online".utf8)) == 0)
        var topics = Set<String>()
        var drains = 0
        while discovery.pendingCount > 0 {
            var batch: [Publication] = []
            #expect(discovery.drain(limit: 500) { batch.append($0) } == batch.count)
            #expect(batch.count <= 500)
            topics.formUnion(batch.map(\.topic))
            drains += 1
        }
        #expect(drains == 20)
        #expect(topics.count == 10_000)
        #expect(discovery.counters.birthMessages == 2)
        #expect(discovery.counters.configsPublished == 20_000)
    }

    @Test func aRefusedPublishStaysFirstInLine() {
        var discovery = HomeAssistantDiscovery(configuration: Self.configuration(), softwareVersion: "1")
        _ = discovery.issued([Self.forecast("a"), Self.forecast("b")], now: 0)
        var attempts = 0
        let handed = discovery.drain(limit: 10) { _ in
            attempts += 1
            throw Refused()
        }
        #expect(handed == 0 && attempts == 1)
        #expect(discovery.pendingCount == 2)
        #expect(discovery.counters.publishesDeferred == 1)
        let topics = Self.drainAll(&discovery).map(\.topic)
        #expect(topics.count == 2 && topics[0].contains("/barnnd_a_"))
    }

    @Test func anIdleStreamIsRemovedWithEmptyRetainedMessages() throws {
        var discovery = HomeAssistantDiscovery(
            configuration: Self.configuration(removeAfter: .seconds(100)), softwareVersion: "1")
        _ = discovery.issued([Self.forecast("lab/t1"), Self.forecast("lab/t2")], now: 0)
        _ = Self.drainAll(&discovery)
        _ = discovery.issued([Self.forecast("lab/t2")], now: 90)
        #expect(discovery.sweep(now: 100).isEmpty)
        #expect(discovery.sweep(now: 150) == ["lab/t1"])
        let removal = Self.drainAll(&discovery)
        #expect(
            removal.map(\.topic) == [
                "homeassistant/sensor/barnnd_lab_t1_d55030062b59/config", "forecast/lab/t1/attributes",
            ])
        #expect(removal.allSatisfy { $0.payload.isEmpty && $0.retain })
        #expect(discovery.counters.removalsPublished == 1)
        #expect(discovery.counters.entities == 1)
        // A birth message no longer announces it; a new forecast does.
        #expect(discovery.birthMessage(Array("online".utf8)) == 1)
        _ = Self.drainAll(&discovery)
        _ = discovery.issued([Self.forecast("lab/t1")], now: 200)
        #expect(Self.drainAll(&discovery).map(\.payload.isEmpty) == [false])
    }

    @Test func removeAfterZeroNeverRemoves() {
        var discovery = HomeAssistantDiscovery(
            configuration: Self.configuration(removeAfter: .zero), softwareVersion: "1")
        _ = discovery.issued([Self.forecast("lab/t1")], now: 0)
        #expect(discovery.sweep(now: 1e9).isEmpty)
    }
}
