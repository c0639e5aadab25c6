/// The seasonal-naive input: at the step that predicts y_t the model reads `(y_{t−m} − y_{t−1}) / scale`, what
/// seasonal naive forecasts as the next increment, 0 where either value is missing. Training, the per-observation
/// step and every sampled path compute it the same way; past the observed history a path reads its own values.
public enum SeasonalInput {
    /// The input of every step of `values` (index t predicts `values[t]`), as training reads it.
    public static func inputs(values: [Float], lag m: Int, scale: SeriesScale) -> [Float] {
        precondition(m > 0, "SeasonalInput.inputs: lag \(m) must be positive")
        return values.indices.map { t in
            guard t >= m else { return 0 }
            return input(seasonAgo: Double(values[t - m]), previous: Double(values[t - 1]), scale: scale)
        }
    }

    /// The input for a target whose value one season earlier was `seasonAgo` and whose previous value `previous`.
    @inlinable
    public static func input(seasonAgo: Double, previous: Double, scale: SeriesScale) -> Float {
        seasonAgo.isFinite && previous.isFinite ? scale.input(forIncrement: seasonAgo - previous) : 0
    }
}
