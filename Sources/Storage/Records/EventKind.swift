/// What an event row records; the raw values are the `events.kind` strings, so the table and the CLI share them.
///
/// It lives in Storage because Storage owns the `events` table: the writers (Trainer, Engine) and the readers
/// (Inspection, the CLI, Backtest) all depend on Storage, and no kind can be written that the CLI cannot filter on.
public enum EventKind: String, Sendable, CaseIterable, Codable {
    /// `barnnd train` asked the running engine to retrain a model group.
    case trainRequested = "train_requested"
    /// The engine queued a training job.
    case trainingStarted = "training_started"
    /// A training finished and the gate promoted its candidate.
    case trainingSucceeded = "training_succeeded"
    /// A training finished and the gate kept the active model.
    case trainingRejected = "training_rejected"
    /// A training, or a request for one, failed.
    case trainingFailed = "training_failed"
    /// The engine swapped in a checkpoint activated by someone else (`barnnd rollback`).
    case modelActivated = "model_activated"
    /// `barnnd rollback` activated a stored checkpoint.
    case checkpointActivated = "checkpoint_activated"
    /// An active checkpoint could not be loaded; the group stays on what it served.
    case checkpointLoadFailed = "checkpoint_load_failed"
    /// A stream's forecasts drifted from what it observes.
    case driftAlarm = "drift_alarm"
    /// A stream's state left memory beyond `engine.max_streams`.
    case eviction
    /// The engine shut down.
    case shutdown
}
