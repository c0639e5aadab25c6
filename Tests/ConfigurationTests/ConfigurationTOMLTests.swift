import Configuration
import Foundation
import Testing

@Suite struct ConfigurationTOMLTests {
    /// Loads `source`, expecting it to fail, and returns the problems.
    func problems(_ source: String) -> [ConfigurationError.Problem] {
        do {
            _ = try DaemonConfiguration(toml: source)
            Issue.record("expected the configuration to be refused")
            return []
        } catch {
            return error.problems
        }
    }

    static let bundledPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("config/barnnd.toml").path

    @Test func bundledConfigurationIsValidAndMatchesTheCodeDefaults() throws {
        let configuration = try DaemonConfiguration.load(contentsOf: Self.bundledPath)
        #expect(configuration == DaemonConfiguration())
        #expect(configuration.mqtt.host == "localhost" && configuration.mqtt.port == 1883)
        #expect(configuration.rules.map(\.topic) == ["sensors/+/+", "senml/+"])
        #expect(configuration.modelGroupNames == ["default"])
    }

    @Test func bundledConfigurationDocumentsEveryKeyItSets() throws {
        let source = try String(contentsOfFile: Self.bundledPath, encoding: .utf8)
        let lines = source.split(separator: "\n", omittingEmptySubsequences: false)
        for (index, line) in lines.enumerated() where line.contains(" = ") && !line.hasPrefix("#") {
            // Each key line is preceded by a comment line or by another key of the same comment group.
            let previous = lines[..<index].last { !$0.isEmpty }
            #expect(previous?.hasPrefix("#") == true || previous?.contains(" = ") == true, "undocumented: \(line)")
        }
    }

