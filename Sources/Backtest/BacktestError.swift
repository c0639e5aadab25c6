/// Why a backtest cannot run.
public enum BacktestError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The CSV could not be parsed.
    case csv(String)
    /// The dataset catalog (`datasets.json`) could not be read.
    case catalog(String)
    /// A stream is too short for the protocol's split at this horizon.
    case streamTooShort(stream: String, length: Int, horizon: Int)
    /// No CSV row had a value.
    case empty
    /// The settings are invalid (horizon, season, configuration).
    case invalidSettings(String)
    /// The temporary database failed.
    case storage(String)

    public var description: String {
        switch self {
        case .csv(let message): "CSV: \(message)"
        case .catalog(let message): "dataset catalog: \(message)"
        case .streamTooShort(let stream, let length, let horizon):
            "stream '\(stream)' has \(length) values: too short for a 60/40 split with horizon \(horizon)"
        case .empty: "the CSV has no values"
        case .invalidSettings(let message): "invalid settings: \(message)"
        case .storage(let message): "database: \(message)"
        }
    }
}
