import Configuration
import Testing

@Suite struct DurationParsingTests {
    @Test(arguments: [
        ("500ms", Duration.milliseconds(500)), ("90s", .seconds(90)), ("5m", .seconds(300)), ("6h", .seconds(21600)),
        ("2d", .seconds(172_800)), ("1.5h", .seconds(5400)), (" 0s ", .zero), ("0.25s", .milliseconds(250)),
    ])
    func parsesEveryUnit(text: String, expected: Duration) throws {
        #expect(try Duration(configurationString: text) == expected)
    }

    @Test(arguments: [
        ("", Duration.ParseError.empty), ("90", .missingUnit("90")), ("5x", .unknownUnit("5x")),
        ("1h30m", .unknownUnit("1h30m")), ("s", .invalidNumber("s")), ("-5s", .negative("-5s")),
        ("1e3s", .unknownUnit("1e3s")), ("99999d", .tooLarge("99999d")), ("5 min", .unknownUnit("5 min")),
    ])
    func refusesMalformedText(text: String, expected: Duration.ParseError) {
        #expect(throws: expected) { try Duration(configurationString: text) }
    }

    @Test func configurationStringRoundTrips() throws {
        for text in ["500ms", "90s", "5m", "6h", "2d", "0s"] {
            let duration = try Duration(configurationString: text)
            #expect(duration.configurationString == text)
            #expect(try Duration(configurationString: duration.configurationString) == duration)
        }
        #expect(Duration.seconds(90).totalSeconds == 90)
    }
}
