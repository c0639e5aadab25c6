/// Something that happened to the daemon or a model: a retrain, a promotion, an alarm, an eviction.
public struct EventRecord: Sendable, Equatable {
    /// When it happened, µs since the Unix epoch.
    public var timeUs: Int64
    /// A short snake_case kind, e.g. `retrain_finished`, `promotion`, `drift_alarm`, `eviction`.
    public var kind: String
    /// The model's name, when the event concerns one.
    public var model: String?
    /// The stream's name, when the event concerns one.
    public var stream: String?
    /// Details as JSON text; stored as given.
    public var detailJSON: String

    /// Creates a record.
    public init(timeUs: Int64, kind: String, model: String? = nil, stream: String? = nil, detailJSON: String = "{}") {
        self.timeUs = timeUs
        self.kind = kind
        self.model = model
        self.stream = stream
        self.detailJSON = detailJSON
    }
}
