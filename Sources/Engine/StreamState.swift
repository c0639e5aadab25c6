import BARNN
import Configuration
import Forecasting

/// Everything the engine keeps for one stream, owned by the engine thread alone.
///
/// Parts: the ``Resampler`` (cadence and explicit gaps), the BARNN ``RecurrentState`` (hidden state, level and
/// scale; nil until the group has a model and the stream has `min_history` steps), the recent context ring used to
/// re-warm the hidden state after a model swap or restart, the cold-start ``SeasonalNaiveForecaster``, and the
/// ``ForecastFeedback``: the ``ConformalCalibrator``, the ``DriftMonitor`` and the forecasts issued after each of the
/// last H steps (index based: the entry issued after step j is scored at step j + h for its step h).
final class StreamState {
    /// The stream id.
    let id: String
    /// The model group serving it.
    let group: String
    /// Index of the rule that created it (diagnostics; rules may be reordered by a reload).
    var ruleIndex: Int
    /// Readings → steps.
    var resampler: Resampler
    /// BARNN's per-stream state, when the group has a model and the stream is warm.
    var recurrent: RecurrentState?
    /// The last steps (time, value or nil): the last `context_length` re-warm the model, and the fallback reads its
    /// `m·G + R` values from it (so it holds the longer of the two), instead of a second ring of the same values.
    var context: ObservationRing
    /// The cold-start forecaster, ready whenever the model is not; its history is the context's values.
    var fallback: SeasonalNaiveForecaster
    /// The forecasts issued after each of the last H steps, and the calibrator and drift monitor they feed.
    var feedback: ForecastFeedback
    /// Steps learned since the stream was created (present or missing).
    var steps = 0
    /// Present (non-missing) steps learned since the stream was created.
    var presentSteps = 0
    /// Steps learned since the last forecast was issued.
    var stepsSinceForecast = 0
    /// Time of the last step learned, Unix seconds.
    var lastT: Double?
    /// The lowest value learned since the stream was created; nil before the first. A stream that has never been
    /// negative (counts, power, flow, occupancy) gets no negative quantiles.
    var lowestObserved: Double?
    /// Arrival time of the last reading, Unix seconds (least recently seen is evicted first).
    var lastSeen: Double
    /// Steps emitted by the resampler and not yet learned (drained by the next tick).
    var pending: [Observation] = []
    /// How many of the first `pending` steps are replayed from the Store (learned without an `observations` row).
    var replayPending = 0
    /// Whether a forecast is owed at the next tick although no step arrived (after a replay).
    var forecastOwed = false
    /// Whether anything changed since the state was last saved.
    var dirty = true
    /// Engine time of this stream's current entry in the engine's bucket checks; infinity when it has none.
    var bucketCheckAt = Double.infinity
    /// The last accepted readings, to tell a redelivered reading from a late or conflicting one (not saved).
    var recent = RecentReadings()
    /// The unit the stream's latest SenML reading named (not saved: the next reading names it again).
    var unit: String?
    /// How the context's columns were last packed, kept so that a save reuses it instead of gauging (not saved: the
    /// first save after a restart gauges).
    var contextPacking = SavedContext.Packing()

    /// Residuals the fallback keeps per horizon step (its default of 1000 made the fallback most of a saved state;
    /// 250 still puts 12 residuals beyond each 5 % tail, and the fallback serves only until the model is warm).
    static let fallbackResidualWindow = 250

