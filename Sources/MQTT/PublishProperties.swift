/// MQTT v5 properties barnnd sets on what it publishes. Ignored (not sent) with MQTT 3.1.1.
public struct PublishProperties: Sendable, Hashable {
    /// MIME type of the payload, e.g. `application/json`.
    public var contentType: String?
    /// The broker discards the message if it cannot deliver it within this many seconds (whole seconds).
    public var messageExpiry: Duration?

    /// Properties; all optional.
    public init(contentType: String? = nil, messageExpiry: Duration? = nil) {
        self.contentType = contentType
        self.messageExpiry = messageExpiry
    }

    /// No properties.
    public static let none = PublishProperties()
}
