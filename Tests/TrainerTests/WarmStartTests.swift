import BARNN
import EngineTestKit
import Forecasting
import Foundation
import Logging
import Testing

@testable import Trainer

/// `retrain.warm_start`: a retrain starts from the active model's weights when asked and when the shapes match.
@Suite struct WarmStartTests {
    static func job(active: BARNNModel, warmStart: Bool, hiddenSize: Int = 8) throws -> TrainingJob {
        var options = EngineFixture.tinyTraining
        options.steps = 2
        options.learningRate = 1e-9  // two negligible steps: the candidate is where training started
        let steps = (0..<200).map { Observation(t: EngineFixture.start + 60 * Double($0), value: sin(Double($0) / 5)) }
        return TrainingJob(
            group: "default", configuration: BARNNConfiguration(hiddenSize: hiddenSize), options: options,
            streams: [("a", steps, steps.count)], historySeconds: 1e12, keepLast: 5, createdAtUs: 0, trigger: .schedule,
            requestID: nil, active: (active, 1), warmStart: warmStart,
            gate: PromotionGate(
                levels: try QuantileLevels([0.05, 0.5, 0.95]), paths: 8, horizon: 2, tolerance: 1, seed: 1,
                validationFraction: 0.2))
    }

    static func distance(_ a: BARNNModel, _ b: BARNNModel) -> Float {
        zip(a.parameters, b.parameters).map { abs($0 - $1) }.max() ?? .infinity
    }

    @Test func aWarmStartBeginsAtTheActiveWeightsAndAColdOneDoesNot() throws {
        let fixture = try EngineFixture()
        let active = BARNNModel(configuration: BARNNConfiguration(hiddenSize: 8), seed: 99)
        let warm = try ModelTrainer.train(
            try Self.job(active: active, warmStart: true), store: fixture.store, logger: fixture.logger
        )
        .get().model
        let cold = try ModelTrainer.train(
            try Self.job(active: active, warmStart: false), store: fixture.store, logger: fixture.logger
        )
        .get().model
        #expect(Self.distance(warm, active) < 1e-4)
        #expect(Self.distance(cold, active) > 1e-2)
    }

    @Test func aChangedShapeStartsFresh() throws {
        let fixture = try EngineFixture()
        let active = BARNNModel(configuration: BARNNConfiguration(hiddenSize: 8), seed: 99)
        let job = try Self.job(active: active, warmStart: true, hiddenSize: 12)
        let trained = try ModelTrainer.train(job, store: fixture.store, logger: fixture.logger).get().model
        #expect(trained.configuration.hiddenSize == 12)
    }
}
