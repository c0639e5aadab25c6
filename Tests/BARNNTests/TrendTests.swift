import Foundation
import Testing

@testable import BARNN

/// A forecast must be able to leave the range seen in training (BARNN.md, real-data lessons).
@Suite struct TrendTests {
    /// Trained on the first 240 steps of trending series, forecast from step 400, where every level is
    /// far beyond its training range. Bound: the median's mean absolute deviation from the least-squares
    /// line through the last 48 context values, extrapolated, stays below 1.0 (the seasonal amplitude is
    /// 0.5, so a perfect forecast already deviates by ~0.32 on average; a forecast stuck in the training
    /// range would be off by more than 5), and the last median lies more than 2 beyond the training range.
    @Test func medianFollowsTheTrendBeyondTheTrainingRange() throws {
        let slopes = [0.05, -0.04, 0.08, 0.03]
        let all = SyntheticSeries.trends(slopes: slopes, length: 460, seed: 300)
        let trainLength = 240, origin = 400, horizon = 24
        let c = BARNNConfiguration(hiddenSize: 16, embeddingSize: 8, alphaWidth: 16, beta: 1e-3)
        var options = TrainingOptions()
        options.window = 48
        options.batchSize = 32
        options.steps = 200
        options.learningRate = 1e-2
        options.warmupSteps = 20
        options.burnIn = 12
        options.validationFraction = 0.2
        options.evaluateEvery = 25
        options.seed = 9
        options.blasThreads = 1
        let (model, _) = try BARNNTrainer.train(
            series: SyntheticSeries.trainingSeries(all.map { Array($0[..<trainLength]) }), configuration: c,
            options: options)
        let ws = BARNNWorkspace(configuration: c)
        let tf = SyntheticSeries.timeFeatures(length: origin + horizon)
        var states: [RecurrentState] = []
        for values in all {
            let context = Array(values[..<origin])
            states.append(
                model.warmUp(
                    values: context, timeFeatures: Array(tf[..<(origin * c.timeFeatures)]),
                    scale: model.scale(fitting: Array(values[..<trainLength])), workspace: ws))
        }
        let batch = RecurrentBatch(states, hiddenSize: c.hiddenSize)
        let future = (0..<slopes.count).flatMap { _ in tf[(origin * c.timeFeatures)...] }
        var rng = SeededRNG(seed: 4)
        let forecast = model.sample(
            batch, paths: 64, horizon: horizon, timeFeatures: Array(future), levels: [0.5], rng: &rng, workspace: ws)
        for (s, values) in all.enumerated() {
            let line = leastSquaresLine(Array(values[(origin - 48)..<origin]).map(Double.init))
            var deviation = 0.0
            for h in 0..<horizon {
                let extrapolated = line.intercept + line.slope * Double(48 + h)
                deviation += abs(forecast.quantile(stream: s, step: h, level: 0) - extrapolated)
            }
            deviation /= Double(horizon)
            let trainMax = Double(values[..<trainLength].max()!), trainMin = Double(values[..<trainLength].min()!)
            let last = forecast.quantile(stream: s, step: horizon - 1, level: 0)
            #expect(deviation < 1.0, "series \(s) (slope \(slopes[s])): mean |median − line| = \(deviation)")
            #expect(last > trainMax + 2 || last < trainMin - 2, "series \(s) stays in the training range: \(last)")
        }
    }

    private func leastSquaresLine(_ y: [Double]) -> (intercept: Double, slope: Double) {
        let n = Double(y.count)
        let xs = y.indices.map(Double.init)
        let mx = xs.reduce(0, +) / n, my = y.reduce(0, +) / n
        let sxy = zip(xs, y).map { ($0 - mx) * ($1 - my) }.reduce(0, +)
        let sxx = xs.map { ($0 - mx) * ($0 - mx) }.reduce(0, +)
        let slope = sxy / sxx
        return (my - slope * mx, slope)
    }
}
