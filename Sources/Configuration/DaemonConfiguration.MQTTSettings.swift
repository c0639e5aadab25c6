extension DaemonConfiguration {
    /// The MQTT protocol version spoken to the broker.
    public enum ProtocolVersion: String, Sendable, CaseIterable {
        /// MQTT 5: session expiry, receive maximum and reason codes.
        case v5 = "5"
        /// MQTT 3.1.1, for older brokers.
        case v311 = "3.1.1"
    }

    /// How barnnd connects to the broker (`[mqtt]`).
    ///
    /// Values pass to libmosquitto; see <https://mosquitto.org/api/files/mosquitto-h.html>.
    public struct MQTTSettings: Sendable, Equatable {
        /// Broker host name or address. The default is `localhost`.
        public var host = "localhost"
        /// Broker TCP port, 1–65535. The default is 1883 (8883 is usual with TLS).
        public var port = 1883
        /// Client identifier; keep it stable so the broker keeps the session while barnnd is down.
        /// The default is `barnnd`. Brokers must accept 1–23 characters; most accept more.
        public var clientID = "barnnd"
        /// Keep-alive interval, 0 (off) or 5 s–65535 s. The default is 60 s.
        public var keepalive: Duration = .seconds(60)
        /// Protocol version. The default is MQTT 5.
        public var protocolVersion = ProtocolVersion.v5
        /// Whether to discard the broker-side session on connect. The default is `false`, so messages published
        /// while barnnd was down are delivered (QoS ≥ 1).
        public var cleanStart = false
        /// How long the broker keeps the session after a disconnect (MQTT 5), at most 2³²−1 s.
        /// The default is 7 days.
        public var sessionExpiry: Duration = .seconds(7 * 86400)
        /// User name; `nil` connects anonymously. The default is `nil`.
        public var username: String?
        /// File holding the password (first line, trailing newline ignored), so the password stays out of this
        /// file and of logs. Requires `username`. The default is `nil`.
        public var passwordFile: String?
        /// TLS settings.
        public var tls = TLSSettings()
        /// Topic for barnnd's retained status (`online`/`offline`, the latter as last will).
        /// The default is `barnnd/status`.
        public var statusTopic = "barnnd/status"
        /// How many unacknowledged QoS 1/2 messages the broker may send at once (MQTT 5), 1–65535.
        /// The default is 100.
        public var receiveMaximum = 100
        /// First delay before reconnecting after the broker is lost; doubles up to ``reconnectMaxDelay``.
        /// The default is 1 s.
        public var reconnectMinDelay: Duration = .seconds(1)
        /// Longest delay between reconnect attempts. The default is 60 s.
        public var reconnectMaxDelay: Duration = .seconds(60)

        /// Creates the defaults.
        public init() {}
    }

    /// TLS to the broker (`[mqtt.tls]`); see `mosquitto_tls_set` and `mosquitto_tls_insecure_set`.
    public struct TLSSettings: Sendable, Equatable {
        /// Whether to use TLS. The default is `false`.
        public var enabled = false
        /// PEM file of trusted CA certificates. One of `caFile`/`caDirectory` is required with TLS.
        /// The default is `nil`.
        public var caFile: String?
        /// Directory of hashed CA certificates (`c_rehash`), e.g. `/etc/ssl/certs`. The default is `nil`.
        public var caDirectory: String?
        /// Client certificate (PEM) for mutual TLS; requires `keyFile`. The default is `nil`.
        public var certFile: String?
        /// Client private key (PEM, unencrypted); requires `certFile`. The default is `nil`.
        public var keyFile: String?
        /// Skip the check that the certificate names the host. Only for tests. The default is `false`.
        public var insecure = false

        /// Creates the defaults.
        public init() {}
    }
}
