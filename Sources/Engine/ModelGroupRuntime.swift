package import BARNN
import Configuration
import Forecasting

/// The engine's view of one model group: settings, the loaded model (if any) and its training status.
final class ModelGroupRuntime {
    /// The group's name.
    let name: String
    /// The group's settings (shape-changing ones are fixed at start; see `ForecastEngine.reload`).
    var settings: DaemonConfiguration.ModelGroup
    /// The validated quantile levels.
    let levels: QuantileLevels
    /// The BARNN shapes this group's checkpoints must have.
    let modelConfiguration: BARNNConfiguration
    /// The active model; nil while the group is served by the fallback.
    var model: BARNNModel? {
        didSet {
            // A checkpoint records its own inputs (an older one has no level context): size buffers for the model.
            if let model, model.configuration != workspace.configuration {
                workspace = BARNNWorkspace(configuration: model.configuration)
            }
        }
    }
    /// The active checkpoint's version (0 when none).
    var version = 0
    /// The active checkpoint's row id, which saved hidden states refer to.
    var checkpointID: Int64?
    /// How forecasts are drawn: Monte Carlo paths (the daemon always) or an ablation (backtests only).
    var sampling = SamplingMode.monteCarlo(.full)
    /// Inference buffers for the active model's shapes, reused every tick.
    private(set) var workspace: BARNNWorkspace
    /// The last training outcome.
    var training = ModelSummary.TrainingStatus.none
    /// Present steps the group's streams must hold in total before the next training attempt.
    var nextTrainingAt: Int
    /// When the last retrain of this group started (engine time, Unix seconds); the cooldown counts from it.
    var lastRetrainAt: Double?
    /// When the next scheduled retrain is due (engine time); staggered across groups at start.
    var nextScheduledAt = Double.infinity
    /// An activated version that could not be loaded (not retried until the activation changes).
    var refusedVersion: Int?
    /// Engine time of the first drift alarm of the group's streams not yet acted on.
    var driftAlarmAt: Double?
    /// The conformal score windows the group's streams share (`calibration.pool = "group"` with a method that reads
    /// windows); nil when each stream keeps its own or its method needs none.
    var scorePool: CalibrationScorePool?
    /// Whether `scorePool` changed since it was last saved.
    var scorePoolDirty = false

    init(name: String, settings: DaemonConfiguration.ModelGroup) throws(QuantileLevelsError) {
        self.name = name
        self.settings = settings
        self.levels = try QuantileLevels(settings.quantiles)
        let posterior: Posterior =
            switch settings.posterior {
            case .barnn: .barnn
            case .mcDropout: .mcDropout(rate: Float(settings.dropoutRate))
            case .bbb: .bbb(prior: .fortunato)
            case .sgld: .sgld(particles: settings.sgldParticles, stepSize: Float(settings.sgldStepSize))
            }
        self.modelConfiguration = BARNNConfiguration(
            hiddenSize: settings.hiddenSize, levelWindow: settings.levelWindow, studentDegrees: settings.studentDegrees,
            posterior: posterior, seasonalLag: settings.seasonalLag)
        self.workspace = BARNNWorkspace(configuration: modelConfiguration)
        self.nextTrainingAt = settings.minHistory
        let calibration = StreamState.calibration(settings.calibration)
        if settings.calibration.pool == .group, calibration.method.readsScores {
            scorePool = CalibrationScorePool(
                levelCount: levels.count, horizon: settings.horizon, window: calibration.window)
        }
    }

    /// Whether a training job is queued or running.
    var isTraining: Bool { training == .running }
}

/// How a group's forecasts are drawn from its model.
package enum SamplingMode: Sendable, Equatable {
    /// S Monte Carlo paths with these noise sources (`.full` is BARNN; `.aleatoricOnly` the weight-noise ablation).
    case monteCarlo(SamplingOptions)
    /// The single noise-free MAP path with the head's Gaussian quantiles around it.
    case map
}
