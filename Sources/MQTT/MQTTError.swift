/// Errors the daemon matches on: refused connections, TLS failures, full queues, bad topics.
///
/// A struct around a code so that cases can be added without breaking callers; equality compares the code.
public struct MQTTError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable, Hashable {
            case connectionRefused = "connection refused by broker"
            case notAuthorized = "broker rejected the username or password"
            case tlsFailure = "TLS handshake failed (certificate or host name not accepted)"
            case unreachable = "broker unreachable"
            case passwordFileUnreadable = "password file unreadable"
            case invalidTopic = "invalid topic"
            case invalidConfiguration = "invalid MQTT configuration"
            case outgoingQueueFull = "outgoing queue full"
            case timedOut = "timed out"
            case closed = "client closed"
        }
        private let base: Base

        /// CONNACK with a failure reason other than bad credentials.
        public static let connectionRefused = Code(base: .connectionRefused)
        /// CONNACK "bad user name or password" / "not authorized".
        public static let notAuthorized = Code(base: .notAuthorized)
        /// The TLS handshake failed: unknown CA, expired certificate or host name mismatch.
        public static let tlsFailure = Code(base: .tlsFailure)
        /// TCP connect failed or the connection dropped before CONNACK.
        public static let unreachable = Code(base: .unreachable)
        /// ``MQTTConfiguration/Credentials/passwordFile`` could not be read.
        public static let passwordFileUnreadable = Code(base: .passwordFileUnreadable)
        /// A publish topic with wildcards, NUL, or nothing in it.
        public static let invalidTopic = Code(base: .invalidTopic)
        /// A configuration value outside its documented range.
        public static let invalidConfiguration = Code(base: .invalidConfiguration)
        /// ``MQTTConfiguration/outgoingQueueCapacity`` messages already await acknowledgement.
        public static let outgoingQueueFull = Code(base: .outgoingQueueFull)
        /// A wait for the connection ran out of time.
        public static let timedOut = Code(base: .timedOut)
        /// The client was closed.
        public static let closed = Code(base: .closed)

        public var description: String { base.rawValue }
    }

    /// The kind of failure.
    public let code: Code
    /// MQTT reason code from a CONNACK, when the broker sent one.
    public let reasonCode: Int?
    /// Human-readable detail (never a password, never more than a bounded payload excerpt).
    public let detail: String

    init(_ code: Code, reasonCode: Int? = nil, detail: String = "") {
        self.code = code
        self.reasonCode = reasonCode
        self.detail = detail
    }

    public var description: String {
        var text = code.description
        if let reasonCode { text += " (reason code \(reasonCode))" }
        if !detail.isEmpty { text += ": \(detail)" }
        return text
    }

    public static func == (lhs: MQTTError, rhs: MQTTError) -> Bool { lhs.code == rhs.code }

    /// Lets `catch let error as MQTTError where error ~= .notAuthorized` read well.
    public static func ~= (code: Code, error: MQTTError) -> Bool { error.code == code }
}
