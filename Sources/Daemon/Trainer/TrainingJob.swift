import BARNN
import Forecasting
import Storage

/// Why a training job was queued; recorded in its events as `trigger`.
enum TrainingTrigger: String, Sendable {
    /// The group had no model and its streams reached `min_history`.
    case first
    /// `retrain.every` elapsed (inside `retrain.window`).
    case schedule
    /// A stream of the group raised a drift alarm (`retrain.drift_trigger`, after `retrain.cooldown`).
    case drift
    /// A person asked (`barnnd train`, a `train_requested` event).
    case request
}

/// One training request, by value: which group, which streams, the data the engine already holds, the active model
/// the candidate must beat, and where to store the result.
struct TrainingJob: Sendable {
    /// The model group's name (the checkpoint's `model`).
    var group: String
    /// The shapes to train.
    var configuration: BARNNConfiguration
    /// Optimiser options (window and burn-in are shortened to fit short histories).
    var options: TrainingOptions
    /// Per stream, the steps the engine holds in memory (used when the Store has fewer, e.g. not yet flushed)
    /// and the stream's step count (the index of its next step, which season-index features count from).
    var streams: [(id: String, context: [Observation], steps: Int)]
    /// The group's seasonal period m in steps (`season`), which the calendar features follow.
    var season = 1
    /// How the calendar features are chosen (`calendar`).
    var calendar = DaemonConfiguration.CalendarChoice.auto
    /// Observations after this time (µs) are read from the Store (`retrain.history` before now).
    var historyStartUs: Int64
    /// Inactive checkpoints kept (`retrain.keep_last`).
    var keepLast: Int
    /// Creation time of the checkpoint, µs since the Unix epoch.
    var createdAtUs: Int64
    /// Why the job runs.
    var trigger: TrainingTrigger = .first
    /// The `request` id of a `train_requested` event, echoed in the outcome event.
    var requestID: String?
    /// The active model and its version; nil for a first training (the candidate is then promoted unscored).
    var active: (model: BARNNModel, version: Int)?
    /// Start from the active model's weights (`retrain.warm_start`) when its shape matches.
    var warmStart = false
    /// The promotion gate: levels, paths and tolerance of the validation comparison.
    var gate: PromotionGate
}

/// What a training job produced, handed back to the engine thread.
struct TrainingResult: Sendable {
    /// The model group.
    var group: String
    /// Why the job ran.
    var trigger: TrainingTrigger
    /// The request id, when a person asked.
    var requestID: String?
    /// The trained candidate and the gate's verdict, or why there is none.
    var outcome: Result<Trained, TrainingFailure>

    /// A trained candidate: stored and activated when promoted, discarded otherwise.
    struct Trained: Sendable {
        /// The candidate model.
        var model: BARNNModel
        /// The stored, active checkpoint; nil when the gate kept the active model.
        var info: CheckpointInfo?
        /// The optimiser's report.
        var report: TrainingReport
        /// Series trained on.
        var series: Int
        /// The gate's comparison on the validation windows.
        var comparison: PromotionGate.Comparison
        /// Whether the candidate became the active model.
        var promoted: Bool { info != nil }
    }
}

/// Why a training job produced no candidate.
struct TrainingFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// A short reason for logs, events and the model summary.
    var reason: String
    var description: String { reason }
}
