/// A rejected message or record, ready to become a row of the `rejects` table and a counter increment.
public struct IngestReject: Error, Sendable, Hashable, CustomStringConvertible {
    /// The stable reason code.
    public var reason: RejectReason
    /// What exactly was wrong.
    public var detail: String
    /// The message's topic.
    public var topic: String
    /// The name of the rule that handled the topic; `nil` for `no_matching_rule`.
    public var rule: String?
    /// A printable excerpt of the payload, at most ``excerptLimit`` bytes (see `PayloadExcerpt`).
    public var excerpt: String
    /// Arrival time, seconds since the Unix epoch.
    public var arrivalTime: Double

    /// Creates a reject.
    public init(
        reason: RejectReason, detail: String, topic: String, rule: String?, excerpt: String, arrivalTime: Double
    ) {
        self.reason = reason
        self.detail = detail
        self.topic = topic
        self.rule = rule
        self.excerpt = excerpt
        self.arrivalTime = arrivalTime
    }

    public var description: String { "\(reason.rawValue) on '\(topic)': \(detail)" }

    /// Longest excerpt kept with a reject for logs and details, in UTF-8 bytes.
    public static let excerptLimit = 64
}
