import EngineTestKit
import Forecasting
import Foundation
import Storage
import Testing

@testable import Configuration
@testable import Engine

@Suite struct EngineScoringTests {
    @Test func issuedForecastsAreScoredIntoCalibratorAndDriftWindows() async throws {
        let fixture = try EngineFixture()
        var configuration = EngineFixture.configuration(horizon: 3)
        configuration.models["default"]!.calibration.window = 20
        let engine = try fixture.engine(configuration)
        let outputs = EngineFixture.feed(engine, streams: ["a"], steps: 0..<80)
        let state = try #require(engine.streams["a"])
        // Every observation after the first forecast scores the step-h forecast issued h steps earlier.
        let firstIssue = try #require(outputs.firstIndex { !$0.forecastIssues.isEmpty })
        let scored = 79 - firstIssue  // buckets firstIssue...78 are learned after the first issue
        #expect(state.feedback.calibrator.coverage.count == min(20, scored))
        let drift = outputs.flatMap(\.writes).compactMap { item -> DriftRecord? in
            if case .drift(let record) = item { return record }
            return nil
        }
        // Drift windows of 20 step-1 scores close and become rows with coverage per central interval.
        #expect(drift.count == scored / 20)
        #expect(drift.count * 20 + (state.feedback.drift.openWindow?.count ?? 0) == scored)
        #expect(drift.allSatisfy { $0.stream == "a" && $0.n == 20 && $0.coverage.map(\.level) == [0.5, 0.8, 0.9] })
        #expect(drift.allSatisfy { ($0.crps ?? -1) >= 0 })
        try await fixture.apply(EngineOutput(writes: outputs.flatMap(\.writes)))
        #expect(try fixture.store.drift(stream: "a", fromUs: 0, toUs: .max).count == drift.count)
        #expect(engine.counters.scoringRejects == 0)
    }

    @Test func eventCadenceForecastsStepByTheMedianSpacing() throws {
        let fixture = try EngineFixture()
        let engine = try fixture.engine(EngineFixture.configuration(cadence: .event, horizon: 3))
        var last = EngineOutput()
        for step in 0..<60 {
            let t = EngineFixture.start + 30 * Double(step) + (step % 7 == 0 ? 4 : 0)
            engine.receive(
                topic: "sensors/e", payload: EngineFixture.payload(t: t, v: EngineFixture.value(stream: 0, step: step)),
                arrivalTime: t)
            last = engine.tick(now: t + 1)
        }
        // Every reading is a step, learned at once.
        #expect(engine.counters.observations == 60)
        let document = try #require(try last.forecastDocuments().first)
        #expect(document["step_s"] as? Double == 30)
        let issue = try #require(last.forecastIssues.first)
        let lastT = EngineFixture.start + 30 * 59
        #expect(issue.points.map(\.tUs) == (1...3).map { Int64((lastT + 30 * Double($0)) * 1_000_000) })
    }
}
