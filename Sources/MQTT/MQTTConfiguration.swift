/// Everything a ``MosquittoClient`` needs to reach a broker and keep a session there.
///
/// Values only: no file is read until the client connects (the password file is read at each connection
/// attempt, so a rotated password is picked up on reconnect). `description` never shows the password, which
/// this type does not hold at all.
public struct MQTTConfiguration: Sendable, CustomStringConvertible {
    /// Broker host name or address; also the name TLS verifies the server certificate against.
    public var host: String
    /// Broker TCP port. The default is 1883 (use 8883 with ``tls``).
    public var port: Int = 1883
    /// Stable client id; a persistent session is keyed by it, so it must not change between restarts.
    public var clientID: String
    /// Keepalive in seconds (5…65535). The default is 30. The broker drops the connection after 1.5 × this
    /// without a packet from us; see ``MosquittoClient`` on how a stalled consumer interacts with it.
    public var keepAlive: Int = 30
    /// Protocol level. The default is MQTT v5.
    public var protocolVersion: ProtocolVersion = .v5
    /// Session kept by the broker across disconnects. The default is persistent, expiring one day after
    /// the client goes away.
    public var session: Session = .persistent(expiry: .seconds(86_400))
    /// Username and password file; `nil` connects anonymously.
    public var credentials: Credentials?
    /// TLS settings; `nil` connects in clear text.
    public var tls: TLS?
    /// Retained online/offline status; `nil` disables the status topic and the last will.
    public var status: Status?
    /// Filters subscribed after every CONNACK that reports no session present.
    public var subscriptions: [Subscription] = []
    /// MQTT v5 receive maximum: how many QoS 1/2 messages the broker may have in flight to us. The default is
    /// 100. With v3.1.1 the broker's own `max_inflight_messages` applies instead.
    public var receiveMaximum: Int = 100
    /// Capacity of the hand-off queue between libmosquitto's thread and the consumer. The default is 4096.
    public var incomingQueueCapacity: Int = 4096
    /// How many published QoS 1/2 messages may await their acknowledgement (in flight or queued in
    /// libmosquitto while offline). The default is 10 000. Past it ``MosquittoClient/publish(_:)`` throws.
    public var outgoingQueueCapacity: Int = 10_000
    /// Reconnect delays. The default is 1 s doubling to 30 s, with jitter.
    public var reconnect: Backoff = Backoff()
    /// Called on the network thread with each received message before it is queued, and so before the broker
    /// gets its QoS 1 PUBACK: a hook that makes the message durable here (a write-ahead inbox) closes the loss
    /// window of a process crash. Keep it short; it stalls delivery like a slow consumer. A throw is counted in
    /// ``MQTTCounters/beforeAcknowledgeFailures`` and the hook is called again (backing off to 1 s) until it
    /// succeeds: the message is not acknowledged before. At a stop the message is left unacknowledged (counted in
    /// ``MQTTCounters/acknowledgementsWithheld``) for the broker to redeliver. The default is `nil`.
    public var beforeAcknowledge: (@Sendable (Message) throws -> Void)?

    /// A configuration with defaults for everything but the broker address and client id.
    public init(host: String, port: Int = 1883, clientID: String) {
        self.host = host
        self.port = port
        self.clientID = clientID
    }

    public var description: String {
        var text = "mqtt://\(host):\(port) client=\(clientID) \(protocolVersion) keepalive=\(keepAlive)s"
        if let credentials { text += " user=\(credentials.username)" }
        if let tls { text += tls.insecure ? " tls=insecure" : " tls" }
        return text
    }
}

extension MQTTConfiguration {
    /// MQTT protocol level spoken on the wire.
    public enum ProtocolVersion: Sendable, Hashable, CustomStringConvertible {
        /// MQTT 3.1.1 (protocol level 4): no properties; session expiry is broker policy.
        case v311
        /// MQTT 5.0: session expiry, receive maximum, message properties, reason codes.
        case v5

        public var description: String { self == .v5 ? "MQTT 5" : "MQTT 3.1.1" }
    }

    /// Whether the broker keeps subscriptions and queued messages while we are away.
    public enum Session: Sendable, Hashable {
        /// Clean start off; the broker keeps the session for `expiry` after we disconnect (v5 session expiry
        /// interval, whole seconds; with v3.1.1 clean session is off and the broker decides expiry).
        case persistent(expiry: Duration)
        /// Clean start on: every connection starts a new session and nothing is queued while away.
        case clean
    }

    /// Username plus the path of a file holding the password, never the password itself.
    public struct Credentials: Sendable, Hashable {
        /// MQTT username.
        public var username: String
        /// File whose content (one trailing newline stripped) is the password. Read at every connection attempt.
        public var passwordFile: String?

        /// Credentials with an optional password file.
        public init(username: String, passwordFile: String? = nil) {
            self.username = username
            self.passwordFile = passwordFile
        }
    }

    /// TLS trust anchors, client certificate and verification switches.
    public struct TLS: Sendable, Hashable {
        /// PEM file of CA certificates that sign the broker certificate.
        public var caFile: String?
        /// Directory of hashed CA certificates (`openssl rehash`).
        public var caDirectory: String?
        /// PEM client certificate for mutual TLS; needs ``keyFile``.
        public var certificateFile: String?
        /// PEM private key of ``certificateFile`` (unencrypted).
        public var keyFile: String?
        /// Skips checking the certificate's host name against ``MQTTConfiguration/host``. The default is
        /// `false`; turning it on is logged as a warning at every connect because it permits impersonation.
        public var insecure: Bool = false

        /// TLS trusting `caFile` and/or `caDirectory`.
        public init(caFile: String? = nil, caDirectory: String? = nil) {
            self.caFile = caFile
            self.caDirectory = caDirectory
        }
    }

    /// A retained status topic: `offline` as last will, `online` after every connect.
    public struct Status: Sendable, Hashable {
        /// The topic, e.g. `barnnd/status`.
        public var topic: String
        /// Published (retained, QoS 1) after every successful CONNACK. The default is `online`.
        public var onlinePayload: String = "online"
        /// Registered as the retained last will and published at orderly shutdown. The default is `offline`.
        public var offlinePayload: String = "offline"

        /// A status topic with the default payloads.
        public init(topic: String) { self.topic = topic }
    }

    /// A filter and the maximum QoS we ask for it.
    public struct Subscription: Sendable, Hashable {
        /// The validated filter.
        public var filter: TopicFilter
        /// Requested maximum QoS.
        public var qos: QoS

        /// A subscription at `qos` (QoS 1 is what barnnd uses for data it must not lose).
        public init(_ filter: TopicFilter, qos: QoS = .atLeastOnce) {
            self.filter = filter
            self.qos = qos
        }
    }

    /// Capped exponential backoff with "equal jitter": attempt n waits a uniform draw in [d/2, d] where
    /// d = min(maximum, initial · 2ⁿ). Jitter spreads a fleet of clients that lost the same broker.
    public struct Backoff: Sendable, Hashable {
        /// First delay. The default is 1 s.
        public var initial: Duration = .seconds(1)
        /// Cap. The default is 30 s.
        public var maximum: Duration = .seconds(30)

        /// Backoff from `initial` doubling up to `maximum`.
        public init(initial: Duration = .seconds(1), maximum: Duration = .seconds(30)) {
            self.initial = initial
            self.maximum = maximum
        }
    }
}
