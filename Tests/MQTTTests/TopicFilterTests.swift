import MQTT
import Testing

@Suite struct TopicFilterTests {
    @Test func wildcardsMatchByLevel() throws {
        let filter = try TopicFilter("sensors/+/+/value")
        #expect(filter.match("sensors/lab/t1/value") == ["lab", "t1"])
        #expect(filter.match("sensors/lab/t1/other") == nil)
        #expect(filter.match("sensors/lab/value") == nil)
        #expect(filter.match("sensors/lab/t1/value/extra") == nil)
        #expect(filter.match("sensors//t1/value") == ["", "t1"])
        #expect(filter.hasWildcards)
    }

    @Test func multiLevelWildcardCapturesTheRestIncludingItsParent() throws {
        let filter = try TopicFilter("lab/#")
        #expect(filter.match("lab/a/b/c") == ["a/b/c"])
        #expect(filter.match("lab") == [""])
        #expect(filter.match("labs/a") == nil)
        #expect(try TopicFilter("#").match("x/y") == ["x/y"])
    }

    @Test func systemTopicsAreNotMatchedByLeadingWildcards() throws {
        #expect(try TopicFilter("#").match("$SYS/broker/uptime") == nil)
        #expect(try TopicFilter("+/broker/uptime").match("$SYS/broker/uptime") == nil)
        #expect(try TopicFilter("$SYS/#").match("$SYS/broker/uptime") == ["broker/uptime"])
    }

    @Test func literalFilterMatchesOnlyItself() throws {
        let filter = try TopicFilter("a/b")
        #expect(!filter.hasWildcards)
        #expect(filter.match("a/b") == [])
        #expect(!filter.matches("a/b/"))
        #expect(!filter.matches("a"))
    }

    @Test func malformedFiltersAreRejectedWithTheReason() {
        #expect(throws: TopicFilter.ValidationError.empty) { try TopicFilter("") }
        #expect(throws: TopicFilter.ValidationError.multiLevelWildcardNotLast) { try TopicFilter("a/#/b") }
        #expect(throws: TopicFilter.ValidationError.misplacedWildcard(level: 1)) { try TopicFilter("a/b+/c") }
        #expect(throws: TopicFilter.ValidationError.misplacedWildcard(level: 0)) { try TopicFilter("a#") }
        #expect(throws: TopicFilter.ValidationError.containsNul) { try TopicFilter("a/\u{0}") }
        #expect(throws: TopicFilter.ValidationError.tooLong(bytes: 65536)) {
            try TopicFilter(String(repeating: "x", count: 65536))
        }
    }

    @Test func topicNamesForPublishingRefuseWildcardsAndNul() throws {
        try TopicFilter.validateTopicName("forecast/lab/t1")
        #expect(throws: TopicFilter.ValidationError.misplacedWildcard(level: 1)) {
            try TopicFilter.validateTopicName("forecast/+")
        }
        #expect(throws: TopicFilter.ValidationError.misplacedWildcard(level: 2)) {
            try TopicFilter.validateTopicName("forecast/x/#")
        }
        #expect(throws: TopicFilter.ValidationError.containsNul) { try TopicFilter.validateTopicName("a\u{0}b") }
        #expect(throws: TopicFilter.ValidationError.empty) { try TopicFilter.validateTopicName("") }
    }
}

/// Topic filters work on UTF-8 bytes (MQTT §4.7): no grapheme clusters, no canonical equivalence.
@Suite struct TopicFilterByteSemanticsTests {
    /// A fuzz reproducer: byte 0 is the filter's length in bytes, then the filter, then the topic.
    struct Reproducer: Sendable, CustomStringConvertible {
        var name: String
        var bytes: [UInt8]
        /// The wildcard captures expected, or `nil` for no match.
        var captures: [[UInt8]]?
        /// The validation error expected for the filter instead of a match.
        var error: TopicFilter.ValidationError?

        var filter: String { String(decoding: bytes[1...Int(bytes[0])], as: UTF8.self) }
        var topic: String { String(decoding: bytes[(Int(bytes[0]) + 1)...], as: UTF8.self) }
        var description: String { name }
    }

