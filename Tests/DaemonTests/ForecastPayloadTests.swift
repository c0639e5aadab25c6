import Daemon
import Foundation
import Testing

@Suite struct ForecastPayloadTests {
    let payload = ForecastPayload(
        stream: "lab/t1", issuedAt: 1_777_636_800, stepSeconds: 60,
        model: .init(name: "default", version: 17, kind: .barnn), levels: [0.05, 0.5, 0.95],
        points: [.init(t: 1_777_636_860, mean: 21.4, quantiles: [20.9, 21.4, 21.9])],
        calibration: .init(level: 0.9, empirical: 0.89, window: 1440))

    @Test func matchesTheDocumentedShapeExactly() {
        let text = String(decoding: payload.json(), as: UTF8.self)
        #expect(
            text
                == #"{"stream":"lab/t1","issued_at":"2026-05-01T12:00:00Z","step_s":60,"#
                + #""model":{"name":"default","version":17,"kind":"barnn"},"#
                + #""points":[{"t":"2026-05-01T12:01:00Z","mean":21.4,"q":{"0.05":20.9,"0.5":21.4,"0.95":21.9}}],"#
                + #""calibration":{"level":0.9,"empirical":0.89,"window":1440}}"#)
    }

    @Test func isValidJSONForFoundationAndEscapesStreamIds() throws {
        var tricky = payload
        tricky.stream = "a\"b\\c\nd\u{01}"
        tricky.calibration = .init(level: 0.9, empirical: nil, window: 0)
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(tricky.json())) as? [String: Any])
        #expect(object["stream"] as? String == "a\"b\\c\nd\u{01}")
        let calibration = try #require(object["calibration"] as? [String: Any])
        #expect(calibration["empirical"] is NSNull)
    }

    @Test func crossingQuantilesArePublishedMonotone() throws {
        var crossed = payload
        crossed.points = [.init(t: 1_777_636_860, mean: 21, quantiles: [21.5, 21.0, 22.0])]
        let object = try #require(try JSONSerialization.jsonObject(with: Data(crossed.json())) as? [String: Any])
        let points = try #require(object["points"] as? [[String: Any]])
        let q = try #require(points.first?["q"] as? [String: Double])
        #expect(q["0.05"]! <= q["0.5"]! && q["0.5"]! <= q["0.95"]!)
    }

    @Test func scalarTopicCarriesTheNextMedian() {
        #expect(payload.nextMedianText() == "21.4")
    }
}

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
        #expect(UTCTimestamp.format(1_777_636_800.25) == "2026-05-01T12:00:00.250Z")
        #expect(UTCTimestamp.parse("2026-05-01") == 1_777_593_600)
        #expect(UTCTimestamp.parse("2024-02-29T00:00:00Z") != nil)
        for bad in [
            "", "2026-13-01T00:00:00Z", "2026-05-01T25:00:00Z", "2026-05-01T12:00:00Zjunk", "yesterday",
            "2025-02-29T00:00:00Z", "1900-02-29", "2026-04-31",
        ] {
            #expect(UTCTimestamp.parse(bad) == nil, "accepted \(bad)")
        }
    }
}