    @Test func readsTheHomeAssistantSection() throws {
        let configuration = try DaemonConfiguration(
            toml: """
                [[rules]]
                name = "t"
                topic = "t/+"
                stream = "{1}"
                unit = "°C"
                device_class = "temperature"

                [homeassistant]
                enabled = true
                discovery_prefix = "ha"
                attributes_topic = "a/{stream}"
                remove_after = "2d"
                support_url = "https://example.org"
                """)
        let settings = configuration.homeAssistant
        #expect(settings.enabled && settings.discoveryPrefix == "ha" && settings.attributesTopic == "a/{stream}")
        #expect(settings.removeAfter == .seconds(2 * 86400) && settings.supportURL == "https://example.org")
        #expect(configuration.rules[0].unit == "°C" && configuration.rules[0].deviceClass == "temperature")
        #expect(throws: ConfigurationError.self) {
            try DaemonConfiguration(toml: "[homeassistant]\nenable = true\n")
        }
    }

    @Test func emptyFileGivesTheDefaults() throws {
        #expect(try DaemonConfiguration(toml: "") == DaemonConfiguration())
    }

    @Test func readsEverySection() throws {
        let configuration = try DaemonConfiguration(
            toml: """
                [mqtt]
                host = "broker.lan"
                port = 8883
                protocol = "3.1.1"
                keepalive = "30s"
                username = "u"
                password_file = "/run/pw"
                [mqtt.tls]
                enabled = true
                ca_dir = "/etc/ssl/certs"
                [storage]
                path = "/tmp/x.sqlite"
                batch_interval = "500ms"
                [storage.retention]
                rejects = "2d"
                [models.fast]
                horizon = 6
                quantiles = [0.1, 0.5, 0.9]
                seed = 7
                sampling_antithetic = true
                [models.fast.retrain]
                window = "22:00-02:00"
                [models.fast.calibration]
                method = "rolling"
                pool = "stream"
                [[rules]]
                name = "a"
                topic = "home/+/climate"
                stream = "home/{1}"
                cadence = "5m"
                aggregate = "max"
                model = "fast"
                [rules.payload]
                format = "json"
                value_path = "temp"
                time_path = "ts"
                time_unit = "ms"
                [[rules]]
                name = "b"
                topic = "senml/#"
                stream = "{1}/{name}"
                model = "fast"
                payload = { format = "senml" }
                [publish]
                retain = false
                scalar_topic = ""
                [engine]
                max_future_skew = "90s"
                [logging]
                level = "debug"
                """)
        #expect(configuration.mqtt.host == "broker.lan" && configuration.mqtt.port == 8883)
        #expect(configuration.mqtt.protocolVersion == .v311 && configuration.mqtt.keepalive == .seconds(30))
        #expect(configuration.mqtt.tls.enabled && configuration.mqtt.tls.caDirectory == "/etc/ssl/certs")
        #expect(configuration.storage.batchInterval == .milliseconds(500))
        #expect(configuration.storage.retention.rejects == .seconds(2 * 86400))
        #expect(configuration.modelGroupNames == ["fast"])
        let group = try #require(configuration.models["fast"])
        #expect(group.horizon == 6 && group.quantiles == [0.1, 0.5, 0.9] && group.seed == 7)
        #expect(group.samplingAntithetic && !DaemonConfiguration.ModelGroup().samplingAntithetic)
        #expect(group.retrain.window == DaemonConfiguration.TimeWindow(startMinute: 22 * 60, endMinute: 120))
        #expect(group.calibration.method == .rolling)
        #expect(group.calibration.pool == .stream && DaemonConfiguration.CalibrationSettings().pool == .group)
        #expect(configuration.rules.map(\.name) == ["a", "b"])
        #expect(configuration.rules[0].cadence == .every(.seconds(300)) && configuration.rules[0].aggregate == .max)
        #expect(configuration.rules[0].payload.format == .json && configuration.rules[0].payload.timeUnit == .ms)
        #expect(configuration.rules[1].payload.format == .senml)
        #expect(!configuration.publish.retain && configuration.publish.scalarTopic.isEmpty)
        #expect(configuration.engine.maxFutureSkew == .seconds(90) && configuration.logging.level == .debug)
    }

    /// The seasonal input follows `season`, and only where a restart can replay a whole season.
    @Test func theSeasonalInputFollowsTheSeasonWithinTheContext() throws {
        let configuration = try DaemonConfiguration(
            toml: """
                [models.default]
                [models.hourly]
                season = 24
                [models.weekly]
                season = 168
                [models.long]
                season = 300
                [models.off]
                season = 24
                seasonal_input = false
                """)
        #expect(configuration.models["hourly"]?.seasonalLag == 24)
        #expect(configuration.models["weekly"]?.seasonalLag == 168)
        #expect(configuration.models["long"]?.seasonalLag == 0)  // 300 > context_length 256
        #expect(configuration.models["off"]?.seasonalLag == 0)
        #expect(DaemonConfiguration.ModelGroup().seasonalInput && DaemonConfiguration.ModelGroup().seasonalLag == 0)
        #expect(throws: ConfigurationError.self) {
            try DaemonConfiguration(toml: "[models.a]\nseasonal_input = 1\n")
        }
    }

    @Test func collectsEveryProblemWithItsLine() {
        let found = problems(
            """
            [mqtt]
            port = 70000
            keepalive = "90"
            protcol = "5"

            [models.default]
            quantiles = [0.05, 1.5]
            horizon = "12"

            [[rules]]
            name = "a"
            topic = "sensors/+/+"
            stream = "{1}/{3}"
            model = "nope"

            [[rules]]
            name = "a"
            topic = "bad/#/x"
            stream = "{1}"
            cadence = "5 min"
            [rules.payload]
            format = "xml"
            """)
        let byKey = Dictionary(found.map { ($0.keyPath, $0) }, uniquingKeysWith: { first, _ in first })
        #expect(byKey["mqtt.port"]?.line == 2 && byKey["mqtt.port"]?.code == .outOfRange)
        #expect(byKey["mqtt.keepalive"]?.line == 3 && byKey["mqtt.keepalive"]?.code == .invalidValue)
        #expect(byKey["mqtt.protcol"]?.line == 4 && byKey["mqtt.protcol"]?.code == .unknownKey)
        #expect(byKey["mqtt.protcol"]?.message.contains("did you mean 'protocol'?") == true)
        #expect(byKey["models.default.quantiles"]?.line == 7 && byKey["models.default.quantiles"]?.code == .outOfRange)
        #expect(byKey["models.default.horizon"]?.line == 8 && byKey["models.default.horizon"]?.code == .wrongType)
        #expect(byKey["rules[0].stream"]?.line == 13 && byKey["rules[0].stream"]?.message.contains("{3}") == true)
        #expect(byKey["rules[0].model"]?.line == 14 && byKey["rules[0].model"]?.code == .unknownReference)
        #expect(byKey["rules[1].name"]?.line == 17 && byKey["rules[1].name"]?.code == .duplicate)
        #expect(byKey["rules[1].topic"]?.line == 18 && byKey["rules[1].topic"]?.code == .invalidValue)
        #expect(byKey["rules[1].cadence"]?.line == 20)
        #expect(byKey["rules[1].payload.format"]?.line == 22 && byKey["rules[1].payload.format"]?.code == .invalidValue)
        #expect(found.count == 11)
        #expect(found.map { $0.line ?? 0 } == found.map { $0.line ?? 0 }.sorted(), "problems come in file order")
    }

    @Test func syntaxErrorCarriesItsLine() {
        let found = problems("[mqtt]\nport = 1883\nhost = \"unterminated\n")
        #expect(found.count == 1)
        #expect(found.first?.code == .syntax && found.first?.line == 3)
        #expect(found.first?.message.hasPrefix("column 21: ") == true, "\(found)")
    }

    @Test func unknownTablesAndKeysAreErrorsWithSuggestions() {
        let found = problems(
            """
            [mqqt]
            host = "x"
            [storage]
            batch_row = 10
            [storage.retention]
            observation = "1d"
            [[rules]]
            name = "r"
            topic = "a/+"
            stream = "{1}"
            modle = "default"
            unrelated_thing = 1
            """)
        let messages = Dictionary(found.map { ($0.keyPath, ($0.line, $0.message)) }, uniquingKeysWith: { a, _ in a })
        #expect(messages["mqqt"]?.0 == 1 && messages["mqqt"]?.1.contains("did you mean 'mqtt'?") == true)
        #expect(
            messages["storage.batch_row"]?.0 == 4 && messages["storage.batch_row"]?.1.contains("'batch_rows'") == true)
        #expect(messages["storage.retention.observation"]?.1.contains("'observations'") == true)
        #expect(messages["rules[0].modle"]?.0 == 11 && messages["rules[0].modle"]?.1.contains("'model'") == true)
        #expect(messages["rules[0].unrelated_thing"]?.1 == "unknown key")
        #expect(found.allSatisfy { $0.code == .unknownKey })
    }

    @Test func wrongTypesAreReportedPerKey() {
        let found = problems(
            """
            [mqtt]
            port = "1883"
            clean_start = "no"
            tls = 3
            [models.default]
            quantiles = ["a"]
            seed = -1
            [engine]
            max_streams = 1.5
            """)
        #expect(
            Set(found.map(\.keyPath)) == [
                "mqtt.port", "mqtt.clean_start", "mqtt.tls", "models.default.quantiles", "models.default.seed",
                "engine.max_streams",
            ])
        #expect(found.first { $0.keyPath == "mqtt.port" }?.message == "expected an integer, found string")
        #expect(found.first { $0.keyPath == "models.default.seed" }?.code == .outOfRange)
    }

    @Test func rulesNeedNameTopicAndStream() {
        let found = problems("[[rules]]\ncadence = \"event\"\n")
        #expect(Set(found.map(\.keyPath)) == ["rules[0].name", "rules[0].topic", "rules[0].stream"])
        #expect(found.allSatisfy { $0.code == .missingKey && $0.line == 1 })
    }

    @Test func lineIndexFindsKeysInNestedAndRepeatedTables() {
        let found = problems(
            """
            # comment = not a key
            [[rules]]
            name = "a"
            topic = "a/+"
            stream = "{1}"

            [[rules]]
            name = "b"
            topic = "b/+"
            stream = "{1}"
            [rules.payload]
            format = "json"
            value_path = "x..y"

            [models.default.retrain]
            validation_fraction = 1.0
            """)
        #expect(found.first { $0.keyPath == "rules[1].payload.value_path" }?.line == 13)
        #expect(found.first { $0.keyPath == "models.default.retrain.validation_fraction" }?.line == 16)
    }

    @Test func keysInInlineTablesAndDottedKeysHaveTheirOwnLines() {
        let found = problems(
            """
            [[rules]]
            name = "a"
            topic = "a/+"
            stream = "{1}"
            payload = { format = "json", value_path = "v", colour = 1 }

            [[rules]]
            name = "b"
            topic = "b/+"
            stream = "{1}"
            payload = { format = "json" }

            [models.default]
            retrain.validation_fraction = 1.0
            calibration = { method = "rolling", rate = 2.0, pool = "everyone" }
            """)
        let lines = Dictionary(found.map { ($0.keyPath, $0.line) }, uniquingKeysWith: { first, _ in first })
        #expect(lines["rules[0].payload.colour"] == 5)
        // value_path is absent, so the problem points at the inline table that lacks it.
        #expect(lines["rules[1].payload.value_path"] == 11)
        #expect(lines["models.default.retrain.validation_fraction"] == 14)
        #expect(lines["models.default.calibration.rate"] == 15)
        #expect(lines["models.default.calibration.pool"] == 15)
        #expect(found.count == 5, "\(found)")
    }

    /// The database's page cache is configurable, within 1 MiB to 64 GiB.
    @Test func storageCacheSize() throws {
        #expect(try DaemonConfiguration(toml: "").storage.cacheMiB == 16)
        #expect(try DaemonConfiguration(toml: "[storage]\ncache_mib = 64\n").storage.cacheMiB == 64)
        let found = problems("[storage]\ncache_mib = 0\n")
        #expect(found.count == 1 && found[0].keyPath == "storage.cache_mib" && found[0].code == .outOfRange)
        #expect(found.first?.line == 2)
    }

    @Test func httpProblemsCarryTheirLines() throws {
        let missing = FileManager.default.temporaryDirectory.appendingPathComponent("barnnd-\(UUID().uuidString)").path
        let found = problems(
            """
            [http]
            listen = "localhost"
            username = "prom"
            password_file = "\(missing)"
            stream_metrics = -1
            """)
        let byKey = Dictionary(found.map { ($0.keyPath, $0) }, uniquingKeysWith: { first, _ in first })
        #expect(byKey["http.listen"]?.line == 2 && byKey["http.listen"]?.message.contains("HOST:PORT") == true)
        #expect(
            byKey["http.password_file"]?.line == 4
                && byKey["http.password_file"]?.message.contains("cannot read") == true)
        #expect(byKey["http.stream_metrics"]?.line == 5 && byKey["http.stream_metrics"]?.code == .outOfRange)
        let unpaired = problems("[http]\nusername = \"prom\"\n")
        #expect(unpaired.map(\.keyPath) == ["http.password_file"] && unpaired[0].code == .missingKey)
        let off = try DaemonConfiguration(toml: "[http]\nlisten = \"\"\n")
        #expect(!off.http.isEnabled)
    }

    @Test func formattedProblemNamesFileLineAndKey() {
        let problem = ConfigurationError.Problem(.outOfRange, "mqtt.port", "70000 is not in 1...65535", line: 2)
        #expect(problem.formatted(file: "b.toml") == "b.toml:2: mqtt.port: 70000 is not in 1...65535")
        #expect(ConfigurationError.Problem(.syntax, "", "bad", line: nil).formatted(file: "b.toml") == "b.toml: bad")
    }

    @Test func unreadableFileIsAProblemNotACrash() {
        #expect(throws: ConfigurationError.self) {
            try DaemonConfiguration.load(contentsOf: "/nonexistent/barnnd.toml")
        }
    }

    @Test func overridesBeatTheFile() throws {
        let configuration = try DaemonConfiguration(toml: "[storage]\npath = \"/var/x.sqlite\"\n")
            .applying(ConfigurationOverrides(databasePath: "./barnnd.sqlite", logLevel: .debug))
        #expect(configuration.storage.path == "./barnnd.sqlite" && configuration.logging.level == .debug)
    }
}

