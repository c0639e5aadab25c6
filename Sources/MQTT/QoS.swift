/// MQTT quality of service.
public enum QoS: Int32, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// At most once: no acknowledgement, lost if the connection drops.
    case atMostOnce = 0
    /// At least once: acknowledged with PUBACK, redelivered (possibly twice) until then.
    case atLeastOnce = 1
    /// Exactly once: the four-packet handshake.
    case exactlyOnce = 2

    public var description: String { "QoS \(rawValue)" }
}
