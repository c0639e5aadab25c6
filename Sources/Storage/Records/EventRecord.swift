/// Something that happened to the daemon or a model: a training, an activation, a drift alarm, an eviction.
public struct EventRecord: Sendable, Equatable {
    /// When it happened, µs since the Unix epoch.
    public var timeUs: Int64
    /// The ``EventKind`` raw value as stored; a string, so rows of kinds this version no longer writes still read.
    public var kind: String
    /// The model's name, when the event concerns one.
    public var model: String?
    /// The stream's name, when the event concerns one.
    public var stream: String?
    /// Details as JSON text, written from an ``EventDetail`` and read back with ``detail``.
    public var detailJSON: String

    /// A record as stored; writers build theirs from an ``EventDetail`` (`init(timeUs:model:stream:detail:)`).
    package init(timeUs: Int64, kind: String, model: String? = nil, stream: String? = nil, detailJSON: String = "{}") {
        self.timeUs = timeUs
        self.kind = kind
        self.model = model
        self.stream = stream
        self.detailJSON = detailJSON
    }
}
