internal import CMosquitto
import Synchronization

extension MosquittoConnection {
    /// Hands one message to libmosquitto; see ``MosquittoClient/publish(topic:payload:qos:retain:properties:)``.
    func publish(
        topic: String, payload: [UInt8], qos: QoS, retain: Bool, properties: PublishProperties
    ) throws {
        do {
            try TopicFilter.validateTopicName(topic)
        } catch {
            counters.publishFailures.increment()
            throw MQTTError(.invalidTopic, detail: "\(error)")
        }
        guard payload.count <= Self.maximumPayload else {
            counters.publishFailures.increment()
            throw MosquittoError(code: MOSQ_ERR_PAYLOAD_SIZE.rawValue, function: "mosquitto_publish_v5")
        }
        var list: OpaquePointer? = nil
        defer { mosquitto_property_free_all(&list) }
        if configuration.protocolVersion == .v5 {
            if let contentType = properties.contentType {
                try check(
                    mosquitto_property_add_string(&list, CInt(MQTT_PROP_CONTENT_TYPE.rawValue), contentType),
                    function: "mosquitto_property_add_string")
            }
            if let expiry = properties.messageExpiry {
                try check(
                    mosquitto_property_add_int32(
                        &list, CInt(MQTT_PROP_MESSAGE_EXPIRY_INTERVAL.rawValue),
                        UInt32(clamping: expiry.components.seconds)),
                    function: "mosquitto_property_add_int32")
            }
        }
        // The lock is held across mosquitto_publish so that the id is recorded before the network thread can
        // see its PUBACK; libmosquitto never calls back from inside mosquitto_publish in threaded mode.
        try shared.withLock { shared throws in
            if shared.stopRequested {
                counters.publishFailures.increment()
                throw MQTTError(.closed)
            }
            if qos != .atMostOnce, shared.pendingMessageIDs.count >= configuration.outgoingQueueCapacity {
                counters.publishQueueFull.increment()
                throw MQTTError(
                    .outgoingQueueFull, detail: "\(shared.pendingMessageIDs.count) awaiting acknowledgement")
            }
            var messageID: CInt = 0
            let code = payload.withUnsafeBytes { bytes in
                mosquitto_publish_v5(
                    handle, &messageID, topic, CInt(bytes.count), bytes.baseAddress, qos.rawValue, retain, list)
            }
            switch code {
            case MOSQ_ERR_SUCCESS.rawValue:
                if qos != .atMostOnce { shared.pendingMessageIDs.insert(messageID) }
            case MOSQ_ERR_NO_CONN.rawValue where qos != .atMostOnce:
                // libmosquitto keeps QoS 1/2 messages and resends them after the next CONNACK.
                shared.pendingMessageIDs.insert(messageID)
                counters.publishesDeferred.increment()
            case MOSQ_ERR_NO_CONN.rawValue, MOSQ_ERR_CONN_LOST.rawValue:
                // QoS 0 is at most once: offline means not sent.
                counters.publishFailures.increment()
            default:
                counters.publishFailures.increment()
                try check(code, function: "mosquitto_publish_v5")
            }
        }
    }

    /// MQTT's largest packet leaves 268 435 455 bytes (less topic and headers; libmosquitto checks exactly).
    static let maximumPayload = 268_435_455

    /// How many QoS 1/2 publishes await acknowledgement.
    var pendingPublishes: Int { shared.withLock { $0.pendingMessageIDs.count } }
}
