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
    /// A printable excerpt of the payload, at most ``excerptLimit`` bytes (see ``excerpt(of:limit:)``).
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

    /// Longest excerpt, in UTF-8 bytes.
    public static let excerptLimit = 64

    /// A bounded, printable excerpt of a payload for logs and the `rejects` table.
    ///
    /// Valid UTF-8 characters are kept except control characters, which become `.` as do invalid bytes; the result
    /// is at most `limit` UTF-8 bytes, ending in `...` when the payload was cut. Never logs a whole payload.
    public static func excerpt(of payload: some Collection<UInt8>, limit: Int = excerptLimit) -> String {
        precondition(limit >= 3, "an excerpt limit of \(limit) bytes cannot hold the '...' marker")
        var pieces: [String] = []
        var total = 0
        var complete = false
        var iterator = payload.makeIterator()
        var decoder = UTF8()
        // Reads at most about `limit` characters, whatever the payload's size.
        decoding: while total <= limit {
            let piece: String
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar):
                piece = scalar.properties.generalCategory == .control ? "." : String(Character(scalar))
            case .error: piece = "."
            case .emptyInput:
                complete = true
                break decoding
            }
            pieces.append(piece)
            total += piece.utf8.count
        }
        if complete { return pieces.joined() }
        while total > limit - 3, let last = pieces.popLast() { total -= last.utf8.count }
        return pieces.joined() + "..."
    }
}
