/// An MQTT topic filter (`sensors/+/temp`, `lab/#`), validated once and matched against topic names.
///
/// Rules follow MQTT 3.1.1 §4.7 / MQTT 5 §4.7: levels split on `/`; `+` matches exactly one level and must
/// occupy a whole level; `#` matches the rest (including the parent level) and must be the last level;
/// topics starting with `$` are not matched by a filter starting with a wildcard.
public struct TopicFilter: Sendable, Hashable, CustomStringConvertible {
    /// One level of a filter.
    public enum Level: Sendable, Hashable {
        case literal(String)
        case singleLevelWildcard
        case multiLevelWildcard
    }

    /// Why a string is not a valid topic filter or topic name.
    public enum ValidationError: Error, Sendable, Equatable, CustomStringConvertible {
        case empty
        case containsNul
        case misplacedWildcard(level: Int)
        case multiLevelWildcardNotLast
        case tooLong(bytes: Int)

        public var description: String {
            switch self {
            case .empty: "topic is empty"
            case .containsNul: "topic contains a NUL character"
            case .misplacedWildcard(let level): "wildcard must occupy a whole level (level \(level + 1))"
            case .multiLevelWildcardNotLast: "'#' must be the last level"
            case .tooLong(let bytes): "topic is \(bytes) bytes; MQTT allows at most 65535"
            }
        }
    }

    /// The filter as given.
    public let description: String
    /// The parsed levels.
    public let levels: [Level]

    /// Parses and validates a filter.
    public init(_ filter: String) throws(ValidationError) {
        try Self.checkCommon(filter)
        let parts = filter.split(separator: "/", omittingEmptySubsequences: false)
        var levels: [Level] = []
        levels.reserveCapacity(parts.count)
        for (index, part) in parts.enumerated() {
            switch part {
            case "+": levels.append(.singleLevelWildcard)
            case "#":
                guard index == parts.count - 1 else { throw .multiLevelWildcardNotLast }
                levels.append(.multiLevelWildcard)
            default:
                if part.contains("+") || part.contains("#") { throw .misplacedWildcard(level: index) }
                levels.append(.literal(String(part)))
            }
        }
        self.description = filter
        self.levels = levels
    }

    /// Whether the filter has any wildcard level.
    public var hasWildcards: Bool {
        levels.contains { if case .literal = $0 { false } else { true } }
    }

    /// Matches a topic name; on success returns the topic levels the wildcards matched, in order.
    ///
    /// A `+` contributes one level; a `#` contributes the remaining levels joined by `/` (possibly empty).
    /// These are the `{1}`, `{2}`, … of a stream-id template.
    public func match(_ topic: String) -> [String]? {
        let topicLevels = topic.split(separator: "/", omittingEmptySubsequences: false)
        if topic.hasPrefix("$"), let first = levels.first, first != .literal(String(topicLevels[0])) {
            return nil
        }
        var captures: [String] = []
        var index = 0
        for level in levels {
            switch level {
            case .multiLevelWildcard:
                captures.append(topicLevels[min(index, topicLevels.count)...].joined(separator: "/"))
                return captures
            case .singleLevelWildcard:
                guard index < topicLevels.count else { return nil }
                captures.append(String(topicLevels[index]))
            case .literal(let literal):
                guard index < topicLevels.count, topicLevels[index] == literal else { return nil }
            }
            index += 1
        }
        return index == topicLevels.count ? captures : nil
    }

    /// Whether `topic` matches this filter.
    public func matches(_ topic: String) -> Bool { match(topic) != nil }

    /// Validates a topic name for publishing: non-empty, no wildcards, no NUL, at most 65535 bytes.
    public static func validateTopicName(_ topic: String) throws(ValidationError) {
        try checkCommon(topic)
        for (index, part) in topic.split(separator: "/", omittingEmptySubsequences: false).enumerated()
        where part.contains("+") || part.contains("#") {
            throw .misplacedWildcard(level: index)
        }
    }

    private static func checkCommon(_ text: String) throws(ValidationError) {
        if text.isEmpty { throw .empty }
        if text.utf8.contains(0) { throw .containsNul }
        if text.utf8.count > 65535 { throw .tooLong(bytes: text.utf8.count) }
    }
}
