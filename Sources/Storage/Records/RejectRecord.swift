import Formats

/// A message barnnd could not use, kept with a bounded excerpt of its payload and the reason.
public struct RejectRecord: Sendable, Equatable {
    /// The longest payload excerpt kept, in bytes; longer payloads are cut (their full length is stored).
    public static let excerptLimit = 256

    /// When it arrived, µs since the Unix epoch.
    public var timeUs: Int64
    /// The MQTT topic it arrived on.
    public var topic: String
    /// At most ``excerptLimit`` bytes of the payload as printable text (control characters and invalid bytes
    /// become `.`, a cut payload ends in `...`).
    public var excerpt: String
    /// The payload's full length in bytes.
    public var payloadBytes: Int
    /// Why it was rejected, for people.
    public var reason: String

    /// Creates a record from a payload, keeping only its excerpt.
    public init(timeUs: Int64, topic: String, payload: some Collection<UInt8>, reason: String) {
        self.timeUs = timeUs
        self.topic = topic
        self.excerpt = PayloadExcerpt.make(of: payload, limit: Self.excerptLimit)
        self.payloadBytes = payload.count
        self.reason = reason
    }

    /// Creates a record from stored values.
    public init(timeUs: Int64, topic: String, excerpt: String, payloadBytes: Int, reason: String) {
        self.timeUs = timeUs
        self.topic = topic
        self.excerpt = excerpt
        self.payloadBytes = payloadBytes
        self.reason = reason
    }
}
