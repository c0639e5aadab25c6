/// Everything the daemon can be told, as plain values with defaults.
///
/// Tests build this in code; `DaemonConfiguration+TOML.swift` loads it from `barnnd.toml` and is the only place that
/// knows the file's keys. ``validate()`` returns every problem at once; the daemon refuses to start on any.
/// The defaults work against a broker on `localhost:1883`.
public struct DaemonConfiguration: Sendable, Equatable {
    /// The broker connection (`[mqtt]`).
    public var mqtt = MQTTSettings()
    /// The SQLite store (`[storage]`).
    public var storage = StorageSettings()
    /// Named model groups (`[models.NAME]`); rules refer to them by name.
    /// The default is one group named `default` with default settings; a file that defines any group replaces it.
    public var models: [String: ModelGroup] = ["default": ModelGroup()]
    /// Subscription rules (`[[rules]]`), tried in order; the first rule whose filter matches a topic wins.
    /// The default is one rule: `sensors/+/+` → stream `{1}/{2}`, bare numbers, event cadence, model `default`.
    public var rules: [Rule] = [Rule(), .senml]
    /// Forecast publishing (`[publish]`).
    public var publish = PublishSettings()
    /// Limits of the engine (`[engine]`).
    public var engine = EngineSettings()
    /// Logging (`[logging]`).
    public var logging = LoggingSettings()
    /// Home Assistant MQTT discovery (`[homeassistant]`), off by default.
    public var homeAssistant = HomeAssistantSettings()
    /// The embedded HTTP server (`[http]`).
    public var http = HTTPSettings()

    /// Creates the default configuration.
    public init() {}

    /// The model group names in a stable order.
    public var modelGroupNames: [String] { models.keys.sorted() }
}

/// A log level, as swift-log names them.
public enum LogLevel: String, Sendable, CaseIterable {
    case trace, debug, info, notice, warning, error, critical
}

/// Overrides that come from the command line or the environment and beat the file.
public struct ConfigurationOverrides: Sendable, Equatable {
    /// Replaces `storage.path` (`--database`, `BARNND_DATABASE`).
    public var databasePath: String?
    /// Replaces `logging.level` (`--log-level`, `BARNND_LOG_LEVEL`).
    public var logLevel: LogLevel?

    /// Creates overrides; `nil` leaves the file's value.
    public init(databasePath: String? = nil, logLevel: LogLevel? = nil) {
        self.databasePath = databasePath
        self.logLevel = logLevel
    }
}

extension DaemonConfiguration {
    /// This configuration with the overrides applied.
    public func applying(_ overrides: ConfigurationOverrides) -> DaemonConfiguration {
        var copy = self
        if let path = overrides.databasePath { copy.storage.path = path }
        if let level = overrides.logLevel { copy.logging.level = level }
        return copy
    }
}
