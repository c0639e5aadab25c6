/// An MQTT topic filter (`sensors/+/temp`, `lab/#`), validated once and matched against topic names.
///
/// Rules follow MQTT 3.1.1 §4.7 / MQTT 5 §4.7: levels split on `/`; `+` matches exactly one level and must
/// occupy a whole level; `#` matches the rest (including the parent level) and must be the last level;
/// topics starting with `$` are not matched by a filter starting with a wildcard.
///
/// Everything works on the UTF-8 bytes, as MQTT defines topic matching (§4.7.3: no normalisation). Swift's `String`
/// comparison is by canonical equivalence and its `Character`s are grapheme clusters, so `"caf\u{e9}"` would equal
/// `"cafe\u{301}"` and a combining mark after `/` would join the separator; neither may happen to a topic. Equality
/// and hashing of filters and levels are bytewise for the same reason.
public struct TopicFilter: Sendable, Hashable, CustomStringConvertible {
    /// One level of a filter; literals compare by their UTF-8 bytes.
    public enum Level: Sendable, Hashable {
        case literal(String)
        case singleLevelWildcard
        case multiLevelWildcard

        public static func == (lhs: Level, rhs: Level) -> Bool {
            switch (lhs, rhs) {
            case (.literal(let a), .literal(let b)): a.utf8.elementsEqual(b.utf8)
            case (.singleLevelWildcard, .singleLevelWildcard), (.multiLevelWildcard, .multiLevelWildcard): true
            default: false
            }
        }

        public func hash(into hasher: inout Hasher) {
            switch self {
            case .literal(let text):
                hasher.combine(0)
                TopicFilter.hashBytes(of: text, into: &hasher)
            case .singleLevelWildcard: hasher.combine(1)
            case .multiLevelWildcard: hasher.combine(2)
            }
        }
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

    private static let separator = UInt8(ascii: "/")
    private static let plus = UInt8(ascii: "+")
    private static let hash = UInt8(ascii: "#")
    private static let dollar = UInt8(ascii: "$")

    /// Parses and validates a filter.
    public init(_ filter: String) throws(ValidationError) {
        try Self.checkCommon(filter)
        let bytes = Array(filter.utf8)
        let parts = Self.levelRanges(of: bytes[...])
        var levels: [Level] = []
        levels.reserveCapacity(parts.count)
        for (index, range) in parts.enumerated() {
            let part = bytes[range]
            if part.elementsEqual(CollectionOfOne(Self.plus)) {
                levels.append(.singleLevelWildcard)
            } else if part.elementsEqual(CollectionOfOne(Self.hash)) {
                guard index == parts.count - 1 else { throw .multiLevelWildcardNotLast }
                levels.append(.multiLevelWildcard)
            } else {
                if part.contains(Self.plus) || part.contains(Self.hash) { throw .misplacedWildcard(level: index) }
                levels.append(.literal(String(decoding: part, as: UTF8.self)))
            }
        }
        self.description = filter
        self.levels = levels
    }

    public static func == (lhs: TopicFilter, rhs: TopicFilter) -> Bool {
        lhs.description.utf8.elementsEqual(rhs.description.utf8)
    }

    public func hash(into hasher: inout Hasher) {
        Self.hashBytes(of: description, into: &hasher)
    }

    /// Whether the filter has any wildcard level.
    public var hasWildcards: Bool {
        levels.contains { if case .literal = $0 { false } else { true } }
    }

    /// Matches a topic name; on success returns the topic levels the wildcards matched, in order.
    ///
    /// A `+` contributes one level; a `#` contributes the remaining levels joined by `/` (possibly empty).
    /// These are the `{1}`, `{2}`, … of a stream-id template. Levels are compared byte for byte.
    public func match(_ topic: String) -> [String]? {
        var topic = topic
        return topic.withUTF8 { bytes in match(bytes) }
    }

    private func match(_ topic: UnsafeBufferPointer<UInt8>) -> [String]? {
        // MQTT §4.7.2: the first byte decides, whatever combining marks follow it.
        if topic.first == Self.dollar, let first = levels.first,
            first == .singleLevelWildcard
                || first == .multiLevelWildcard
        {
            return nil
        }
        let topicLevels = Self.levelRanges(of: topic[...])
        var captures: [String] = []
        var index = 0
        for level in levels {
            switch level {
            case .multiLevelWildcard:
                // Valid UTF-8 split at an ASCII byte stays valid, so decoding keeps the exact bytes.
                let rest =
                    index < topicLevels.count ? topic[topicLevels[index].lowerBound...] : topic[topic.endIndex...]
                captures.append(String(decoding: rest, as: UTF8.self))
                return captures
            case .singleLevelWildcard:
                guard index < topicLevels.count else { return nil }
                captures.append(String(decoding: topic[topicLevels[index]], as: UTF8.self))
            case .literal(let literal):
                guard index < topicLevels.count, literal.utf8.elementsEqual(topic[topicLevels[index]]) else {
                    return nil
                }
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
        let bytes = Array(topic.utf8)
        for (index, range) in levelRanges(of: bytes[...]).enumerated()
        where bytes[range].contains(plus) || bytes[range].contains(hash) {
            throw .misplacedWildcard(level: index)
        }
    }

    /// The byte ranges of the levels, split on every `/` byte; empty levels included.
    private static func levelRanges<Bytes: Collection<UInt8>>(of bytes: Bytes) -> [Range<Bytes.Index>] {
        var ranges: [Range<Bytes.Index>] = []
        var start = bytes.startIndex
        var index = bytes.startIndex
        while index != bytes.endIndex {
            if bytes[index] == separator {
                ranges.append(start..<index)
                start = bytes.index(after: index)
            }
            index = bytes.index(after: index)
        }
        ranges.append(start..<bytes.endIndex)
        return ranges
    }

    /// Hashes a string's UTF-8 bytes, so that hashing agrees with bytewise equality.
    static func hashBytes(of text: String, into hasher: inout Hasher) {
        var text = text
        text.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
        hasher.combine(text.utf8.count)
    }

    private static func checkCommon(_ text: String) throws(ValidationError) {
        if text.isEmpty { throw .empty }
        if text.utf8.contains(0) { throw .containsNul }
        if text.utf8.count > 65535 { throw .tooLong(bytes: text.utf8.count) }
    }
}
