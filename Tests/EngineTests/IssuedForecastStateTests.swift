import EngineTestKit
import Formats
import Foundation
import Testing

@testable import Engine
@testable import Forecasting

/// A stream keeps, and saves, only the rows of its issued forecasts that scoring still needs.
@Suite struct IssuedForecastStateTests {
    @Test func scoredStepsAreDroppedAsOutcomesArrive() throws {
        let fixture = try EngineFixture()
        let engine = try fixture.engine(EngineFixture.configuration(horizon: 3))
        EngineFixture.feed(engine, streams: ["a"], steps: 0..<40)
        let issued = try #require(engine.streams["a"]?.feedback.issued)
        #expect(issued.count == 3)
        // Oldest first: issued 2, 1 and 0 steps ago, so 1, 2 and 3 unscored steps.
        #expect(issued.map { $0?.model.filter { !$0.isEmpty }.count } == [1, 2, 3])
        #expect(issued.map { $0?.raw.filter { !$0.isEmpty }.count } == [1, 2, 3])
        #expect(issued.map { $0?.published.isEmpty } == [true, true, false])
        let levels = try #require(engine.groups["default"]?.levels.count)
        #expect(issued.last??.model.allSatisfy { $0.count == levels } == true)
    }

    /// A missing observation passes step h of the forecast issued h observations before it, which nothing can score
    /// later: those rows go too, so a stream with gaps holds the same suffix as one without.
    @Test func aMissingObservationDropsTheStepsItPassed() throws {
        let levels = try QuantileLevels([0.1, 0.5, 0.9])
        var feedback = ForecastFeedback(
            calibrator: ConformalCalibrator(levels: levels, horizon: 3),
            drift: DriftMonitor(levels: levels, configuration: .init(windowLength: 50)))
        let model = Array(repeating: [-1.0, 0, 1], count: 3)
        for t in 0..<10 {
            _ = feedback.score(Observation(t: Double(t), value: [6, 9].contains(t) ? nil : 0.2))
            _ = feedback.issue(model)
        }
        #expect(feedback.issued.map { $0?.model.filter { !$0.isEmpty }.count } == [1, 2, 3])
        #expect(feedback.issued.map { $0?.raw.filter { !$0.isEmpty }.count } == [1, 2, 3])
        // The oldest holds step 3 only, and no forecast the last (missing) observation passed keeps its step 1.
        #expect(feedback.issued.first??.modelRow(step: 3) == [-1, 0, 1])
        #expect(feedback.issued.first??.modelRow(step: 2) == nil)
        #expect(feedback.issued.map { $0?.published.isEmpty } == [true, true, false])
    }

    /// A forecast saved with a step kept before a scored one (an observation that was missing, before such steps
    /// were dropped) keeps only its last run of steps: the earlier one had passed.
    @Test func aStepKeptBeforeAScoredOneHasPassed() {
        let forecast = IssuedForecast(model: [[1], [], [3], [4]], raw: [[1], [], [3], [4]], published: [1])
        #expect(forecast.model == [[], [], [3], [4]])
        #expect(forecast.raw == [[], [], [3], [4]])
        #expect(forecast.steps == 4)
    }

    /// Pending forecasts of two level sets (a reload changed the group's levels while some were pending) cannot share
    /// one archive: the calibrator part saves them one by one under `issued`, as before stop 35, and restores them.
    @Test func pendingForecastsOfMixedLevelsAreSavedOneByOne() throws {
        let levels = try QuantileLevels([0.1, 0.5, 0.9])
        let three = IssuedForecast(model: [[], [1, 2, 3]], raw: [[], [1.5, 2, 3.5]], published: [])
        let five = IssuedForecast(
            model: [[0, 1, 2, 3, 4], [1, 2, 3, 4, 5]], raw: [[0, 1, 2, 3, 4.5], [1, 2, 3, 4, 5.5]],
            published: [1, 2, 3, 4, 5.5])
        for (issued, archived) in [([three, nil, five], false), ([three, nil, three], true)] {
            let calibration = StreamState.Parts.Calibration(
                calibrator: ConformalCalibrator(levels: levels, horizon: 2),
                drift: DriftMonitor(levels: levels, configuration: .init(windowLength: 50)), issued: issued)
            let data = try JSONEncoder().encode(calibration)
            let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            #expect((object["pending"] != nil) == archived && (object["issued"] != nil) == !archived)
            let restored = try JSONDecoder().decode(StreamState.Parts.Calibration.self, from: data)
            #expect(restored.issued == issued)
        }
    }

