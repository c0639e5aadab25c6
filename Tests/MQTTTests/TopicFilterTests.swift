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
