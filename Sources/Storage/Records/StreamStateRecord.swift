/// A stream's saved hidden state, normaliser and calibrator (opaque blobs encoded by the Forecasting module).
public struct StreamStateRecord: Sendable, Equatable {
    /// The stream's name.
    public var stream: String
    /// The `checkpoints.id` of the model the hidden state belongs to, if any.
    public var checkpointID: Int64?
    /// The time of the last observation folded into the state, µs since the Unix epoch.
    public var tUs: Int64
    /// When the state was saved, µs since the Unix epoch.
    public var savedAtUs: Int64
    /// The encoded hidden state.
    public var hidden: [UInt8]
    /// The encoded normaliser.
    public var normaliser: [UInt8]
    /// The encoded conformal calibrator.
    public var calibrator: [UInt8]

    /// Creates a record.
    public init(
        stream: String, checkpointID: Int64?, tUs: Int64, savedAtUs: Int64, hidden: [UInt8], normaliser: [UInt8],
        calibrator: [UInt8]
    ) {
        self.stream = stream
        self.checkpointID = checkpointID
        self.tUs = tUs
        self.savedAtUs = savedAtUs
        self.hidden = hidden
        self.normaliser = normaliser
        self.calibrator = calibrator
    }
}
