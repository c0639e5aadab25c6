import Configuration
import Engine
import HomeAssistant
import Testing

/// The discovery config, the attribute payload and the identifiers, byte for byte.
@Suite struct HomeAssistantPayloadTests {
    static let instance = DiscoveryConfig.Instance(
        clientID: "barnnd", statusTopic: "barnnd/status", softwareVersion: "0.1.0",
        supportURL: "https://example.org/barnnd")

    static func payload(
        stream: String = "lab/t1", levels: [Double] = [0.05, 0.1, 0.5, 0.9, 0.95], horizon: Int = 2
    ) -> ForecastPayload {
        let points = (0..<horizon).map { h in
            ForecastPayload.Point(
                t: 1_777_636_860 + Double(h) * 60, mean: 21.4,
                quantiles: levels.map { Float(20 + 3 * $0).rounded(toPlaces: 2) })
        }
        return ForecastPayload(
            stream: stream, issuedAt: 1_777_636_800, stepSeconds: 60,
            model: .init(name: "default", version: 17, kind: .barnn), levels: levels, points: points,
            calibration: .init(level: 0.9, empirical: 0.89, window: 1440))
    }

    @Test func uniqueIDsAreSanitizedStableAndKeptApart() {
        #expect(HomeAssistantIdentifier.uniqueID(clientID: "barnnd", stream: "lab/t1") == "barnnd_lab_t1_d55030062b59")
        #expect(HomeAssistantIdentifier.uniqueID(clientID: "barnnd", stream: "lab_t1") == "barnnd_lab_t1_4552569b68a9")
        let long = String(repeating: "é/x.", count: 64)
        let id = HomeAssistantIdentifier.uniqueID(clientID: "barnnd host#1", stream: long)
        #expect(id.utf8.count <= 32 + 1 + 64 + 1 + 12)
        #expect(
            id.unicodeScalars.allSatisfy {
                $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_" || $0 == "-")
            })
        #expect(id.hasPrefix("barnnd_host_1_"))
        // Two ids sharing the kept prefix still differ.
        #expect(id != HomeAssistantIdentifier.uniqueID(clientID: "barnnd host#1", stream: long + "y"))
        #expect(HomeAssistantIdentifier.deviceIdentifier(clientID: "barnnd") == "barnnd_barnnd_0ecda6d6")
    }

    @Test func discoveryConfigIsExact() {
        let config = DiscoveryConfig(
            stream: "lab/t1", uniqueID: "barnnd_lab_t1_d55030062b59", stateTopic: "forecast/lab/t1/next",
            attributesTopic: "forecast/lab/t1/attributes", unit: .init(unit: "°C", deviceClass: "temperature"),
            instance: Self.instance)
        #expect(config.topic(prefix: "homeassistant") == "homeassistant/sensor/barnnd_lab_t1_d55030062b59/config")
        let expected = """
            {"name":"lab/t1 forecast","unique_id":"barnnd_lab_t1_d55030062b59","state_topic":"forecast/lab/t1/next",\
            "json_attributes_topic":"forecast/lab/t1/attributes","availability":[{"topic":"barnnd/status",\
            "payload_available":"online","payload_not_available":"offline"}],"unit_of_measurement":"°C",\
            "device_class":"temperature","state_class":"measurement","device":{"identifiers":["barnnd_barnnd_0ecda6d6"],\
            "name":"barnnd","manufacturer":"barnnd","model":"forecasting daemon","sw_version":"0.1.0"},\
            "origin":{"name":"barnnd","sw_version":"0.1.0","support_url":"https://example.org/barnnd"}}
            """
        #expect(String(decoding: config.json(), as: UTF8.self) == expected)
    }

    @Test func attributesAreExactAndMonotone() throws {
        var payload = Self.payload()
        // A crossing pair is shown rearranged, as in the forecast payload.
        payload.points[0].quantiles[1] = 19
        let text = String(decoding: try #require(ForecastAttributes.json(payload)), as: UTF8.self)
        let expected = """
            {"stream":"lab/t1","issued_at":"2026-05-01T12:00:00Z","for":"2026-05-01T12:01:00Z","mean":21.4,\
            "median":21.5,"low_80":20.15,"high_80":22.7,"low_90":20.15,"high_90":22.85,"model":"default",\
            "model_version":17,"model_kind":"barnn","coverage_level":0.9,"coverage":0.89,"coverage_window":1440}
            """
        #expect(text == expected)
    }

    @Test func attributesLeaveOutLevelsTheForecastHasNot() throws {
        let text = String(
            decoding: try #require(ForecastAttributes.json(Self.payload(levels: [0.25, 0.5, 0.75]))), as: UTF8.self)
        #expect(text.contains("\"median\":21.5"))
        #expect(!text.contains("low_80") && !text.contains("high_90"))
    }

    @Test func attributesStayUnderTheRecorderLimitInTheWorstCase() throws {
        // The longest stream id ingest accepts (256 bytes), of characters JSON must escape, 999 levels, H = 1000.
        let stream = String(repeating: "\"\\", count: 128)
        let levels = (1...999).map { Double($0) / 1000 }
        let payload = Self.payload(stream: stream, levels: levels, horizon: 1000)
        let bytes = try #require(ForecastAttributes.json(payload))
        #expect(bytes.count < 16 * 1024)
        #expect(bytes.count < 1024, "README says under 1 KB")
        #expect(bytes.count < ForecastAttributes.maximumBytes)
        // A stream id that alone would pass the bound is left out, deterministically.
        let huge = Self.payload(stream: String(repeating: "\\", count: 9000))
        let trimmed = try #require(ForecastAttributes.json(huge))
        #expect(trimmed.count < ForecastAttributes.maximumBytes)
        #expect(!String(decoding: trimmed, as: UTF8.self).contains("\"stream\""))
        #expect(trimmed == ForecastAttributes.json(huge))
    }

    @Test func unitsComeFromTheRuleOrSenML() {
        #expect(HomeAssistantUnit(senml: "Cel") == .init(unit: "°C", deviceClass: "temperature"))
        #expect(HomeAssistantUnit(senml: "%RH") == .init(unit: "%", deviceClass: "humidity"))
        #expect(HomeAssistantUnit(senml: "furlong") == .init(unit: "furlong", deviceClass: nil))
        #expect(
            HomeAssistantUnit(ruleUnit: nil, ruleDeviceClass: nil, senmlUnit: "W")
                == .init(unit: "W", deviceClass: "power"))
        #expect(
            HomeAssistantUnit(ruleUnit: "°F", ruleDeviceClass: nil, senmlUnit: "Cel")
                == .init(unit: "°F", deviceClass: nil))
        #expect(
            HomeAssistantUnit(ruleUnit: nil, ruleDeviceClass: "energy", senmlUnit: "kWh")
                == .init(unit: "kWh", deviceClass: "energy"))
        #expect(
            HomeAssistantUnit(ruleUnit: nil, ruleDeviceClass: nil, senmlUnit: nil) == .init(unit: nil, deviceClass: nil)
        )
    }
}

extension Float {
    fileprivate func rounded(toPlaces places: Int) -> Float {
        let scale = Float(pow10(places))
        return (self * scale).rounded() / scale
    }

    private func pow10(_ n: Int) -> Int { (0..<n).reduce(1) { result, _ in result * 10 } }
}
