package import BARNN
package import Configuration
package import Forecasting
package import Storage

/// Why a training job was queued; recorded in its events as `trigger`.
package enum TrainingTrigger: String, Sendable {
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
package struct TrainingJob: Sendable {
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
    /// Seconds of history per stream (`retrain.history`), counted back from that stream's own newest step: streams
    /// of one group on different clocks (a replay of old data beside live readings) each keep their history.
    var historySeconds: Double
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

    /// A job with every field given (the engine builds them; tests too).
    package init(
        group: String, configuration: BARNNConfiguration, options: TrainingOptions,
        streams: [(id: String, context: [Observation], steps: Int)], season: Int = 1,
        calendar: DaemonConfiguration.CalendarChoice = .auto, historySeconds: Double, keepLast: Int, createdAtUs: Int64,
        trigger: TrainingTrigger = .first, requestID: String? = nil, active: (model: BARNNModel, version: Int)? = nil,
        warmStart: Bool = false, gate: PromotionGate
    ) {
        self.group = group
        self.configuration = configuration
        self.options = options
        self.streams = streams
        self.season = season
        self.calendar = calendar
        self.historySeconds = historySeconds
        self.keepLast = keepLast
        self.createdAtUs = createdAtUs
        self.trigger = trigger
        self.requestID = requestID
        self.active = active
        self.warmStart = warmStart
        self.gate = gate
    }
}

/// What a training job produced, handed back to the engine thread.
package struct TrainingResult: Sendable {
    /// The model group.
    package var group: String
    /// Why the job ran.
    package var trigger: TrainingTrigger
    /// The request id, when a person asked.
    package var requestID: String?
    /// The trained candidate and the gate's verdict, or why there is none.
    package var outcome: Result<Trained, TrainingFailure>

    /// A trained candidate: stored and activated when promoted, discarded otherwise.
    package struct Trained: Sendable {
        /// The candidate model.
        package var model: BARNNModel
        /// The stored, active checkpoint; nil when the gate kept the active model.
        package var info: CheckpointInfo?
        /// The optimiser's report.
        package var report: TrainingReport
        /// Series trained on.
        package var series: Int
        /// The gate's comparison on the validation windows.
        package var comparison: PromotionGate.Comparison
        /// Whether the candidate became the active model.
        var promoted: Bool { info != nil }
    }
}

/// Why a training job produced no candidate.
package struct TrainingFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// A short reason for logs, events and the model summary.
    package var reason: String
    package var description: String { reason }
}
