public import MQTT

extension DaemonConfiguration {
    /// The ``MosquittoClient`` configuration for `[mqtt]` and the rules: one subscription per distinct filter (at the
    /// highest QoS any rule asks for it), the retained status topic with its `offline` last will.
    ///
    /// - Throws: `MQTT.TopicFilter.ValidationError` for a rule filter MQTT refuses (validation catches these first).
    public func mqttClientConfiguration() throws -> MQTTConfiguration {
        var client = mqtt.connectionConfiguration(clientID: mqtt.clientID)
        // libmosquitto needs 5…65535 s; "0s" (off) becomes the longest interval it accepts.
        let keepalive = Int(mqtt.keepalive.totalSeconds.rounded())
        client.keepAlive = keepalive == 0 ? 65535 : min(max(keepalive, 5), 65535)
        client.session = mqtt.cleanStart ? .clean : .persistent(expiry: mqtt.sessionExpiry)
        client.status = .init(topic: mqtt.statusTopic)
        client.receiveMaximum = mqtt.receiveMaximum
        client.reconnect = .init(initial: mqtt.reconnectMinDelay, maximum: mqtt.reconnectMaxDelay)
        // Keyed by `TopicFilter`, which compares bytes: two rules on canonically equivalent but different filters
        // are two subscriptions, as the broker sees them.
        var order: [TopicFilter] = []
        var qos: [TopicFilter: Int] = [:]
        for rule in rules {
            let filter = try TopicFilter(rule.topic)
            if qos[filter] == nil { order.append(filter) }
            qos[filter] = max(qos[filter] ?? 0, rule.qos)
        }
        client.subscriptions = order.map { filter in
            MQTTConfiguration.Subscription(filter, qos: QoS(rawValue: Int32(qos[filter]!)) ?? .atLeastOnce)
        }
        if homeAssistant.enabled {
            client.subscriptions.append(.init(try TopicFilter(homeAssistantBirthTopic), qos: .atLeastOnce))
        }
        return client
    }

    /// Where Home Assistant announces itself (`<discovery prefix>/status`, payload `online`).
    public var homeAssistantBirthTopic: String { homeAssistant.discoveryPrefix + "/status" }

    /// The topic of the periodic health summary: `<status topic>/health`.
    public var healthTopic: String { mqtt.statusTopic + "/health" }
}

extension DaemonConfiguration.MQTTSettings {
    /// How to reach and authenticate to the broker (address, protocol, credentials, TLS) as `clientID`: the part of
    /// the client configuration every barnnd client shares, so the daemon and the CLI's probes cannot drift apart.
    public func connectionConfiguration(clientID: String) -> MQTTConfiguration {
        var client = MQTTConfiguration(host: host, port: port, clientID: clientID)
        client.protocolVersion = protocolVersion == .v5 ? .v5 : .v311
        if let username {
            client.credentials = .init(username: username, passwordFile: passwordFile)
        }
        if tls.enabled {
            var settings = MQTTConfiguration.TLS(caFile: tls.caFile, caDirectory: tls.caDirectory)
            settings.certificateFile = tls.certFile
            settings.keyFile = tls.keyFile
            settings.insecure = tls.insecure
            client.tls = settings
        }
        return client
    }
}
