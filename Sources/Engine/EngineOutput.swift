public import Storage

/// What one engine call wants done: messages to publish and rows to store, in order.
public struct EngineOutput: Sendable {
    /// Forecast messages (and scalar next-step medians) to publish.
    public var publications: [Publication]
    /// Rows for the `StoreWriter` (observations, forecasts, rejects, events, drift, stream states).
    public var writes: [WriteItem]
    /// The forecasts issued, with their streams' units, for Home Assistant discovery; empty unless
    /// `homeassistant.enabled`.
    public var forecasts: [IssuedStreamForecast]

    /// Creates an output.
    public init(
        publications: [Publication] = [], writes: [WriteItem] = [], forecasts: [IssuedStreamForecast] = []
    ) {
        self.publications = publications
        self.writes = writes
        self.forecasts = forecasts
    }
}
