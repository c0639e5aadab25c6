extension ForecastEngine {
    /// Makes the next `tick` issue a forecast for `stream` whatever its `forecast_every` count (a backtest origin).
    /// Returns false when the stream is unknown.
    @discardableResult
    func oweForecast(stream id: String) -> Bool {
        guard let state = streams[id] else { return false }
        state.forecastOwed = true
        touched.insert(StreamKey(id))
        return true
    }
}
