import BARNN
import Configuration
import Forecasting

extension StreamState {
    /// What a saved state must fit to be restored, from the configuration of its group and of the rule that feeds
    /// it: a row is only trusted as far as the configuration could have produced it, so a damaged one can neither
    /// trap nor make the engine allocate or loop in proportion to a number it claims.
    struct Bounds: Sendable {
        /// `hidden_size` of the group.
        var hiddenSize: Int
        /// H, `horizon` of the group.
        var horizon: Int
        /// The group's quantile levels.
        var levels: QuantileLevels
        /// `context_length` of the group: the context ring's capacity and the resampler's gap cap.
        var contextLength: Int
        /// `season` of the group, the fallback's period.
        var season: Int
        /// `calibration.window` of the group: the calibrator's and drift monitor's windows.
        var calibrationWindow: Int
        /// The cadences the stream may have: its rule's, or those of every rule of the group when its rule index
        /// no longer names one of them (rules may be reordered between runs).
        var cadences: [Cadence]

        /// Step counters above this are refused: 2⁵² steps take 142 years at one a microsecond, so a count beyond
        /// it is damage, and `+= 1` on it can never overflow.
        static let counterLimit = 1 << 52
        /// Times further than this from the epoch are refused: the resampler accepts no reading beyond it (a year
        /// range such as 1970–9999 would refuse states of historical data, which the engine accepts).
        static let timeLimit = Resampler.timeLimit

        /// The bounds of a stream of `group` created by rule `ruleIndex` of `rules`.
        init(
            group: DaemonConfiguration.ModelGroup, name: String, levels: QuantileLevels, ruleIndex: Int,
            rules: [DaemonConfiguration.Rule]
        ) {
            hiddenSize = group.hiddenSize
            horizon = group.horizon
            self.levels = levels
            contextLength = max(1, group.contextLength)
            season = group.season
            calibrationWindow = group.calibration.window
            if rules.indices.contains(ruleIndex), rules[ruleIndex].model == name {
                cadences = [ForecastEngine.cadence(of: rules[ruleIndex])]
            } else {
                cadences = rules.filter { $0.model == name }.map(ForecastEngine.cadence(of:))
            }
        }
    }

    /// Why a saved state was refused: the part that is out of bounds and by how much.
    struct Refusal: Error, CustomStringConvertible {
        /// The offending part, as a path into the row's blobs (`normaliser.context.capacity`).
        var field: String
        /// What is wrong with it.
        var detail: String

        var description: String { "\(field): \(detail)" }
    }

    /// Checks decoded parts against `bounds`.
    /// - Throws: ``Refusal`` naming the first part out of bounds.
    static func check(_ parts: Parts, against bounds: Bounds) throws(Refusal) {
        try check(parts.hidden, bounds)
        try check(parts.normaliser, bounds)
        try check(parts.calibration, bounds)
    }

    private static func check(_ hidden: Parts.Hidden, _ bounds: Bounds) throws(Refusal) {
        guard let recurrent = hidden.recurrent else { return }
        try require(
            recurrent.hidden.count == bounds.hiddenSize, "hidden.recurrent.hidden",
            "\(recurrent.hidden.count) values for hidden_size \(bounds.hiddenSize)")
        try require(recurrent.hidden.allSatisfy(\.isFinite), "hidden.recurrent.hidden", "not finite")
        try require(recurrent.level?.isFinite ?? true, "hidden.recurrent.level", "\(recurrent.level!) is not finite")
        try require(recurrent.pendingInput.isFinite, "hidden.recurrent.pendingInput", "not finite")
        try require(
            recurrent.levelMean?.isFinite ?? true, "hidden.recurrent.levelMean", "\(recurrent.levelMean!) is not finite"
        )
        try require(recurrent.pendingLevel.isFinite, "hidden.recurrent.pendingLevel", "not finite")
        try require(
            recurrent.recent.count <= bounds.season, "hidden.recurrent.recent",
            "\(recurrent.recent.count) values for season \(bounds.season)")
        try require(
            recurrent.recent.allSatisfy { $0.isFinite || $0.isNaN }, "hidden.recurrent.recent", "an infinite value")
        try require(recurrent.pendingSeasonal.isFinite, "hidden.recurrent.pendingSeasonal", "not finite")
        try require(
            recurrent.scale.levelScale.isFinite && recurrent.scale.levelScale > 0, "hidden.recurrent.scale",
            "level scale \(recurrent.scale.levelScale) is not positive")
        try require(
            recurrent.scale.scale.isFinite && recurrent.scale.scale > 0, "hidden.recurrent.scale",
            "\(recurrent.scale.scale) is not positive")
    }