@Suite struct BundledConfigurationKeyTests {
    /// Every key the loader reads, as `table.key`; the bundled file must show each (set or commented out).
    static let allKeys = [
        "mqtt": [
            "host", "port", "client_id", "keepalive", "protocol", "clean_start", "session_expiry", "username",
            "password_file", "status_topic", "receive_maximum", "reconnect_min_delay", "reconnect_max_delay",
        ],
        "mqtt.tls": ["enabled", "ca_file", "ca_dir", "cert_file", "key_file", "insecure"],
        "storage": ["path", "batch_rows", "batch_interval", "max_pending_rows", "cache_mib"],
        "storage.retention": ["observations", "forecasts", "drift", "events", "rejects"],
        "models.default": [
            "hidden_size", "paths", "sampling_antithetic", "horizon", "quantiles", "forecast_every", "min_history",
            "context_length", "seed",
        ],
        "models.default.retrain": [
            "every", "window", "history", "drift_trigger", "cooldown", "validation_fraction", "keep_last",
        ],
        "models.default.calibration": ["method", "window", "rate", "keep_median", "pool"],
        "rules": ["name", "topic", "stream", "qos", "cadence", "aggregate", "model", "unit", "device_class"],
        "rules.payload": ["format", "value_path", "time_path", "time_unit"],
        "publish": ["topic", "qos", "retain", "scalar_topic", "health_interval"],
        "engine": ["max_streams", "state_save_interval", "max_payload_bytes", "max_future_skew"],
        "logging": ["level", "repeated_error_interval"],
        "homeassistant": ["enabled", "discovery_prefix", "attributes_topic", "remove_after", "support_url"],
        "http": ["listen", "username", "password_file", "stream_metrics"],
    ]

    @Test func bundledFileShowsEveryKeyInItsTable() throws {
        let source = try String(contentsOfFile: ConfigurationTOMLTests.bundledPath, encoding: .utf8)
        var sections: [String: [String]] = [:]
        var current = ""
        for line in source.split(separator: "\n") {
            let text = line.hasPrefix("# ") ? line.dropFirst(2) : line[...]
            if text.hasPrefix("[") {
                current = text.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
            } else if let equals = text.firstIndex(of: "="), !text.hasPrefix("#") {
                let key = text[..<equals].trimmingCharacters(in: .whitespaces)
                if !key.contains(" ") { sections[current, default: []].append(key) }
            }
        }
        for (table, keys) in Self.allKeys {
            for key in keys {
                #expect(sections[table]?.contains(key) == true, "config/barnnd.toml does not show \(table).\(key)")
            }
        }
    }
}
