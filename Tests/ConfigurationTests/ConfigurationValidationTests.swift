import Configuration
import Foundation
import Testing

@Suite struct ConfigurationValidationTests {
    func keys(_ configuration: DaemonConfiguration) -> Set<String> {
        Set(configuration.validate().map(\.keyPath))
    }

    @Test func defaultConfigurationIsValid() {
        #expect(DaemonConfiguration().validate().isEmpty)
    }

    @Test func mqttRangesAndPairs() {
        var configuration = DaemonConfiguration()
        configuration.mqtt.port = 0
        configuration.mqtt.keepalive = .seconds(3)
        configuration.mqtt.passwordFile = "/run/pw"
        configuration.mqtt.tls.enabled = true
        configuration.mqtt.tls.certFile = "/c.pem"
        configuration.mqtt.statusTopic = "barnnd/+"
        configuration.mqtt.receiveMaximum = 0
        configuration.mqtt.reconnectMinDelay = .seconds(10)
        configuration.mqtt.reconnectMaxDelay = .seconds(5)
        configuration.mqtt.sessionExpiry = .seconds(5_000_000_000)
        #expect(
            keys(configuration) == [
                "mqtt.port", "mqtt.keepalive", "mqtt.username", "mqtt.tls", "mqtt.tls.key_file", "mqtt.status_topic",
                "mqtt.receive_maximum", "mqtt.reconnect_max_delay", "mqtt.session_expiry",
            ])
    }

    @Test func modelGroupRanges() {
        var group = DaemonConfiguration.ModelGroup()
        group.quantiles = [0.5, 0.5, 0]
        group.horizon = 0
        group.contextLength = 8
        group.minHistory = 16
        group.retrain.validationFraction = 0
        group.retrain.keepLast = 0
        group.calibration.rate = 1
        group.dropoutRate = 1
        group.trainingSteps = 5
        group.sgldParticles = 2000
        group.sgldStepSize = -0.1
        var configuration = DaemonConfiguration()
        configuration.models["default"] = group
        let problems = configuration.validate()
        #expect(
            Set(problems.map(\.keyPath)) == [
                "models.default.quantiles", "models.default.horizon", "models.default.context_length",
                "models.default.retrain.validation_fraction", "models.default.retrain.keep_last",
                "models.default.calibration.rate", "models.default.dropout_rate", "models.default.sgld_particles",
                "models.default.sgld_step_size", "models.default.training_steps",
            ])
        // Both the out-of-(0,1) level and the non-increasing order are reported.
        #expect(problems.count { $0.keyPath == "models.default.quantiles" } == 2)
    }

    /// `keep_median` is on by default, read as a boolean, and any other type is refused with its key and line.
    @Test func keepMedianIsReadAndDefaultsToOn() throws {
        #expect(DaemonConfiguration().models["default"]?.calibration.keepMedian == true)
        let off = try DaemonConfiguration(toml: "[models.default.calibration]\nkeep_median = false\n")
        #expect(off.models["default"]?.calibration.keepMedian == false)
        #expect {
            _ = try DaemonConfiguration(toml: "[models.default.calibration]\nkeep_median = \"no\"\n")
        } throws: { error in
            let problems = (error as? ConfigurationError)?.problems ?? []
            return problems.contains { $0.keyPath == "models.default.calibration.keep_median" && $0.line == 2 }
        }
    }

    @Test func thePosteriorIsReadAndAnUnknownOneIsRefusedWithItsChoices() throws {
        let configuration = try DaemonConfiguration(
            toml: "[models.default]\nposterior = \"mc_dropout\"\ndropout_rate = 0.25\n")
        #expect(configuration.models["default"]?.posterior == .mcDropout)
        #expect(configuration.models["default"]?.dropoutRate == 0.25)
        #expect(DaemonConfiguration().models["default"]?.posterior == .barnn)
        let sgld = try DaemonConfiguration(
            toml: "[models.default]\nposterior = \"sgld\"\nsgld_particles = 12\nsgld_step_size = 0.002\n")
        #expect(sgld.models["default"]?.posterior == .sgld)
        #expect(sgld.models["default"]?.sgldParticles == 12)
        #expect(sgld.models["default"]?.sgldStepSize == 0.002)
        #expect(DaemonConfiguration().models["default"].map { ($0.sgldParticles, $0.sgldStepSize) } ?? (1, 1) == (0, 0))
        #expect {
            try DaemonConfiguration(toml: "[models.default]\nposterior = \"dropout\"\n")
        } throws: { error in
            "\(error)".contains("models.default.posterior") && "\(error)".contains("mc_dropout")
        }
    }

    @Test func ruleTemplatesFiltersAndReferences() {
        var configuration = DaemonConfiguration()
        var rule = DaemonConfiguration.Rule()
        rule.name = "two"
        rule.topic = "lab/+/+/value"
        rule.stream = "{1}/{2}/{3}"
        rule.model = "missing"
        var json = DaemonConfiguration.Rule()
        json.name = "json"
        json.topic = "j/#"
        json.stream = "{1}+"
        json.payload.format = .json
        var number = DaemonConfiguration.Rule()
        number.name = "two"
        number.topic = "n/+x"
        number.payload.timePath = "ts"
        number.cadence = .every(.zero)
        configuration.rules = [rule, json, number]
        let problems = configuration.validate()
        #expect(
            Set(problems.map(\.keyPath)) == [
                "rules[0].stream", "rules[0].model", "rules[1].stream", "rules[1].payload.value_path", "rules[2].name",
                "rules[2].topic", "rules[2].payload.time_path", "rules[2].cadence",
            ])
        #expect(
            problems.first { $0.keyPath == "rules[0].stream" }?.message
                == "placeholder {3} refers to wildcard 3 but the topic filter has 2")
        #expect(problems.first { $0.keyPath == "rules[2].name" }?.code == .duplicate)
    }

    @Test func noRulesIsAnError() {
        var configuration = DaemonConfiguration()
        configuration.rules = []
        #expect(keys(configuration) == ["rules"])
    }

    @Test func homeAssistantSettingsAndRuleUnits() {
        var configuration = DaemonConfiguration()
        configuration.homeAssistant.enabled = true
        configuration.homeAssistant.discoveryPrefix = "ha/+"
        configuration.homeAssistant.attributesTopic = "attributes/all"
        configuration.homeAssistant.removeAfter = .seconds(-1)
        configuration.publish.scalarTopic = ""
        configuration.rules[0].unit = ""
        configuration.rules[0].deviceClass = "temprature"
        #expect(
            keys(configuration) == [
                "rules[0].unit", "rules[0].device_class", "homeassistant.discovery_prefix",
                "homeassistant.attributes_topic", "homeassistant.remove_after", "publish.scalar_topic",
            ])
        let problem = configuration.validate().first { $0.keyPath == "rules[0].device_class" }
        #expect(problem?.message.contains("did you mean 'temperature'") == true)
        configuration = DaemonConfiguration()
        configuration.homeAssistant.enabled = true
        configuration.rules[0].unit = "°C"
        configuration.rules[0].deviceClass = "temperature"
        #expect(configuration.validate().isEmpty)
        #expect(configuration.homeAssistantBirthTopic == "homeassistant/status")
    }

    @Test func publishTemplates() {
        var configuration = DaemonConfiguration()
        configuration.publish.topic = "forecast/all"
        configuration.publish.scalarTopic = "f/{stream}/{step}"
        configuration.publish.qos = 3
        #expect(keys(configuration) == ["publish.topic", "publish.scalar_topic", "publish.qos"])
        configuration.publish = .init()
        configuration.publish.scalarTopic = ""
        #expect(configuration.validate().isEmpty)
    }

    @Test func retrainWindowParsing() {
        let night = DaemonConfiguration.TimeWindow(parsing: "22:00-02:00")
        #expect(night?.contains(minuteOfDay: 23 * 60) == true && night?.contains(minuteOfDay: 60) == true)
        #expect(night?.contains(minuteOfDay: 12 * 60) == false)
        #expect(night?.description == "22:00-02:00")
        #expect(DaemonConfiguration.TimeWindow(parsing: "2:00-05:00") == nil)
        #expect(DaemonConfiguration.TimeWindow(parsing: "05:00-05:00") == nil)
        #expect(DaemonConfiguration.TimeWindow(parsing: "25:00-05:00") == nil)
    }

    @Test func httpListenAddressesAndCredentials() throws {
        var http = DaemonConfiguration.HTTPSettings()
        #expect(http.listenAddress.map { $0.host == "127.0.0.1" && $0.port == 9464 } == true)
        for (listen, host, port) in [("0.0.0.0:80", "0.0.0.0", 80), ("[::1]:9464", "::1", 9464), ("host:0", "host", 0)]
        {
            http.listen = listen
            #expect(http.listenAddress.map { $0.host == host && $0.port == port } == true, "\(listen)")
        }
        for listen in ["9464", ":9464", "::1:9464", "host:65536", "host:-1", "host:", "a b:1", "host:٣"] {
            http.listen = listen
            #expect(http.listenAddress == nil, "\(listen)")
        }
        var configuration = DaemonConfiguration()
        configuration.http.listen = ""
        #expect(configuration.validate().isEmpty)
        configuration.http.passwordFile = "/nonexistent/password"
        #expect(keys(configuration) == ["http.username"])
        configuration.http.username = "prom"
        #expect(keys(configuration) == ["http.password_file"])
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("barnnd-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("password").path
        try "\n".write(toFile: file, atomically: true, encoding: .utf8)
        configuration.http.passwordFile = file
        #expect(configuration.validate().first?.message.contains("holds no password") == true)
        try "pw\r\nignored\n".write(toFile: file, atomically: true, encoding: .utf8)
        #expect(configuration.validate().isEmpty)
        #expect(HTTPCredentials.password(fromFileAt: file) == "pw")
    }
}
