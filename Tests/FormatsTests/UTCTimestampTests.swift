import Formats
import Foundation
import Testing

@Suite struct UTCTimestampTests {
    @Test func formatsAgreeWithFoundationAcrossCenturies() {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        var seconds = -6_000_000_000.0  // 1779
        while seconds < 9_000_000_000 {
            #expect(UTCTimestamp.format(seconds) == formatter.string(from: Date(timeIntervalSince1970: seconds)))
            #expect(UTCTimestamp.parse(UTCTimestamp.format(seconds)) == seconds)
            seconds += 3_226_327  // 37 days and change: walks through every month and leap year
        }
    }

    @Test func parsesOffsetsFractionsAndRejectsGarbage() {
        #expect(UTCTimestamp.parse("2026-05-01T12:00:00Z") == 1_777_636_800)
        #expect(UTCTimestamp.parse("2026-05-01T14:00:00+02:00") == 1_777_636_800)
        #expect(UTCTimestamp.parse("2026-05-01 12:00:00.250") == 1_777_636_800.25)
        #expect(UTCTimestamp.format(1_777_636_800.25) == "2026-05-01T12:00:00.25Z")
        #expect(UTCTimestamp.parse("2026-05-01") == 1_777_593_600)
        #expect(UTCTimestamp.parse("2024-02-29T00:00:00Z") != nil)
        for bad in [
            "", "2026-13-01T00:00:00Z", "2026-05-01T25:00:00Z", "2026-05-01T12:00:00Zjunk", "yesterday",
            "2025-02-29T00:00:00Z", "1900-02-29", "2026-04-31", "2026-05-01T12:00:00.Z",
            "2026-05-01T12:00:00.1234567891Z",
        ] {
            #expect(UTCTimestamp.parse(bad) == nil, "accepted \(bad)")
        }
    }

    @Test func formatsMicrosecondsWithTrailingZerosTrimmed() {
        let noon: Int64 = 1_777_636_800_000_000
        #expect(UTCTimestamp.format(microseconds: noon) == "2026-05-01T12:00:00Z")
        #expect(UTCTimestamp.format(microseconds: noon + 500_000) == "2026-05-01T12:00:00.5Z")
        #expect(UTCTimestamp.format(microseconds: noon + 984_375) == "2026-05-01T12:00:00.984375Z")
        #expect(UTCTimestamp.format(microseconds: noon + 1) == "2026-05-01T12:00:00.000001Z")
        #expect(UTCTimestamp.format(microseconds: noon + 120_000) == "2026-05-01T12:00:00.12Z")
        #expect(UTCTimestamp.format(microseconds: -1) == "1969-12-31T23:59:59.999999Z")
        #expect(UTCTimestamp.format(microseconds: -1_500_000) == "1969-12-31T23:59:58.5Z")
        #expect(UTCTimestamp.format(1_777_636_800.984375) == "2026-05-01T12:00:00.984375Z")
        #expect(UTCTimestamp.format(.nan) == "nan")
    }

    @Test func microsecondsRoundTripThroughTextAndSeconds() {
        // A 64 Hz stream's times (15.625 ms apart), every microsecond of one second, and spots up to 2106.
        var samples: [Int64] = (0..<128).map { 1_777_636_845_000_000 + Int64($0) * 15_625 }
        samples += (0..<1_000_000).lazy.filter { $0 % 997 == 0 }.map { 1_777_636_845_000_000 + Int64($0) }
        samples += [0, 1, -1, 4_294_967_295_999_999, -6_000_000_000_000_001]
        for microseconds in samples {
            let text = UTCTimestamp.format(microseconds: microseconds)
            #expect(UTCTimestamp.parseMicroseconds(text) == microseconds, "\(text)")
            let seconds = UTCTimestamp.seconds(microseconds: microseconds)
            #expect(UTCTimestamp.microseconds(seconds) == microseconds, "\(microseconds)")
            #expect(UTCTimestamp.format(seconds) == text)
            #expect(UTCTimestamp.parse(text) == seconds)
        }
    }

    @Test func parsingRoundsNineDigitFractionsToTheMicrosecond() {
        let noon: Int64 = 1_777_636_800_000_000
        #expect(UTCTimestamp.parseMicroseconds("2026-05-01T12:00:00.984375Z") == noon + 984_375)
        #expect(UTCTimestamp.parseMicroseconds("2026-05-01T12:00:00.0000005Z") == noon + 1)
        #expect(UTCTimestamp.parseMicroseconds("2026-05-01T12:00:00.000000499Z") == noon)
        #expect(UTCTimestamp.parseMicroseconds("2026-05-01T12:00:00.999999999Z") == noon + 1_000_000)
        #expect(UTCTimestamp.parseMicroseconds("2026-05-01T14:00:00.5+02:00", requiringOffset: true) == noon + 500_000)
        #expect(UTCTimestamp.parseMicroseconds("2026-05-01T12:00:00,25") == noon + 250_000)
        #expect(UTCTimestamp.parseMicroseconds("2026-05-01T12:00:00,25Z", requiringOffset: true) == nil)
    }

    @Test func secondsToMicrosecondsRoundsAndRefusesWhatDoesNotFit() {
        #expect(UTCTimestamp.microseconds(1.0000004) == 1_000_000)
        #expect(UTCTimestamp.microseconds(1.0000006) == 1_000_001)
        #expect(UTCTimestamp.microseconds(-0.0000004) == 0)
        #expect(UTCTimestamp.microseconds(-1.9999996) == -2_000_000)
        #expect(UTCTimestamp.microseconds(0.9999999) == 1_000_000)
        #expect(UTCTimestamp.microseconds(9e12) == 9_000_000_000_000_000_000)
        for refused in [Double.nan, .infinity, -.infinity, 9.3e12, -9.3e12, 1e300] {
            #expect(UTCTimestamp.microseconds(refused) == nil, "\(refused)")
        }
    }
}
