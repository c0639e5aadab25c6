/// A reject reason with a short detail for people (never the payload itself beyond a bounded excerpt).
public struct Rejection: Error, Sendable, Hashable, CustomStringConvertible {
    /// The stable reason code.
    public var reason: RejectReason
    /// What exactly was wrong, e.g. `value at 'temp' is a string`.
    public var detail: String

    /// Creates a rejection.
    public init(_ reason: RejectReason, _ detail: String) {
        self.reason = reason
        self.detail = detail
    }

    public var description: String { "\(reason.rawValue): \(detail)" }
}