    @Test func savedFormRoundTripsBitExactly() throws {
        // Step 1 scored: the rows of steps 2 and 3 are held, and no published row.
        let forecast = IssuedForecast(
            model: [[], [3, .nan], [-2, .infinity]], raw: [[], [3.5, 4.5], [5.5, 6.5]], published: [])
        let data = try JSONEncoder().encode(forecast)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(object["first"] as? Int == 2)
        // The row-pair codes of steps 2 and 3, not Floats: 2·(3 + 2)·2 bytes, 27 base64 characters and padding.
        #expect((object["byteCodes"] as? String)?.count == 28 && object["codes"] == nil)
        #expect(object["rows"] == nil && object["floor"] == nil)
        let decoded = try JSONDecoder().decode(IssuedForecast.self, from: data)
        #expect(decoded.model.map { $0.map(\.bitPattern) } == forecast.model.map { $0.map(\.bitPattern) })
        #expect(decoded.raw == forecast.raw)
        #expect(decoded.published.isEmpty)
        #expect(object["keptMedian"] == nil && !decoded.keptMedian)
        let kept = IssuedForecast(
            model: [[1, 2, 3]], raw: [[1.5, 2, 3.5]], published: [1.5, 2, 3.5], keptMedian: true)
        #expect(try JSONDecoder().decode(IssuedForecast.self, from: JSONEncoder().encode(kept)).keptMedian)
    }

    /// A state saved while the held rows were `Float`s (`rows`, stops 27–29) restores them as codes: grid values
    /// (here integers and halves) exactly, the others within a 124th of their row pair's spread; saved again, it
    /// holds codes.
    @Test func rowsSavedAsFloatsAreCodedOnRestore() throws {
        let rows: [Float] = [3, 4.5, 3.5, 5, 10.1, 12.7, 10.2, 13.3]
        let legacy =
            #"{"steps":3,"levels":2,"first":2,"rows":"\#(ScalarPacking.pack(rows))","published":"","keptMedian":true}"#
        let decoded = try JSONDecoder().decode(IssuedForecast.self, from: Data(legacy.utf8))
        #expect(decoded.model[1] == [3, 4.5] && decoded.raw[1] == [3.5, 5])
        let expected = rows[4...].map(Double.init)
        let got = decoded.model[2] + decoded.raw[2]
        let anchor = Double(rows[5])
        let spread = expected.map { abs($0 - anchor) }.max()!
        #expect(zip(got, expected).allSatisfy { abs($0 - $1) <= spread / 124 }, "\(got)")
        #expect(decoded.keptMedian && decoded.published.isEmpty)
        let resaved = try JSONEncoder().encode(decoded)
        let object = try #require(try JSONSerialization.jsonObject(with: resaved) as? [String: Any])
        #expect(object["rows"] == nil && object["byteCodes"] is String)
        #expect(try JSONDecoder().decode(IssuedForecast.self, from: resaved) == decoded)
    }

