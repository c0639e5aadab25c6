/// What Home Assistant discovery did since start; part of the health report's `runtime.homeassistant`.
public struct HomeAssistantCounters: Sendable, Equatable, Encodable {
    /// Entities announced this process (streams forecast since start and not removed).
    public var entities = 0
    /// Discovery configs handed to the MQTT client (first forecasts, unit changes, birth messages).
    public var configsPublished = 0
    /// Empty retained configs handed to the MQTT client for streams idle longer than `remove_after`.
    public var removalsPublished = 0
    /// Attribute payloads built (one per forecast).
    public var attributesBuilt = 0
    /// Birth messages (`online` on `<prefix>/status`) seen.
    public var birthMessages = 0
    /// Configs or removals the MQTT client refused (its outgoing queue full); they stay queued and go out later.
    public var publishesDeferred = 0
    /// Configs and removals waiting to be published.
    public var pending = 0

    /// All zero.
    public init() {}

    enum CodingKeys: String, CodingKey {
        case entities, configsPublished = "configs_published", removalsPublished = "removals_published"
        case attributesBuilt = "attributes_built", birthMessages = "birth_messages"
        case publishesDeferred = "publishes_deferred", pending
    }
}
