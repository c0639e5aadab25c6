public import Logging
import Synchronization

/// barnnd's MQTT transport: one broker connection on libmosquitto that reconnects by itself, keeps its
/// session, resubscribes when the broker forgot it, and hands received messages over by value.
///
/// ## Delivery guarantee
/// Messages subscribed at QoS 1 or 2 are **never dropped inside barnnd**. libmosquitto 2.0 queues the PUBACK
/// (QoS 1) before it calls the message callback, but with `mosquitto_threaded_set` only the network thread
/// writes packets, and it does so after the callback returns. The callback copies the message into a
/// bounded queue (``MQTTConfiguration/incomingQueueCapacity``) and, when the queue is full, *waits* for the
/// consumer instead of dropping. So the broker receives the acknowledgement only after the message is in
/// barnnd's queue, and while the consumer is slow the network thread stalls, acknowledgements stop, and once
/// ``MQTTConfiguration/receiveMaximum`` messages are unacknowledged the broker stops sending and queues for
/// us (in the persistent session; the broker needs `max_queued_messages 0` or a large bound, or it drops).
/// ``MQTTCounters/consumerStalls`` counts how often this happened.
///
/// QoS 2 follows the same rule for PUBCOMP, with one more window: libmosquitto answers PUBLISH with PUBREC
/// at once and holds the message in memory until PUBREL, when the callback runs.
///
/// Limits: (1) a stalled network thread sends no PINGREQ or PUBACK, so a consumer stuck for longer than
/// 1.5 × keepalive makes the broker drop the connection; the unacknowledged messages stay in the session and
/// are redelivered after the reconnect, so the result is duplicates, not loss (at least once). (2) Messages
/// already in the queue when the process dies were acknowledged and are lost: at most
/// `incomingQueueCapacity` + one consumer batch, unless ``MQTTConfiguration/beforeAcknowledge`` made them
/// durable first (it runs before the message is queued and acknowledged). (3) QoS 0 messages are stalled the same way inside barnnd,
/// but the broker may discard QoS 0 traffic for a slow client; that loss is outside barnnd.
///
/// Publishing: QoS 1/2 messages are handed to libmosquitto, which keeps them until acknowledged and resends
/// them after a reconnect; at most ``MQTTConfiguration/outgoingQueueCapacity`` may be outstanding, past that
/// ``publish(topic:payload:qos:retain:properties:)`` throws. QoS 0 messages published while offline are
/// dropped and counted in ``MQTTCounters/publishFailures``.
public final class MosquittoClient: Sendable {
    private let connection: MosquittoConnection

    /// Validates `configuration` and prepares the handle; call ``start()`` to connect.
    ///
    /// - Throws: ``MQTTError`` `.invalidConfiguration` or `.invalidTopic` (status topic) naming the value.
    /// - Parameter seed: seeds the reconnect jitter; vary it per process so a fleet spreads out.
    public init(configuration: MQTTConfiguration, logger: Logger, seed: UInt64 = 0x6261_726E_6E64) throws {
        try Self.validate(configuration)
        connection = try MosquittoConnection(configuration: configuration, logger: logger, seed: seed)
    }

    deinit {
        connection.stop()
        let abandoned = connection.incoming.discardAll()
        if abandoned > 0 {
            connection.counters.messagesDropped.increment(by: UInt64(abandoned))
            connection.logger.info("mqtt messages never consumed", metadata: ["mqtt.dropped": "\(abandoned)"])
        }
    }

    /// The configuration the client was built with.
    public var configuration: MQTTConfiguration { connection.configuration }

    /// Starts the network thread: connect, then keep connected until ``close(timeout:)``.
    public func start() { connection.start() }

    /// Received messages, in order; the sequence ends after ``close(timeout:)`` once drained.
    public var messages: MessageStream { MessageStream(queue: connection.incoming) }

