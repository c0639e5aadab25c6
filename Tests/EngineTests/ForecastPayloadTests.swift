import Engine
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
