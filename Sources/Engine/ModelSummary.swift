/// One model group as the health report and `systemd` STATUS show it.
public struct ModelSummary: Sendable, Equatable {
    /// How the group's last training went.
    public enum TrainingStatus: Sendable, Equatable {
        /// No training has run in this process.
        case none
        /// A training job is queued or running on the trainer thread.
        case running
        /// The last training activated this checkpoint version.
        case succeeded(version: Int)
        /// The last training failed for this reason.
        case failed(reason: String)
    }

    /// The group's name (`[models.NAME]`).
    public var name: String
    /// The active checkpoint version; 0 when none is loaded.
    public var version: Int
    /// `barnn` when a checkpoint is loaded, `fallback` otherwise.
    public var kind: ForecastPayload.Kind
    /// Streams of the group in memory.
    public var streams: Int
    /// The last training outcome.
    public var lastTraining: TrainingStatus

    /// Creates a summary.
    public init(name: String, version: Int, kind: ForecastPayload.Kind, streams: Int, lastTraining: TrainingStatus) {
        self.name = name
        self.version = version
        self.kind = kind
        self.streams = streams
        self.lastTraining = lastTraining
    }
}
