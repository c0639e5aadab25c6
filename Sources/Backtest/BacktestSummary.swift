/// What a backtest did, for the command's closing line and for tests.
public struct BacktestSummary: Sendable, Equatable {
    /// Streams replayed.
    public var streams: Int
    /// Values replayed.
    public var values: Int
    /// JSONL rows written (stream × origin).
    public var rows: Int
    /// Forecasts issued by BARNN and by the fallback over the whole run (every step, not only origins).
    public var forecastsBARNN: Int
    /// Fallback forecasts over the whole run.
    public var forecastsFallback: Int
    /// Model version that served the end of the test part (0: the fallback served it).
    public var modelVersion: Int
    /// Origin rows served by the fallback (the model was missing or not warm).
    public var fallbackRows: Int
    /// Trainings started after the first fit, by trigger (`schedule`, `drift`).
    public var retrains: [String: Int] = [:]
    /// Retrained candidates the promotion gate accepted (the first fit is not counted).
    public var promotions = 0
    /// Retrained candidates the promotion gate refused (the active model stayed).
    public var promotionsRefused = 0
    /// The first fit's inputs and α spread (`"inputs":{…},"alpha_spread":{…}` of its `training_succeeded` event); nil
    /// when the run served a stored checkpoint.
    public var firstFit: String?
}
