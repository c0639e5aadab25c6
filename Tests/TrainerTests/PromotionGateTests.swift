import BARNN
import EngineTestKit
import Forecasting
import Foundation
import Testing

@testable import Trainer

/// The promotion gate: the verdict's arithmetic, common random numbers and horizon-long windows (a worse
/// candidate refused inside the engine: `PromotionRefusalTests`).
@Suite struct PromotionGateTests {
    static func gate(tolerance: Double, horizon: Int = 1) throws -> PromotionGate {
        PromotionGate(
            levels: try QuantileLevels([0.05, 0.25, 0.5, 0.75, 0.95]), paths: 32, horizon: horizon,
            tolerance: tolerance, seed: 7, validationFraction: 0.25)
    }

    static func scores(crps: Double, coverage90: Double, coverage50: Double) -> PromotionGate.Scores {
        PromotionGate.Scores(count: 100, crps: crps, coverage: [(0.5, coverage50), (0.9, coverage90)])
    }

    @Test func theVerdictAllowsExactlyTheTolerance() throws {
        let gate = try Self.gate(tolerance: 0.1)
        let active = Self.scores(crps: 1.0, coverage90: 0.9, coverage50: 0.4)  // coverage error 0.05
        #expect(abs(active.coverageError - 0.05) < 1e-12)
        #expect(gate.passes(Self.scores(crps: 1.1, coverage90: 0.9, coverage50: 0.4), against: active))
        #expect(!gate.passes(Self.scores(crps: 1.11, coverage90: 0.9, coverage50: 0.4), against: active))
        // Coverage error 0.14 < 0.05 + 0.1 passes; 0.2 does not.
        #expect(gate.passes(Self.scores(crps: 0.5, coverage90: 0.82, coverage50: 0.3), against: active))
        #expect(!gate.passes(Self.scores(crps: 0.5, coverage90: 0.7, coverage50: 0.3), against: active))
        let strict = try Self.gate(tolerance: 0)
        #expect(strict.passes(active, against: active))
        #expect(!strict.passes(PromotionGate.Scores(count: 0, crps: .nan, coverage: []), against: active))
    }

    @Test func aModelComparedWithItselfScoresIdenticallyAndPasses() throws {
        let model = BARNNModel(configuration: BARNNConfiguration(hiddenSize: 8), seed: 5)
        let series = Self.series(steps: 200)
        let comparison = try Self.gate(tolerance: 0).compare(
            candidate: model, active: (model, 1), series: [series])
        #expect(comparison.active == comparison.candidate)
        #expect(comparison.candidate.count == 50)
        #expect(comparison.promote)
    }

    @Test func windowsCoverTheWholeHorizonFromOverlappingOrigins() throws {
        let model = BARNNModel(configuration: BARNNConfiguration(hiddenSize: 8), seed: 5)
        let series = Self.series(steps: 200)
        // 50 validation steps; H 8 puts an origin every 2 steps: 25 windows of 8 steps, cut at the series' end.
        let gate = try Self.gate(tolerance: 0, horizon: 8)
        #expect(gate.originStride == 2)
        let scores = gate.score(model, series: [series])
        let expected = stride(from: 150, to: 200, by: 2).reduce(0) { $0 + min(8, 200 - $1) }
        #expect(scores.count == expected)
        // Longer horizons are harder: the pooled CRPS exceeds the one-step CRPS of the same model.
        let oneStep = try Self.gate(tolerance: 0).score(model, series: [series])
        #expect(oneStep.count == 50)
        #expect(scores.crps > oneStep.crps)
    }

    static func series(steps: Int) -> PromotionGate.Series {
        let value = SyntheticSeries.regime(change: .max)
        let times = (0..<steps).map { EngineFixture.start + 60 * Double($0) }
        return PromotionGate.Series(
            values: (0..<steps).map { Float(value($0)) }, times: times)
    }
}