    /// A state saved while the held rows were 16-bit codes (`codes`, stops 30–32) restores them as 8-bit codes: the
    /// floor and values on the new grid exactly, the others within a 124th of the row pair's spread; saved again, it
    /// holds 8-bit codes. A 16-bit row of the wrong length is refused.
    @Test func sixteenBitCodesAreRecodedOnRestore() throws {
        // Anchor 10 (a Float, two words), unit 2⁻¹⁰, model codes −1024 and 0, raw codes floor and 2048 + 1: steps 2
        // of 2 hold model [9, 10] and raw [floor, 12 + 2⁻¹⁰].
        let anchor = Float(10).bitPattern
        let words: [UInt16] = [
            UInt16(truncatingIfNeeded: anchor), UInt16(truncatingIfNeeded: anchor >> 16), UInt16(bitPattern: -10),
            UInt16(bitPattern: -1024), 0, 0x8000, 2049,
        ]
        let legacy = """
            {"steps":2,"levels":2,"first":2,"codes":"\(ScalarPacking.pack(words))","floor":0.5,"published":""}
            """
        let decoded = try JSONDecoder().decode(IssuedForecast.self, from: Data(legacy.utf8))
        #expect(decoded.model == [[], [9, 10]])
        #expect(decoded.raw[1][0] == 0.5 && abs(decoded.raw[1][1] - (12 + 0x1p-10)) <= 2.0 / 124)
        let resaved = try JSONEncoder().encode(decoded)
        let object = try #require(try JSONSerialization.jsonObject(with: resaved) as? [String: Any])
        #expect(object["codes"] == nil && object["byteCodes"] is String)
        #expect(try JSONDecoder().decode(IssuedForecast.self, from: resaved) == decoded)
        let short = legacy.replacingOccurrences(
            of: ScalarPacking.pack(words), with: ScalarPacking.pack(words.dropLast()))
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(IssuedForecast.self, from: Data(short.utf8)) }
    }

    /// A state saved while the unscored steps' rows were written as `Double`s (`kept`) restores the same rows.
    @Test func rowsSavedAsDoublesStillDecode() throws {
        func packed(_ values: [Double]) -> String { ScalarPacking.pack(values) }
        let legacy = """
            {"steps":3,"levels":2,"kept":[2,3],"model":"\(packed([3, 4, 5, 6]))","raw":"\(packed([3.5, 4.5, 5.5, 6.5]))",\
            "published":"","keptMedian":true}
            """
        let decoded = try JSONDecoder().decode(IssuedForecast.self, from: Data(legacy.utf8))
        #expect(decoded.model == [[], [3, 4], [5, 6]])
        #expect(decoded.raw == [[], [3.5, 4.5], [5.5, 6.5]])
        #expect(decoded.published.isEmpty && decoded.keptMedian)
        let resaved = try JSONDecoder().decode(IssuedForecast.self, from: JSONEncoder().encode(decoded))
        #expect(resaved == decoded)
    }

    @Test func statesSavedBeforeTheReductionStillDecode() throws {
        let legacy = #"{"model":[[1,2],[3,4]],"raw":[[1.5,2.5],[3.5,4.5]],"calibrated":[[1,2.5],[3,4.5]]}"#
        let decoded = try JSONDecoder().decode(IssuedForecast.self, from: Data(legacy.utf8))
        #expect(decoded.model == [[1, 2], [3, 4]])
        #expect(decoded.raw == [[1.5, 2.5], [3.5, 4.5]])
        #expect(decoded.published == [1, 2.5])
    }

    @Test(arguments: [
        #"{"steps":2,"levels":2,"kept":[3],"model":"","raw":"","published":""}"#,
        #"{"steps":2,"levels":2,"kept":[2,1],"model":"","raw":"","published":""}"#,
        #"{"steps":2,"levels":2,"kept":[1],"model":"AAAA","raw":"","published":""}"#,
        #"{"steps":0,"levels":2,"kept":[],"model":"","raw":"","published":""}"#,
        // One row of 2 levels is 4 Floats; 3 Floats, or a row past the last step, or a published row of 1 level.
        #"{"steps":2,"levels":2,"first":1,"rows":"AAAAAAAAAAAAAAAA","published":""}"#,
        #"{"steps":2,"levels":2,"first":2,"rows":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=","published":""}"#,
        #"{"steps":2,"levels":2,"first":1,"rows":"","published":"AAAAAA=="}"#,
        #"{"steps":2,"levels":2,"first":4,"rows":"","published":""}"#,
        #"{"steps":2,"levels":0,"first":1,"rows":"AAAAAA==","published":""}"#,
        // One row pair of 2 levels is 5 words in byte codes: 4 words, or 2 row pairs from step 2 of 2.
        #"{"steps":2,"levels":2,"first":1,"byteCodes":"AAAAAAAAAAA=","published":""}"#,
        #"{"steps":2,"levels":2,"first":2,"byteCodes":"AAAAAAAAAAAAAAAAAAAAAAAAAAA=","published":""}"#,
    ])
    func damagedSavedFormsAreDecodingErrors(json: String) {
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(IssuedForecast.self, from: Data(json.utf8))
        }
    }
}
