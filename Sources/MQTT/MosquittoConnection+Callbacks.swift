internal import CMosquitto
import Glibc
import Logging
import Synchronization

/// libmosquitto's callbacks. Each gets the connection as an unretained pointer (the network thread holds a
/// strong reference for as long as callbacks can run), copies what it needs, and returns.
extension MosquittoConnection {
    func installCallbacks() {
        mosquitto_connect_v5_callback_set(handle) { _, context, reasonCode, flags, _ in
            MosquittoConnection.from(context).connackReceived(reasonCode: reasonCode, flags: flags)
        }
        mosquitto_message_callback_set(handle) { _, context, message in
            MosquittoConnection.from(context).messageArrived(message!.pointee)
        }
        mosquitto_publish_callback_set(handle) { _, context, messageID in
            MosquittoConnection.from(context).publishCompleted(messageID: messageID)
        }
        mosquitto_subscribe_callback_set(handle) { _, context, _, count, grantedQoS in
            let granted = UnsafeBufferPointer(start: grantedQoS, count: Int(count))
            MosquittoConnection.from(context).subscribeAcknowledged(granted: granted)
        }
    }

    private static func from(_ context: UnsafeMutableRawPointer?) -> MosquittoConnection {
        Unmanaged<MosquittoConnection>.fromOpaque(context!).takeUnretainedValue()
    }

    private func connackReceived(reasonCode: CInt, flags: CInt) {
        let accepted = reasonCode == 0
        let sessionPresent = flags & 1 != 0
        switch machine.connackReceived(accepted: accepted, sessionPresent: sessionPresent) {
        case .announceOnline(let subscribe):
            counters.connects.increment()
            shared.withLock { $0.state = .connected }
            logger.info(
                "mqtt connected",
                metadata: ["mqtt.session_present": "\(sessionPresent)", "mqtt.resubscribe": "\(subscribe)"])
            if subscribe { subscribeAll() }
            if let status = configuration.status {
                try? publish(
                    topic: status.topic, payload: Array(status.onlinePayload.utf8), qos: .atLeastOnce, retain: true,
                    properties: .none)
            }
        case .none:
            record(refusal(reasonCode: Int(reasonCode)))
        }
    }

    private func refusal(reasonCode: Int) -> MQTTError {
        let v5 = configuration.protocolVersion == .v5
        let text = String(
            cString: v5 ? mosquitto_reason_string(CInt(reasonCode)) : mosquitto_connack_string(CInt(reasonCode)))
        let credentialsRejected =
            v5
            ? reasonCode == Int(MQTT_RC_BAD_USERNAME_OR_PASSWORD.rawValue)
                || reasonCode == Int(MQTT_RC_NOT_AUTHORIZED.rawValue)
            : reasonCode == 4 || reasonCode == 5
        return MQTTError(
            credentialsRejected ? .notAuthorized : .connectionRefused, reasonCode: reasonCode, detail: text)
    }

    private func subscribeAll() {
        counters.resubscribes.increment()
        for subscription in configuration.subscriptions {
            let code = mosquitto_subscribe(handle, nil, subscription.filter.description, subscription.qos.rawValue)
            if code != MOSQ_ERR_SUCCESS.rawValue {
                // The connection dropped under us; the next CONNACK subscribes again.
                logger.info("mqtt subscribe not sent", metadata: ["mqtt.filter": "\(subscription.filter)"])
                return
            }
        }
    }

    private func subscribeAcknowledged(granted: UnsafeBufferPointer<CInt>) {
        for qos in granted {
            if qos >= 0x80 {
                counters.subscribeFailures.increment()
                logger.info("mqtt subscription refused by broker", metadata: ["mqtt.reason_code": "\(qos)"])
            } else {
                counters.subscriptionsGranted.increment()
            }
        }
    }

    /// Copies the message out of libmosquitto's buffer, makes it durable through the before-acknowledge hook and
    /// blocks until the queue takes it.
    ///
    /// For QoS 1 libmosquitto has already queued the PUBACK, but in threaded mode only this thread writes it,
    /// after this callback returns: the broker is acknowledged only once the message is durable and in our queue.
    /// So a failing hook (the inbox's disk is full) is retried here for as long as it fails: nothing is
    /// acknowledged that is not durable, the broker keeps the message (and, once our keep-alive lapses, drops the
    /// connection and redelivers it after the reconnect: a duplicate, never a loss).
    private func messageArrived(_ raw: mosquitto_message) {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let payload: [UInt8] =
            raw.payloadlen > 0
            ? Array(UnsafeRawBufferPointer(start: raw.payload, count: Int(raw.payloadlen)))
            : []
        let message = Message(
            topic: String(cString: raw.topic), payload: payload, qos: QoS(rawValue: raw.qos) ?? .atMostOnce,
            retain: raw.retain, receivedAt: Double(now.tv_sec) + Double(now.tv_nsec) * 1e-9)
        counters.messagesReceived.increment()
        if let hook = configuration.beforeAcknowledge, !makeDurable(message, hook: hook) {
            withholdAcknowledgement(of: message)
            return
        }
        incoming.push(message) { counters.consumerStalls.increment() }
    }

    /// Runs `hook` until it succeeds, backing off from 10 ms to 1 s; `false` when a stop came first.
    private func makeDurable(_ message: Message, hook: @Sendable (Message) throws -> Void) -> Bool {
        var delay: Duration = .milliseconds(10)
        var failures = 0
        while true {
            do {
                try hook(message)
                if failures > 0 {
                    logger.info(
                        "mqtt message made durable after retries; delivery resumes",
                        metadata: ["mqtt.topic": "\(message.topic)", "mqtt.failed_attempts": "\(failures)"])
                }
                return true
            } catch {
                counters.beforeAcknowledgeFailures.increment()
                if failures == 0 {
                    logger.warning(
                        "mqtt message not acknowledged: making it durable failed; retrying until it succeeds",
                        metadata: ["mqtt.topic": "\(message.topic)", "mqtt.error": "\(error)"])
                }
                failures += 1
            }
            if stopRequested { return false }
            let deadline = ContinuousClock.now.advanced(by: delay)
            while ContinuousClock.now < deadline, !stopRequested { usleep(10_000) }
            delay = min(delay * 2, .seconds(1))
        }
    }

    /// Stopping while a message is still not durable: its PUBACK is already queued inside libmosquitto, so cut the
    /// socket before returning. The write then fails, the broker never sees the acknowledgement and redelivers the
    /// message to the next session.
    private func withholdAcknowledgement(of message: Message) {
        counters.acknowledgementsWithheld.increment()
        let socket = mosquitto_socket(handle)
        if socket >= 0 { _ = Glibc.shutdown(socket, CInt(SHUT_RDWR)) }
        logger.error(
            "mqtt message left unacknowledged at stop: it could not be made durable; the broker redelivers it",
            metadata: ["mqtt.topic": "\(message.topic)"])
    }

    private func publishCompleted(messageID: CInt) {
        shared.withLock { _ = $0.pendingMessageIDs.remove(messageID) }
        counters.messagesPublished.increment()
    }
}
