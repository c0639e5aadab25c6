/// A received MQTT message, copied out of libmosquitto's buffers before its callback returned.
public struct Message: Sendable, Hashable {
    /// The topic name it was published to (never contains wildcards).
    public var topic: String
    /// Payload bytes, unchanged.
    public var payload: [UInt8]
    /// QoS it was delivered at (the minimum of publish and subscription QoS).
    public var qos: QoS
    /// Whether the broker delivered it from its retained store.
    public var retain: Bool
    /// Arrival time on the wall clock (`CLOCK_REALTIME`), seconds since 1970-01-01 UTC. Ingest uses it when
    /// the payload carries no time.
    public var receivedAt: Double

    /// A message as the broker would deliver it.
    public init(topic: String, payload: [UInt8], qos: QoS = .atMostOnce, retain: Bool = false, receivedAt: Double) {
        self.topic = topic
        self.payload = payload
        self.qos = qos
        self.retain = retain
        self.receivedAt = receivedAt
    }

    /// The payload decoded as UTF-8 (invalid sequences repaired), for text formats.
    public var payloadString: String { String(decoding: payload, as: UTF8.self) }
}