    private static func check(_ normaliser: Parts.Normaliser, _ bounds: Bounds) throws(Refusal) {
        let limit = Bounds.counterLimit
        try require(normaliser.ruleIndex >= 0, "normaliser.ruleIndex", "\(normaliser.ruleIndex) < 0")
        try require(
            (0...limit).contains(normaliser.steps), "normaliser.steps", "\(normaliser.steps) outside 0...\(limit)")
        try require(
            (0...normaliser.steps).contains(normaliser.presentSteps), "normaliser.presentSteps",
            "\(normaliser.presentSteps) outside 0...\(normaliser.steps) steps")
        try require(
            (0...normaliser.steps).contains(normaliser.stepsSinceForecast), "normaliser.stepsSinceForecast",
            "\(normaliser.stepsSinceForecast) outside 0...\(normaliser.steps) steps")
        try requireTime(normaliser.lastSeen, "normaliser.lastSeen")
        if let lastT = normaliser.lastT { try requireTime(lastT, "normaliser.lastT") }

        let resampler = normaliser.resampler
        try require(
            bounds.cadences.contains(resampler.cadence), "normaliser.resampler.cadence",
            "\(resampler.cadence) is not the configured cadence")
        try require(
            resampler.maximumGapSteps <= bounds.contextLength, "normaliser.resampler.maximumGapSteps",
            "\(resampler.maximumGapSteps) exceeds context_length \(bounds.contextLength)")
        try require(
            resampler.skippedGapSteps <= limit, "normaliser.resampler.skippedGapSteps",
            "\(resampler.skippedGapSteps) exceeds \(limit)")

        let context = normaliser.context.ring
        // The context also holds the fallback's history, m·G + R values, when that is longer.
        let contextLimit = max(
            bounds.contextLength,
            SeasonalNaiveForecaster.historyLength(
                period: max(1, bounds.season), maximumHorizon: bounds.horizon,
                residualWindow: StreamState.fallbackResidualWindow))
        try require(
            context.capacity <= contextLimit, "normaliser.context.capacity",
            "\(context.capacity) exceeds context_length \(bounds.contextLength) and the fallback's \(contextLimit)")
        for observation in context {
            try requireTime(observation.t, "normaliser.context.t")
            try require(observation.value?.isFinite ?? true, "normaliser.context.value", "not finite")
        }

        let fallback = normaliser.fallback
        try require(
            fallback.maximumHorizon == bounds.horizon, "normaliser.fallback.maximumHorizon",
            "\(fallback.maximumHorizon) is not horizon \(bounds.horizon)")
        try require(
            fallback.period <= bounds.season, "normaliser.fallback.period",
            "\(fallback.period) exceeds season \(bounds.season)")
        try require(
            fallback.residualWindow <= StreamState.fallbackResidualWindow, "normaliser.fallback.residualWindow",
            "\(fallback.residualWindow) exceeds \(StreamState.fallbackResidualWindow)")
    }

    private static func check(_ calibration: Parts.Calibration, _ bounds: Bounds) throws(Refusal) {
        let calibrator = calibration.calibrator
        try require(
            calibrator.horizon == bounds.horizon, "calibrator.calibrator.steps",
            "\(calibrator.horizon) steps for horizon \(bounds.horizon)")
        try require(calibrator.levels == bounds.levels, "calibrator.calibrator.levels", "not the configured quantiles")
        try require(
            calibrator.configuration.window <= bounds.calibrationWindow, "calibrator.calibrator.configuration.window",
            "\(calibrator.configuration.window) exceeds calibration.window \(bounds.calibrationWindow)")
        let drift = calibration.drift
        try require(drift.levels == bounds.levels, "calibrator.drift.levels", "not the configured quantiles")
        try require(
            drift.configuration.windowLength <= bounds.calibrationWindow, "calibrator.drift.configuration.windowLength",
            "\(drift.configuration.windowLength) exceeds calibration.window \(bounds.calibrationWindow)")

        let issued = calibration.issued
        try require(
            issued.count <= bounds.horizon, "calibrator.issued",
            "\(issued.count) forecasts for horizon \(bounds.horizon)")
        let k = bounds.levels.count
        for forecast in issued.compactMap(\.self) {
            // Scoring reads row h − 1 of every forecast for h up to the horizon.
            try require(
                forecast.model.count == bounds.horizon && forecast.raw.count == bounds.horizon,
                "calibrator.issued.steps",
                "\(forecast.model.count) steps for horizon \(bounds.horizon)")
            try require(
                zip(forecast.model, forecast.raw).allSatisfy { [0, k].contains($0.count) && $0.count == $1.count },
                "calibrator.issued.levels", "rows do not hold \(k) quantiles")
            try require(
                [0, k].contains(forecast.published.count), "calibrator.issued.published",
                "\(forecast.published.count) quantiles for \(k) levels")
        }
    }

    private static func require(
        _ condition: Bool, _ field: String, _ detail: @autoclosure () -> String
    )
        throws(Refusal)
    {
        if !condition { throw Refusal(field: field, detail: detail()) }
    }

    private static func requireTime(_ time: Double, _ field: String) throws(Refusal) {
        try require(
            time.isFinite && abs(time) <= Bounds.timeLimit, field, "\(time) is beyond \(Bounds.timeLimit) s")
    }
}
