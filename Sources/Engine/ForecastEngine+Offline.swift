import BARNN

/// What offline runs (`barnnd backtest`) may ask of the engine beyond ingesting and ticking: they choose origins,
/// switch a group to an ablation and report per-stream facts, without reaching into the engine's tables.
extension ForecastEngine {
    /// Draws `group`'s forecasts with `mode` from now on (the weight-noise and MAP ablations); false when unknown.
    @discardableResult
    package func setSampling(_ mode: SamplingMode, group name: String) -> Bool {
        guard let group = groups[name] else { return false }
        group.sampling = mode
        return true
    }

    /// The version of the model `group` serves (0 before its first training or when unknown).
    package func modelVersion(group name: String) -> Int {
        groups[name]?.version ?? 0
    }

    /// Whether `stream`'s forecasts come from the network: its recurrent state has a finite level context (false
    /// for an unknown stream or one served by the seasonal-naive fallback).
    package func isServedByModel(stream id: String) -> Bool {
        streams[id]?.recurrent?.level?.isFinite ?? false
    }

    /// Makes the next `tick` issue a forecast for `stream` whatever its `forecast_every` count (a backtest origin).
    /// Returns false when the stream is unknown.
    @discardableResult
    package func oweForecast(stream id: String) -> Bool {
        guard let state = streams[id] else { return false }
        state.forecastOwed = true
        touched.insert(StreamKey(id))
        return true
    }
}
