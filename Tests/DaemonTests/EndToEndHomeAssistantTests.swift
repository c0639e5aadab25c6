import Foundation
import HomeAssistant
import MQTT
import MQTTTestKit
import Testing

/// Home Assistant discovery through the real `barnnd` binary and a real broker: the exact config on the exact
/// topic, once per stream, again after Home Assistant's birth message, the attributes and the availability.
@Suite(.serialized) struct EndToEndHomeAssistantTests {
    @Test(.timeLimit(.minutes(3)))
    func streamsAreAnnouncedRepublishedOnBirthAndGoOffline() async throws {
        let harness = try EndToEndHarness()
        try harness.writeConfiguration(
            ruleKeys: "unit = \"°C\"\ndevice_class = \"temperature\"",
            sections: "[homeassistant]\nenabled = true\nsupport_url = \"https://example.org/barnnd\"")
        try await harness.startDaemon()
        let discovery = try await harness.subscriber("homeassistant/#")
        let attributes = try await harness.subscriber("forecast/+/+/attributes")

        let csv = try harness.writeCSV(name: "data.csv", streams: ["lab/t1"], rows: 0..<40)
        try harness.replay(csv: csv)
        try await harness.waitForObservations(40, streams: ["lab/t1"])

        let uniqueID = HomeAssistantIdentifier.uniqueID(clientID: harness.clientID, stream: "lab/t1")
        let device = HomeAssistantIdentifier.deviceIdentifier(clientID: harness.clientID)
        let topic = "homeassistant/sensor/\(uniqueID)/config"
        let expected = """
            {"name":"lab/t1 forecast","unique_id":"\(uniqueID)","state_topic":"forecast/lab/t1/next",\
            "json_attributes_topic":"forecast/lab/t1/attributes","availability":[{"topic":"barnnd/status",\
            "payload_available":"online","payload_not_available":"offline"}],"unit_of_measurement":"°C",\
            "device_class":"temperature","state_class":"measurement","device":{"identifiers":["\(device)"],\
            "name":"barnnd \(harness.clientID)","manufacturer":"barnnd","model":"forecasting daemon",\
            "sw_version":"0.1.0"},"origin":{"name":"barnnd","sw_version":"0.1.0",\
            "support_url":"https://example.org/barnnd"}}
            """
        // Many forecasts, one config: wait for the attributes of the last step, then see what discovery got.
        var lastAttributes: [String: Any] = [:]
        try await harness.waitUntil(timeout: .seconds(30), "attributes of the last reading") {
            for message in await attributes.messages.collect(1, timeout: .milliseconds(200)) {
                #expect(message.topic == "forecast/lab/t1/attributes")
                #expect(message.payload.count < 16 * 1024)
                lastAttributes =
                    (try? JSONSerialization.jsonObject(with: Data(message.payload)) as? [String: Any]) ?? [:]
            }
            return (lastAttributes["issued_at"] as? String) == "2023-11-16T13:13:20Z"
        }
        #expect(lastAttributes["stream"] as? String == "lab/t1")
        #expect(lastAttributes["for"] as? String == "2023-11-16T14:13:20Z")
        for key in ["mean", "median", "low_80", "high_80", "low_90", "high_90", "coverage_level"] {
            #expect(lastAttributes[key] is NSNumber, "attribute \(key)")
        }
        #expect(lastAttributes["model_kind"] as? String == "fallback")
        #expect(lastAttributes["model_version"] as? Int == 0)

        let configs = await discovery.messages.collect(10, timeout: .seconds(2)).filter {
            $0.topic != "homeassistant/status"
        }
        #expect(configs.map(\.topic) == [topic], "\(harness.log())")
        #expect(configs.first.map { String(decoding: $0.payload, as: UTF8.self) } == expected)

        // Home Assistant restarts: its birth message brings the config again.
        try discovery.publish(topic: "homeassistant/status", payload: Array("online".utf8), qos: .atMostOnce)
        let again = await discovery.messages.collect(2, timeout: .seconds(10)).filter { $0.topic == topic }
        #expect(again.count == 1, "\(harness.log())")
        #expect(again.first.map { String(decoding: $0.payload, as: UTF8.self) } == expected)

        // The availability topic carries barnnd's retained status: online now, offline after a stop.
        try await harness.waitForStatus("online")
        #expect(harness.stopDaemon(SIGTERM) == 0, "\(harness.log())")
        try await harness.waitForStatus("offline")
        await discovery.close()
        await attributes.close()
        // A fresh subscriber gets the config retained.
        let late = try await harness.subscriber(topic)
        let retained = await late.messages.collect(1, timeout: .seconds(5))
        await late.close()
        #expect(retained.first?.retain == true)
        #expect(retained.first.map { String(decoding: $0.payload, as: UTF8.self) } == expected)
    }
}

extension EndToEndHomeAssistantTests {
    /// A stream without a forecast for `remove_after` loses its entity: an empty retained config and attributes.
    @Test(.timeLimit(.minutes(2)))
    func anIdleStreamIsRemovedWithAnEmptyRetainedConfig() async throws {
        let harness = try EndToEndHarness()
        try harness.writeConfiguration(sections: "[homeassistant]\nenabled = true\nremove_after = \"3s\"")
        try await harness.startDaemon()
        let discovery = try await harness.subscriber("homeassistant/sensor/#")
        let attributes = try await harness.subscriber("forecast/+/+/attributes")
        let csv = try harness.writeCSV(name: "data.csv", streams: ["lab/t1"], rows: 0..<40)
        try harness.replay(csv: csv)
        let topic =
            "homeassistant/sensor/"
            + HomeAssistantIdentifier.uniqueID(clientID: harness.clientID, stream: "lab/t1") + "/config"

        var received: [Message] = []
        try await harness.waitUntil(timeout: .seconds(60), "the config, then its removal") {
            received += await discovery.messages.collect(1, timeout: .milliseconds(200))
            return received.contains { $0.payload.isEmpty }
        }
        #expect(received.map(\.topic) == [topic, topic], "\(harness.log())")
        #expect(received.map(\.payload.isEmpty) == [false, true])
        var cleared = false
        try await harness.waitUntil(timeout: .seconds(10), "the attributes cleared") {
            let messages = await attributes.messages.collect(1, timeout: .milliseconds(200))
            cleared = cleared || messages.contains { $0.topic == "forecast/lab/t1/attributes" && $0.payload.isEmpty }
            return cleared
        }
        await discovery.close()
        await attributes.close()
        #expect(harness.stopDaemon(SIGTERM) == 0, "\(harness.log())")
        // Nothing retained is left for Home Assistant to recreate the entity from.
        let late = try await harness.subscriber(topic)
        #expect(await late.messages.collect(1, timeout: .seconds(2)).isEmpty)
        await late.close()
    }
}
