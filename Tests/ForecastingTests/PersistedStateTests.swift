import Formats
import Foundation
import Testing

@testable import Forecasting

/// A saved state that decodes but breaks an invariant must be refused with a `DecodingError`, never trap later.
@Suite struct PersistedStateTests {
    /// Encodes `value`, applies `edit` to the JSON object tree and decodes it back as `T`.
    static func decodeEdited<T: Codable>(_ value: T, _ edit: (inout [String: Any]) -> Void) throws -> T {
        var object = try #require(
            try JSONSerialization.jsonObject(with: try JSONEncoder().encode(value)) as? [String: Any])
        edit(&object)
        return try JSONDecoder().decode(T.self, from: try JSONSerialization.data(withJSONObject: object))
    }

    @Test func calibratorStateMustMatchItsConfiguration() throws {
        var calibrator = ConformalCalibrator(levels: .protocolLevels, horizon: 2)
        let q = QuantileLevels.protocolLevels.values.map(Gaussian.quantile)
        for i in 0..<10 { try calibrator.update(step: 1, quantiles: q, outcome: Double(i) / 5) }
        #expect(try Self.decodeEdited(calibrator) { _ in } == calibrator)
        #expect(throws: DecodingError.self) {
            // Tracking keeps no windows, so its steps are saved as packed parameter shifts and typical widths.
            try Self.decodeEdited(calibrator) { object in object["shifts"] = ScalarPacking.pack([Float(0)]) }
        }
        #expect(throws: DecodingError.self) {
            try Self.decodeEdited(calibrator) { object in
                object["shifts"] = ""
                object["typicalWidths"] = ""
            }
        }
        #expect(throws: DecodingError.self) {
            try Self.decodeEdited(calibrator) { object in
                object["shifts"] = ScalarPacking.pack([Float.nan] + Array(repeating: 0, count: 25))
            }
        }
        // The `Double` parameters saved before stop 33, whole or of the wrong count.
        #expect(
            try Self.decodeEdited(calibrator) { object in
                object["shifts"] = nil
                object["parameters"] = ScalarPacking.pack(calibrator.parameters)
            } == calibrator)
        #expect(throws: DecodingError.self) {
            try Self.decodeEdited(calibrator) { object in
                object["shifts"] = nil
                object["parameters"] = ScalarPacking.pack([0.0])
            }
        }
        #expect(throws: DecodingError.self) {
            try Self.decodeEdited(calibrator) { object in
                var configuration = object["configuration"] as! [String: Any]
                configuration["window"] = 0
                object["configuration"] = configuration
            }
        }
    }

    @Test func calibratorRecountsCoverageFromPositions() throws {
        var calibrator = ConformalCalibrator(levels: .protocolLevels, horizon: 1)
        let q = QuantileLevels.protocolLevels.values.map(Gaussian.quantile)
        for i in 0..<40 { try calibrator.update(step: 1, quantiles: q, outcome: Double(i % 7) - 3) }
        let restored = try Self.decodeEdited(calibrator) { object in
            object["inside"] = Array(repeating: 999, count: 6)  // stored counts are not trusted
        }
        #expect(restored.coverage == calibrator.coverage)
    }

    @Test func driftMonitorAndForecasterStatesMustBeConsistent() throws {
        var monitor = DriftMonitor(levels: .protocolLevels, configuration: .init(windowLength: 10))
        let q = QuantileLevels.protocolLevels.values.map(Gaussian.quantile)
        for t in 0..<5 { _ = try monitor.update(time: Double(t), quantiles: q, outcome: 0.1) }
        #expect(try Self.decodeEdited(monitor) { _ in } == monitor)
        #expect(throws: DecodingError.self) {
            try Self.decodeEdited(monitor) { object in
                var window = object["window"] as! [String: Any]
                window["pit"] = [1, 2]
                object["window"] = window
            }
        }

        var forecaster = SeasonalNaiveForecaster(period: 4, maximumHorizon: 6)
        for t in 0..<30 { forecaster.learn(Observation(t: Double(t), value: Double(t))) }
        #expect(try Self.decodeEdited(forecaster) { _ in } == forecaster)
        #expect(throws: DecodingError.self) {
            try Self.decodeEdited(forecaster) { object in object["period"] = 5 }
        }

        var scores = HorizonScores(levels: .protocolLevels, horizon: 2)
        scores.score(step: 1, quantiles: q, outcome: 0)
        #expect(try Self.decodeEdited(scores) { _ in } == scores)
        #expect(throws: DecodingError.self) {
            try Self.decodeEdited(scores) { object in object["coverages"] = [0.5] }
        }

        #expect(throws: DecodingError.self) {
            try Self.decodeEdited(Resampler(cadence: .every(seconds: 60, aggregate: .mean))) { object in
                object["maximumGapSteps"] = -1
            }
        }
    }

    /// A damaged capacity is only a number until its owner checks it: decoding reserves nothing for it.
    @Test func ringBufferDecodingAllocatesOnlyItsElements() throws {
        let huge = try JSONDecoder().decode(
            RingBuffer<Double>.self, from: Data(#"{"capacity":1000000000000000,"elements":[1,2]}"#.utf8))
        #expect(huge.capacity == 1_000_000_000_000_000)
        #expect(Array(huge) == [1, 2])
        var small = try JSONDecoder().decode(
            RingBuffer<Double>.self, from: Data(#"{"capacity":3,"elements":[1,2]}"#.utf8))
        small.append(3)
        #expect(small.append(4) == 1)
        #expect(Array(small) == [2, 3, 4])
    }

    @Test func resamplerTimesAndBucketsMustBeReachable() throws {
        var resampler = Resampler(cadence: .every(seconds: 60, aggregate: .mean), maximumGapSteps: 16)
        _ = try resampler.ingest(Reading(time: 1_767_225_605, value: 1))
        _ = try resampler.ingest(Reading(time: 1_767_225_665, value: 2))
        #expect(try Self.decodeEdited(resampler) { _ in } == resampler)
        let edits: [(String, (inout [String: Any]) -> Void)] = [
            ("lastEmitted Int64.max", { $0["lastEmitted"] = Int64.max }),
            ("lastEmitted beyond the time limit", { $0["lastEmitted"] = Int64(2e12 / 60) }),
            ("open bucket not after lastEmitted", { $0["lastEmitted"] = Int64(1_767_225_665 / 60) }),
            ("skipped steps negative", { $0["skippedGapSteps"] = -1 }),
            (
                "open bucket reading beyond the limit",
                {
                    var open = $0["open"] as! [String: Any]
                    open["lastTime"] = 1e300
                    $0["open"] = open
                }
            ),
            ("event cadence with a bucket", { $0["cadence"] = ["event": [String: Any]()] }),
        ]
        for (name, edit) in edits {
            #expect(throws: DecodingError.self, "\(name)") { try Self.decodeEdited(resampler, edit) }
        }
        var events = Resampler(cadence: .event)
        _ = try events.ingest(Reading(time: 10, value: 1))
        #expect(throws: DecodingError.self) { try Self.decodeEdited(events) { $0["lastTime"] = 1e300 } }
    }

    @Test func seasonalNaiveSettingsNearIntMaxAreRefusedWithoutOverflow() throws {
        let forecaster = SeasonalNaiveForecaster(period: 2, maximumHorizon: 3, residualWindow: 30)
        for horizon in [Int.max, Int.max - 1] {
            #expect(throws: DecodingError.self) {
                try Self.decodeEdited(forecaster) { $0["maximumHorizon"] = horizon }
            }
        }
        #expect(throws: DecodingError.self) {
            try Self.decodeEdited(forecaster) { object in
                object["period"] = Int.max / 2 + 1
                object["maximumHorizon"] = Int.max
            }
        }
    }

    /// A degenerate model (all quantiles equal) and a far outcome keep the calibrated quantiles finite.
    @Test func degenerateForecastsStayFinite() throws {
        for method in [ConformalCalibrator.Method.rollingWindow, .adaptive(gamma: 0.01), .quantileTracking(rate: 0.05)]
        {
            var calibrator = ConformalCalibrator(
                levels: .protocolLevels, horizon: 1, configuration: .init(method: method, window: 20, minimumCount: 2))
            let flat = Array(repeating: 5.0, count: 13)
            for i in 0..<30 { try calibrator.update(step: 1, quantiles: flat, outcome: i % 2 == 0 ? 1e300 : -1e300) }
            let calibrated = calibrator.calibrated(step: 1, quantiles: flat)
            #expect(calibrated.allSatisfy { $0.isFinite }, "\(method): \(calibrated)")
        }
    }
}
