import BARNN
import Forecasting
import Storage

/// One training request, by value: which group, which streams, the data the engine already holds, and where to
/// store the result.
struct TrainingJob: Sendable {
    /// The model group's name (the checkpoint's `model`).
    var group: String
    /// The shapes to train.
    var configuration: BARNNConfiguration
    /// Optimiser options (window and burn-in are shortened to fit short histories).
    var options: TrainingOptions
    /// Per stream, the steps the engine holds in memory (used when the Store has fewer, e.g. not yet flushed).
    var streams: [(id: String, context: [Observation])]
    /// Observations after this time (ms) are read from the Store (`retrain.history` before now).
    var historyStartMs: Int64
    /// Inactive checkpoints kept (`retrain.keep_last`).
    var keepLast: Int
    /// Creation time of the checkpoint, ms since the Unix epoch.
    var createdAtMs: Int64
}

/// What a training job produced, handed back to the engine thread.
struct TrainingResult: Sendable {
    /// The model group.
    var group: String
    /// The trained, stored and activated model, or why there is none.
    var outcome: Result<Trained, TrainingFailure>

    /// A stored, active checkpoint and its model.
    struct Trained: Sendable {
        var model: BARNNModel
        var info: CheckpointInfo
        var report: TrainingReport
        var series: Int
    }
}

/// Why a training job produced no checkpoint.
struct TrainingFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// A short reason for logs, events and the model summary.
    var reason: String
    var description: String { reason }
}
