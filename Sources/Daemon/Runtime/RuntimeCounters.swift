public import HomeAssistant

/// What the runtime itself counts, cumulative since start.
public struct RuntimeCounters: Sendable, Equatable, Encodable {
    /// Messages read back from the durable inbox at start and handed to the engine.
    public var inboxReplayed = 0
    /// Times the inbox was trimmed after the Store committed the observations.
    public var inboxTrims = 0
    /// Inbox reads, appends or deletes that failed.
    public var inboxFailures = 0
    /// Engine ticks run.
    public var ticks = 0
    /// Publications the MQTT client refused (outgoing queue full, invalid topic, closed).
    public var publishFailures = 0
    /// Rows the store writer did not take (closed, or still stalled when a stop was requested); their messages
    /// stay in the inbox. Zero in normal running: a slow or failing store stalls intake instead.
    public var writesRefused = 0
    /// Times intake stalled because the store writer was full (slow disk, disk full, read-only).
    public var storageStalls = 0
    /// Configuration reloads applied.
    public var reloads = 0
    /// Reloads refused because the new file was invalid.
    public var reloadFailures = 0
    /// Reject log lines swallowed by the repeated-error limit.
    public var suppressedLogLines = 0
    /// Seconds the engine thread spent in `ForecastEngine.receive` (decoding, resampling).
    public var receiveSeconds = 0.0
    /// Seconds the engine thread spent in `ForecastEngine.tick` (learning, batched steps, forecasts).
    public var tickSeconds = 0.0
    /// Seconds the engine thread spent handing publications to the MQTT client.
    public var publishSeconds = 0.0
    /// Seconds the engine thread spent queueing rows for the store writer (including waits for room).
    public var storeSeconds = 0.0
    /// Times freed heap pages were handed back to the system (`malloc_trim`, every 10 s).
    public var heapTrims = 0
    /// Seconds the engine thread spent handing freed heap pages back.
    public var heapTrimSeconds = 0.0
    /// Home Assistant discovery's counters; `nil` when it is off.
    public var homeAssistant: HomeAssistantCounters?

    /// All zero.
    public init() {}

    enum CodingKeys: String, CodingKey {
        case inboxReplayed = "inbox_replayed", inboxTrims = "inbox_trims", inboxFailures = "inbox_failures", ticks
        case publishFailures = "publish_failures", writesRefused = "writes_refused", reloads
        case storageStalls = "storage_stalls"
        case reloadFailures = "reload_failures", suppressedLogLines = "suppressed_log_lines"
        case receiveSeconds = "receive_s", tickSeconds = "tick_s", publishSeconds = "publish_s"
        case storeSeconds = "store_s", homeAssistant = "homeassistant"
        case heapTrims = "heap_trims", heapTrimSeconds = "heap_trim_s"
    }
}