    static let reproducers: [Reproducer] = [
        // `a/+` against `a/x/\u{301}y`: the combining mark joined the second '/' into one Character.
        Reproducer(
            name: "topic-combining-mark-after-slash",
            bytes: [0x03, 0x61, 0x2F, 0x2B, 0x61, 0x2F, 0x78, 0x2F, 0xCC, 0x81, 0x79], captures: nil),
        // `#` against `$\u{301}SYS/x`: the first byte is '$', whatever follows it.
        Reproducer(
            name: "topic-dollar-combining-mark", bytes: [0x01, 0x23, 0x24, 0xCC, 0x81, 0x53, 0x59, 0x53, 0x2F, 0x78],
            captures: nil),
        // `cafe\u{301}/+` against `caf\u{e9}/x`: canonically equivalent, different bytes.
        Reproducer(
            name: "topic-nfc-nfd-equivalence",
            bytes: [0x08, 0x63, 0x61, 0x66, 0x65, 0xCC, 0x81, 0x2F, 0x2B, 0x63, 0x61, 0x66, 0xC3, 0xA9, 0x2F, 0x78],
            captures: nil),
        // `a/+\u{301}`: a '+' sharing its level with other bytes.
        Reproducer(
            name: "topic-plus-with-combining-mark-filter",
            bytes: [0x05, 0x61, 0x2F, 0x2B, 0xCC, 0x81, 0x61, 0x2F, 0x62],
            captures: nil, error: .misplacedWildcard(level: 1)),
    ]

    @Test(arguments: reproducers)
    func fuzzReproducersFollowByteSemantics(_ reproducer: Reproducer) throws {
        if let error = reproducer.error {
            #expect(throws: error) { try TopicFilter(reproducer.filter) }
            return
        }
        let match = try TopicFilter(reproducer.filter).match(reproducer.topic)
        #expect(match.map { $0.map { Array($0.utf8) } } == reproducer.captures)
    }

    @Test func levelsSplitOnlyOnTheSlashByte() throws {
        let filter = try TopicFilter("a/+/+")
        #expect(filter.match("a/x/\u{301}y").map { $0.map { Array($0.utf8) } } == [[0x78], [0xCC, 0x81, 0x79]])
        let rest = try TopicFilter("a/#").match("a/\u{301}b/c")
        #expect(rest.map { $0.map { Array($0.utf8) } } == [Array("\u{301}b/c".utf8)])
        // A capture keeps the topic's exact bytes: NFD stays NFD.
        #expect(
            try TopicFilter("s/+").match("s/cafe\u{301}").map { $0.map { Array($0.utf8) } } == [
                Array("cafe\u{301}".utf8)
            ])
    }

    @Test func literalLevelsCompareBytes() throws {
        let decomposed = try TopicFilter("cafe\u{301}/+")
        #expect(decomposed.match("cafe\u{301}/x") == ["x"])
        #expect(decomposed.match("caf\u{e9}/x") == nil)
        #expect(try TopicFilter("caf\u{e9}/+").match("cafe\u{301}/x") == nil)
    }

    @Test func dollarRuleLooksAtTheFirstByte() throws {
        #expect(try TopicFilter("+/x").match("$\u{301}SYS/x") == nil)
        #expect(try TopicFilter("$\u{301}SYS/#").match("$\u{301}SYS/x") == ["x"])
        // A '$' later in the topic, or after a combining mark, is an ordinary byte.
        #expect(try TopicFilter("#").match("\u{301}$SYS/x") == ["\u{301}$SYS/x"])
    }

    @Test func wildcardBytesInsideALevelAreRejected() {
        #expect(throws: TopicFilter.ValidationError.misplacedWildcard(level: 1)) { try TopicFilter("a/#\u{301}") }
        #expect(throws: TopicFilter.ValidationError.misplacedWildcard(level: 0)) { try TopicFilter("\u{301}+/a") }
        #expect(throws: TopicFilter.ValidationError.misplacedWildcard(level: 1)) {
            try TopicFilter.validateTopicName("forecast/+\u{301}")
        }
    }

    @Test func filtersAreEqualAndHashedByBytes() throws {
        let composed = try TopicFilter("caf\u{e9}/+")
        let decomposed = try TopicFilter("cafe\u{301}/+")
        #expect(composed != decomposed)
        #expect(Set([composed, decomposed]).count == 2)
        #expect(composed == (try TopicFilter("caf\u{e9}/+")))
        #expect(TopicFilter.Level.literal("caf\u{e9}") != .literal("cafe\u{301}"))
    }
}
