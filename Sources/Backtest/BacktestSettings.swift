public import BARNN
public import Configuration
public import Engine

/// What a backtest runs: the dataset name and protocol constants, the model group settings and training options.
public struct BacktestSettings: Sendable {
    /// The 13 quantile levels the protocol requires.
    public static let protocolLevels = [
        0.025, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.975,
    ]

    /// The `dataset` field of every JSONL row.
    public var dataset: String
    /// Horizon H in index steps (overrides the group's `horizon`).
    public var horizon: Int
    /// Seasonal period m of the fallback (overrides the group's `season`).
    public var season: Int
    /// The model group the streams use: shape, paths, seed, `forecast_every`, calibration. `horizon`, `season`,
    /// `quantiles` (the 13 protocol levels), `min_history` (the history length) and `context_length` (at least the
    /// longest stream, so training and re-warms see the whole history) are set by the backtest.
    public var group: DaemonConfiguration.ModelGroup
    /// Options of the first fit (`ForecastEngine.defaultTrainingOptions` unless a test passes smaller ones).
    public var training: TrainingOptions
    /// Keep the database here instead of a temporary file that is removed afterwards.
    public var databasePath: String?
    /// How forecasts are drawn (the ablations of `docs/backtest.md`).
    public var sampling = BacktestSampling.monteCarlo
    /// An encoded checkpoint (`BARNN.Checkpoint.encode`) to serve from the start instead of a first fit on the
    /// history (ablations reuse one fit).
    public var checkpoint: [UInt8]?
    /// Write a row at every origin of the test part, not only at the protocol's (the scorer ignores the extra
    /// ones); for coverage checks on every forecast.
    public var everyOrigin = false
    /// Shut the engine down after this many time steps of the test part and start a new one on the same database
    /// (restart check: the output must not change).
    public var restartAfterSteps: Int?
    /// Scheduled retrains every this many time steps of the test part, on data time; nil picks a quarter of the
    /// shortest stream's test part, 0 serves the first fit (or ``checkpoint``) throughout.
    public var retrainEverySteps: Int?
    /// Whether a drift alarm triggers a retrain (H steps after the alarm, at most one per half retrain interval).
    public var driftRetrain = true
    /// How many retrains happen over the test part; the default gives three scheduled ones.
    public static let defaultRetrainsPerTestPart = 4

    /// Maximum optimiser steps of the first fit (`training.steps`).
    public var trainingSteps: Int {
        get { training.steps }
        set { training.steps = newValue }
    }

    /// Settings for `dataset` with horizon `horizon` and season `season`; the rest defaults.
    public init(
        dataset: String, horizon: Int, season: Int, group: DaemonConfiguration.ModelGroup = .init(),
        training: TrainingOptions = ForecastEngine.defaultTrainingOptions
    ) {
        self.dataset = dataset
        self.horizon = horizon
        self.season = season
        self.group = group
        self.training = training
    }
}

/// How a backtest draws forecasts from the model.
public enum BacktestSampling: String, Sendable, CaseIterable {
    /// BARNN's Monte Carlo paths: per-step weight noise and the aleatoric draw (what the daemon does).
    case monteCarlo = "mc"
    /// The same paths with the weight noise off (aleatoric draw only).
    case aleatoricOnly = "aleatoric"
    /// The single noise-free MAP path with the head's Gaussian quantiles.
    case map
}