    /// Validates the topic and hands the message to libmosquitto.
    ///
    /// - Throws: ``MQTTError`` `.invalidTopic` (wildcards, NUL, empty), `.outgoingQueueFull`, `.closed`;
    ///   ``MosquittoError`` for anything else libmosquitto refuses (payload too large, QoS above the
    ///   broker's maximum). Each throw is counted in ``MQTTCounters/publishFailures`` (a full queue in
    ///   ``MQTTCounters/publishQueueFull``).
    public func publish(
        topic: String, payload: [UInt8], qos: QoS = .atLeastOnce, retain: Bool = false,
        properties: PublishProperties = .none
    ) throws {
        try connection.publish(topic: topic, payload: payload, qos: qos, retain: retain, properties: properties)
    }

    /// The current connection state.
    public var state: ConnectionState { connection.shared.withLock { $0.state } }

    /// A snapshot of the counters.
    public var counters: MQTTCounters { connection.counters.snapshot(queued: connection.incoming.count) }

    /// How many QoS 1/2 publishes await their acknowledgement.
    public var pendingPublishes: Int { connection.pendingPublishes }

    /// Waits until the broker accepted us.
    ///
    /// - Throws: ``MQTTError`` as soon as an attempt fails in a way retrying cannot fix (`.notAuthorized`,
    ///   `.tlsFailure`, `.connectionRefused`, `.passwordFileUnreadable`), `.timedOut` (carrying the last
    ///   failure) otherwise. The client
    ///   keeps retrying in the background either way.
    public func waitUntilConnected(timeout: Duration) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while true {
            switch state {
            case .connected: return
            case .closed: throw MQTTError(.closed)
            case .disconnected(let error?)
            where error.code == .notAuthorized || error.code == .tlsFailure || error.code == .connectionRefused
                || error.code == .passwordFileUnreadable:
                throw error
            case .disconnected(let error):
                if clock.now >= deadline { throw MQTTError(.timedOut, detail: error.map { "\($0)" } ?? "") }
            case .connecting:
                if clock.now >= deadline { throw MQTTError(.timedOut) }
            }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    /// Orderly shutdown: publishes the offline status, waits up to `timeout` for outstanding QoS 1/2
    /// publishes to be acknowledged, disconnects (so the broker does not publish the will) and stops the
    /// network thread. ``messages`` then yields what is still queued and ends.
    public func close(timeout: Duration = .seconds(2)) async {
        if let status = configuration.status, state == .connected {
            try? publish(
                topic: status.topic, payload: Array(status.offlinePayload.utf8), qos: .atLeastOnce, retain: true)
        }
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while state == .connected, connection.pendingPublishes > 0, clock.now < deadline {
            try? await Task.sleep(for: .milliseconds(5))
        }
        connection.stop()
    }

    private static func validate(_ configuration: MQTTConfiguration) throws(MQTTError) {
        func require(_ condition: Bool, _ detail: @autoclosure () -> String) throws(MQTTError) {
            if !condition { throw MQTTError(.invalidConfiguration, detail: detail()) }
        }
        try require(!configuration.host.isEmpty, "host is empty")
        try require(
            (1...65535).contains(configuration.clientID.utf8.count) && !configuration.clientID.utf8.contains(0),
            "clientID must be 1…65535 bytes without NUL (a persistent session is keyed by it)")
        try require((1...65535).contains(configuration.port), "port must be 1…65535, got \(configuration.port)")
        try require(
            (5...65535).contains(configuration.keepAlive), "keepAlive must be 5…65535 s, got \(configuration.keepAlive)"
        )
        try require(
            (1...65535).contains(configuration.receiveMaximum),
            "receiveMaximum must be 1…65535, got \(configuration.receiveMaximum)")
        try require(configuration.incomingQueueCapacity > 0, "incomingQueueCapacity must be positive")
        try require(configuration.outgoingQueueCapacity > 0, "outgoingQueueCapacity must be positive")
        try require(configuration.reconnect.initial > .zero, "reconnect.initial must be positive")
        try require(configuration.reconnect.maximum >= configuration.reconnect.initial, "reconnect.maximum < initial")
        if let status = configuration.status {
            do {
                try TopicFilter.validateTopicName(status.topic)
            } catch {
                throw MQTTError(.invalidTopic, detail: "status topic: \(error)")
            }
        }
    }
}
