public import MQTT

extension DaemonConfiguration {
    /// The ``MosquittoClient`` configuration for `[mqtt]` and the rules: one subscription per distinct filter (at the
    /// highest QoS any rule asks for it), the retained status topic with its `offline` last will.
    ///
    /// - Throws: `MQTT.TopicFilter.ValidationError` for a rule filter MQTT refuses (validation catches these first).
    public func mqttClientConfiguration() throws -> MQTTConfiguration {
        var client = MQTTConfiguration(host: mqtt.host, port: mqtt.port, clientID: mqtt.clientID)
        // libmosquitto needs 5…65535 s; "0s" (off) becomes the longest interval it accepts.
        let keepalive = Int(mqtt.keepalive.totalSeconds.rounded())
        client.keepAlive = keepalive == 0 ? 65535 : min(max(keepalive, 5), 65535)
        client.protocolVersion = mqtt.protocolVersion == .v5 ? .v5 : .v311
        client.session = mqtt.cleanStart ? .clean : .persistent(expiry: mqtt.sessionExpiry)
        if let username = mqtt.username {
            client.credentials = .init(username: username, passwordFile: mqtt.passwordFile)
        }
        if mqtt.tls.enabled {
            var tls = MQTTConfiguration.TLS(caFile: mqtt.tls.caFile, caDirectory: mqtt.tls.caDirectory)
            tls.certificateFile = mqtt.tls.certFile
            tls.keyFile = mqtt.tls.keyFile
            tls.insecure = mqtt.tls.insecure
            client.tls = tls
        }
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
        return client
    }

    /// The topic of the periodic health summary: `<status topic>/health`.
    public var healthTopic: String { mqtt.statusTopic + "/health" }
}