    /// A stream that has seen nothing; `pooledScores` when its calibrator reads its group's score pool.
    init(
        id: String, group: String, ruleIndex: Int, cadence: Cadence, settings: DaemonConfiguration.ModelGroup,
        levels: QuantileLevels, lastSeen: Double, pooledScores: Bool
    ) {
        self.id = id
        self.group = group
        self.ruleIndex = ruleIndex
        self.resampler = Resampler(cadence: cadence, maximumGapSteps: settings.contextLength)
        self.fallback = SeasonalNaiveForecaster(
            period: settings.season, maximumHorizon: settings.horizon, residualWindow: Self.fallbackResidualWindow)
        self.context = ObservationRing(capacity: max(1, settings.contextLength, fallback.historyLength))
        self.feedback = ForecastFeedback(
            calibrator: ConformalCalibrator(
                levels: levels, horizon: settings.horizon, configuration: Self.calibration(settings.calibration),
                pooled: pooledScores),
            drift: DriftMonitor(
                levels: levels, configuration: DriftMonitor.Configuration(windowLength: settings.calibration.window)))
        self.lastSeen = lastSeen
    }

    /// The steps the model re-warms from and trains on: the last `contextLength` of the context.
    func modelContext(contextLength: Int) -> ObservationRing.SubSequence { context.suffix(max(1, contextLength)) }

    /// Restores a stream from its saved parts.
    init(id: String, group: String, parts: Parts) {
        self.id = id
        self.group = group
        self.ruleIndex = parts.normaliser.ruleIndex
        self.resampler = parts.normaliser.resampler
        self.recurrent = parts.hidden.recurrent
        var fallback = parts.normaliser.fallback
        var context = parts.normaliser.context.ring
        // A state saved when the fallback kept its own history: the context takes over (the values of the steps the
        // context had not kept, at most m·G + R − context_length, are gone; the fallback reads fewer errors until the
        // ring has refilled).
        fallback.releaseHistory()
        if context.capacity < fallback.historyLength {
            context = ObservationRing(capacity: fallback.historyLength, elements: context)
        }
        self.context = context
        self.fallback = fallback
        self.feedback = ForecastFeedback(
            calibrator: parts.calibration.calibrator, drift: parts.calibration.drift, issued: parts.calibration.issued)
        self.steps = parts.normaliser.steps
        self.presentSteps = parts.normaliser.presentSteps
        self.stepsSinceForecast = parts.normaliser.stepsSinceForecast
        self.lastT = parts.normaliser.lastT
        self.lastSeen = parts.normaliser.lastSeen
        // States saved before the lowest value was kept: the context is the evidence there is.
        self.lowestObserved =
            parts.normaliser.lowestObserved ?? parts.normaliser.context.ring.compactMap(\.value).min()
        self.dirty = false
    }

    /// The Forecasting calibrator settings for a group's `[calibration]`: `aci` is adaptive conformal inference on a
    /// rolling window, `rolling` split conformal on it; `none` keeps a calibrator only for the coverage report.
    static func calibration(_ settings: DaemonConfiguration.CalibrationSettings) -> ConformalCalibrator.Configuration {
        switch settings.method {
        case .aci: ConformalCalibrator.Configuration(method: .adaptive(gamma: settings.rate), window: settings.window)
        case .rolling: ConformalCalibrator.Configuration(method: .rollingWindow, window: settings.window)
        case .tracking:
            ConformalCalibrator.Configuration(method: .quantileTracking(rate: settings.rate), window: settings.window)
        case .none:
            // Never applied (the engine only sorts); the smallest positive rate keeps the offsets at 0 so the
            // coverage it reports is the model's own, with O(K) memory per step.
            ConformalCalibrator.Configuration(
                method: .quantileTracking(rate: .leastNonzeroMagnitude), window: settings.window)
        }
    }

    /// The step length in seconds: the bucket length, or for event cadence the median spacing of the model's context
    /// (the last `contextLength` steps: the ring may hold more for the fallback, up to season·⌈H/season⌉ + 250).
    func stepSeconds(contextLength: Int) -> Double {
        if case .every(let seconds, _) = resampler.cadence { return seconds }
        let context = modelContext(contextLength: contextLength)
        var gaps: [Double] = []
        gaps.reserveCapacity(context.count)
        for i in context.indices.dropFirst() { gaps.append(context[i].t - context[i - 1].t) }
        guard !gaps.isEmpty else { return 0 }
        gaps.sort()
        return gaps[gaps.count / 2]
    }
}
