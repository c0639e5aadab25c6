/// One stream's forecast as issued, with what its rule and its readings say about its unit: what Home Assistant
/// discovery needs to describe the stream and fill its attributes.
public struct IssuedStreamForecast: Sendable, Equatable {
    /// The forecast as published on `publish.topic`.
    public var payload: ForecastPayload
    /// The rule's `unit`, if it sets one.
    public var unit: String?
    /// The rule's `device_class`, if it sets one.
    public var deviceClass: String?
    /// The unit the stream's latest SenML reading named (`Cel`), if any.
    public var senmlUnit: String?

    /// Creates a notice of an issued forecast.
    public init(payload: ForecastPayload, unit: String?, deviceClass: String?, senmlUnit: String?) {
        self.payload = payload
        self.unit = unit
        self.deviceClass = deviceClass
        self.senmlUnit = senmlUnit
    }

    /// The stream id.
    public var stream: String { payload.stream }
}
