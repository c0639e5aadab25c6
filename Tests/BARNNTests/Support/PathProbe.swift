@testable import BARNN

/// A trained model's Monte Carlo paths for the posterior tests: 12 streams warmed on the first 200 steps of four
/// series (4 time features), forecast 6 steps with 64 paths at levels 0.05, 0.5, 0.95 from seed 21.
struct PathProbe {
    let model: BARNNModel
    let workspace: BARNNWorkspace
    let batch: RecurrentBatch
    let future: [Float]

    init(model: BARNNModel, series: [[Float]]) {
        self.model = model
        let workspace = BARNNWorkspace(configuration: model.configuration)
        self.workspace = workspace
        let tf = SyntheticSeries.timeFeatures(length: 260)
        let states = (0..<12).map { i in
            model.warmUp(
                values: Array(series[i % 4][..<200]), timeFeatures: Array(tf[..<(200 * 4)]),
                scale: model.scale(fitting: Array(series[i % 4][..<200])), workspace: workspace)
        }
        batch = RecurrentBatch(states, hiddenSize: model.configuration.hiddenSize)
        future = Array((0..<12).map { _ in tf[(200 * 4)..<(206 * 4)] }.joined())
    }

    /// The forecast with `options` on `threads` threads, always from the same seed.
    func draw(_ options: SamplingOptions, threads: Int = 1) -> BARNNForecast {
        var rng = SeededRNG(seed: 21)
        return model.sample(
            batch, paths: 64, horizon: 6, timeFeatures: future, levels: [0.05, 0.5, 0.95], options: options,
            threads: threads, rng: &rng, workspace: workspace)
    }

    /// The 5 %–95 % width of the first stream's first step under `options`.
    func width(_ options: SamplingOptions) -> Float {
        let forecast = draw(options)
        return Float(forecast.quantiles[2] - forecast.quantiles[0])
    }
}
