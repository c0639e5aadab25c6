/// A model group's saved conformal score pool (an opaque blob encoded by the Forecasting module).
public struct CalibrationPoolRecord: Sendable, Equatable {
    /// The model group's name.
    public var model: String
    /// When the pool was saved, µs since the Unix epoch.
    public var savedAtUs: Int64
    /// The encoded pool.
    public var pool: [UInt8]

    /// Creates a record.
    public init(model: String, savedAtUs: Int64, pool: [UInt8]) {
        self.model = model
        self.savedAtUs = savedAtUs
        self.pool = pool
    }
}
