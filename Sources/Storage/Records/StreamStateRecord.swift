/// A stream's saved hidden state, normaliser and calibrator (opaque blobs encoded by the Forecasting module).
public struct StreamStateRecord: Sendable, Equatable {
    /// The stream's name.
    public var stream: String
    /// The `checkpoints.id` of the model the hidden state belongs to, if any.
    public var checkpointID: Int64?
    /// The time of the last observation folded into the state, ms since the Unix epoch.
    public var tMs: Int64
    /// When the state was saved, ms since the Unix epoch.
    public var savedAtMs: Int64
    /// The encoded hidden state.
    public var hidden: [UInt8]
    /// The encoded normaliser.
    public var normaliser: [UInt8]
    /// The encoded conformal calibrator.
    public var calibrator: [UInt8]

    /// Creates a record.
    public init(
        stream: String, checkpointID: Int64?, tMs: Int64, savedAtMs: Int64, hidden: [UInt8], normaliser: [UInt8],
        calibrator: [UInt8]
    ) {
        self.stream = stream
        self.checkpointID = checkpointID
        self.tMs = tMs
        self.savedAtMs = savedAtMs
        self.hidden = hidden
        self.normaliser = normaliser
        self.calibrator = calibrator
    }
}
