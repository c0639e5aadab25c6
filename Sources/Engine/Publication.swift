public import MQTT

/// One MQTT message the engine wants published; the runtime hands it to `MosquittoClient.publish`.
public struct Publication: Sendable, Equatable {
    /// The topic, with `{stream}` already expanded.
    public var topic: String
    /// The payload bytes (a forecast's JSON, or the scalar next-step median as text).
    public var payload: [UInt8]
    /// The quality of service (`publish.qos`).
    public var qos: QoS
    /// Whether the broker retains it (`publish.retain`).
    public var retain: Bool

    /// Creates a publication.
    public init(topic: String, payload: [UInt8], qos: QoS, retain: Bool) {
        self.topic = topic
        self.payload = payload
        self.qos = qos
        self.retain = retain
    }
}
