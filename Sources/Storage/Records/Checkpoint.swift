/// A stored model checkpoint's metadata (everything but the blob).
public struct CheckpointInfo: Sendable, Equatable {
    /// The row id, referred to by stream states.
    public var id: Int64
    /// The model's name, e.g. `default`.
    public var model: String
    /// The version, increasing per model from 1.
    public var version: Int
    /// The model kind, e.g. `barnn`.
    public var kind: String
    /// When it was created, µs since the Unix epoch.
    public var createdAtUs: Int64
    /// Training metrics as JSON text.
    public var trainingMetricsJSON: String
    /// Validation metrics as JSON text.
    public var validationMetricsJSON: String
    /// Whether this is the model's active version (at most one per model).
    public var isActive: Bool
    /// CRC-32 (IEEE) of the blob.
    public var checksum: UInt32
    /// The blob's size in bytes.
    public var blobBytes: Int
}

/// A checkpoint with its blob, whose checksum was verified when it was read.
public struct Checkpoint: Sendable, Equatable {
    /// The metadata.
    public var info: CheckpointInfo
    /// The encoded model (BARNN's checkpoint format).
    public var blob: [UInt8]
}

/// A checkpoint to store; the version is assigned by the store.
public struct NewCheckpoint: Sendable, Equatable {
    /// The model's name.
    public var model: String
    /// The model kind, e.g. `barnn`.
    public var kind: String
    /// When it was created, µs since the Unix epoch.
    public var createdAtUs: Int64
    /// Training metrics as JSON text.
    public var trainingMetricsJSON: String
    /// Validation metrics as JSON text.
    public var validationMetricsJSON: String
    /// The encoded model.
    public var blob: [UInt8]

    /// Creates a checkpoint to store.
    public init(
        model: String, kind: String = "barnn", createdAtUs: Int64, trainingMetricsJSON: String = "{}",
        validationMetricsJSON: String = "{}", blob: [UInt8]
    ) {
        self.model = model
        self.kind = kind
        self.createdAtUs = createdAtUs
        self.trainingMetricsJSON = trainingMetricsJSON
        self.validationMetricsJSON = validationMetricsJSON
        self.blob = blob
    }
}
