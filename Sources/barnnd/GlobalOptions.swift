import ArgumentParser
import Configuration

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Options every subcommand shares: where the configuration and the database are, and how much to log.
///
/// The environment fills in what the command line leaves out (`BARNND_CONFIG`, `BARNND_DATABASE`,
/// `BARNND_LOG_LEVEL`), and both beat the configuration file.
struct GlobalOptions: ParsableArguments {
    /// The default configuration path, as installed by the package.
    static let defaultConfigPath = "/etc/barnnd/barnnd.toml"

    @Option(help: "Configuration file (env BARNND_CONFIG; default \(GlobalOptions.defaultConfigPath)).")
    var config: String?

    @Option(help: "SQLite database file; overrides storage.path (env BARNND_DATABASE).")
    var database: String?

    @Option(
        help:
            "Log level: \(LogLevel.allCases.map(\.rawValue).joined(separator: ", ")); overrides logging.level (env BARNND_LOG_LEVEL).",
        transform: { text in
            guard let level = LogLevel(rawValue: text) else {
                throw ValidationError("unknown log level '\(text)'")
            }
            return level
        })
    var logLevel: LogLevel?

    /// The configuration file to read.
    var configPath: String { config ?? Self.environment("BARNND_CONFIG") ?? Self.defaultConfigPath }

    /// Loads the configuration file (`path`, else ``configPath``), applies the overrides and validates the result.
    ///
    /// Throws ``ConfigurationError`` with every problem, or `ValidationError` for a bad `BARNND_LOG_LEVEL`.
    func loadConfiguration(path: String? = nil) throws -> DaemonConfiguration {
        try DaemonConfiguration.load(contentsOf: path ?? configPath).applying(try overrides()).validated()
    }

    /// Command line and environment overrides of the file.
    func overrides() throws -> ConfigurationOverrides {
        var level = logLevel
        if level == nil, let text = Self.environment("BARNND_LOG_LEVEL") {
            guard let parsed = LogLevel(rawValue: text) else {
                throw ValidationError("BARNND_LOG_LEVEL: unknown log level '\(text)'")
            }
            level = parsed
        }
        return ConfigurationOverrides(databasePath: database ?? Self.environment("BARNND_DATABASE"), logLevel: level)
    }

    private static func environment(_ name: String) -> String? {
        guard let value = getenv(name) else { return nil }
        let text = String(cString: value)
        return text.isEmpty ? nil : text
    }
}
