/// One stream's forecasts issued after each of the last H steps, kept until their outcomes arrive, and what learns
/// from those outcomes: the ``ConformalCalibrator`` that calibrates every forecast issued, the ``DriftMonitor`` and,
/// when kept, the ``HorizonScores``.
///
/// ``ProgressiveEvaluation/step(_:)`` is ``score(_:)``, the forecaster's `learn`, then
/// ``issue(_:calibrate:keepMedian:floor:)``; the daemon's engine calls the same two around its batched learning and
/// sampling, so the loop exists once.
///
/// For observation `j` with a present value `y`, the forecast issued after observation `j − h` is scored at its step
/// `h` for every `h ≤ H`: its model and raw quantiles and `y` into the calibrator (step h), its published step-1
/// quantiles into the drift monitor, its published quantiles into the scores. A missing observation scores nothing.
/// A forecast not issued after an observation (a cold forecaster, or one forecasting every few steps) scores nothing
/// H steps later.
///
/// Memory: the unscored rows of the last H forecasts, H(H+1)/2 model and as many raw rows of K quantiles in one
/// buffer of 8-bit codes (``PendingForecasts``, ``RowPairCodes``; 1.6 KB for H = 12, K = 7; 38 KB for H = 48,
/// K = 13). Each observation costs up to H calibrator updates; each issue H calibrated rows.
public struct ForecastFeedback: Sendable, Equatable {
    /// The online conformal correction applied to every issued forecast.
    public private(set) var calibrator: ConformalCalibrator

    /// Moves the calibrator's own score windows into its group's `pool` (see
    /// ``ConformalCalibrator/moveScores(into:)``).
    public mutating func moveScores(into pool: inout CalibrationScorePool) { calibrator.moveScores(into: &pool) }

    /// Gives a pooled calibrator windows of its own (see ``ConformalCalibrator/keepOwnScores()``).
    public mutating func keepOwnScores() { calibrator.keepOwnScores() }
    /// Windows and change alarms of the step-1 published forecasts.
    public private(set) var drift: DriftMonitor
    /// Scores of the published forecasts per horizon step; nil when not kept (the daemon stores what it publishes
    /// and scores it from the store).
    public private(set) var scores: HorizonScores?
    /// The forecasts issued after each of the last H observations, reduced to the rows scoring still needs.
    private var pending: PendingForecasts

    /// The forecasts issued after each of the last H observations, oldest first; nil where none was issued.
    public var issued: [IssuedForecast?] { pending.issued }

    /// What scoring one observation did.
    public struct Scoring: Sendable, Equatable {
        /// How many earlier forecasts (steps) were scored against the observation.
        public var scored = 0
        /// Rows the calibrator or the drift monitor refused (non-finite quantiles from the forecaster).
        public var rejected = 0
        /// What the drift monitor reported, when the step-1 forecast was scored.
        public var drift: DriftMonitor.Update?
    }

    /// What one issue published.
    public struct Issue: Sendable, Equatable {
        /// The calibrated quantiles of steps 1…H, rearranged so each row is monotone.
        public var quantiles: [[Double]]
        /// Whether a quantile was raised to the floor.
        public var raisedToFloor: Bool
    }

    /// Feedback from the parts of a stream: `calibrator` sets the horizon H and the levels, which `drift`, `scores`
    /// and the `issued` forecasts (oldest first, at most H; a restored state is checked by its owner) must match.
    public init(
        calibrator: ConformalCalibrator, drift: DriftMonitor, scores: HorizonScores? = nil,
        issued: [IssuedForecast?] = []
    ) {
        self.calibrator = calibrator
        self.drift = drift
        self.scores = scores
        self.pending = PendingForecasts(
            horizon: calibrator.horizon, levelCount: calibrator.levels.count, issued: issued)
    }

    /// Scores the forecasts issued 1…H observations before `observation` (the calibrator learns from the model
    /// quantiles and the raw rows it issued, the drift monitor and the scores from the published quantiles), then
    /// makes room for the forecast issued after it. Each step of a forecast is scored once, or passes unscored with a
    /// missing observation: its rows are dropped either way.
    public mutating func score(_ observation: Observation) -> Scoring {
        var none: CalibrationScorePool?
        return score(observation, pool: &none)
    }

    /// ``score(_:)`` for a stream whose calibrator reads and feeds its group's `pool` (see
    /// ``ConformalCalibrator/isPooled``).
    public mutating func score(_ observation: Observation, pool: inout CalibrationScorePool?) -> Scoring {
        var result = Scoring()
        if let y = observation.value, y.isFinite {
            for h in stride(from: 1, through: min(calibrator.horizon, pending.count), by: 1) {
                guard let (model, raw, published, keptMedian) = pending.scoring(step: h) else { continue }
                defer { pending.markScored(step: h) }
                do {
                    try calibrator.update(
                        step: h, quantiles: model, issued: raw, outcome: y,
                        frozenLevel: keptMedian ? calibrator.levels.medianIndex : nil, pool: &pool)
                    if h == 1 {
                        result.drift = try drift.update(time: observation.t, quantiles: published, outcome: y)
                    }
                } catch {
                    result.rejected += 1
                    continue
                }
                if scores != nil {
                    var published = raw
                    QuantileLevels.rearrange(&published)
                    scores!.score(step: h, quantiles: published, outcome: y)
                }
                result.scored += 1
            }
        } else {
            // Step h of the forecast issued h observations ago could be scored by this observation only.
            for h in stride(from: 1, through: min(calibrator.horizon, pending.count), by: 1) {
                pending.markScored(step: h)
            }
        }
        pending.advance()
        return result
    }

    /// Issues a forecast after the observation scored last: calibrates `model` (the forecaster's quantiles of steps
    /// 1…H at the calibrator's levels), raises every quantile below `floor` to it, keeps the rows scoring needs and
    /// returns the published rows.
    /// - Parameters:
    ///   - calibrate: false to publish the model's quantiles uncorrected (the calibrator then only reports their
    ///     coverage).
    ///   - keepMedian: true to leave the level-0.5 quantile as the model gave it and correct only the other levels;
    ///     the rows are still sorted, so a corrected neighbour that crosses the median takes its place.
    ///   - floor: a bound no outcome falls below (0 for a stream never negative): for such outcomes raising a
    ///     quantile to it can only lower its pinball loss. Raised before the rows are kept, so the calibrator and the
    ///     drift monitor learn from what was published.
    ///   - pool: the score windows of a pooled calibrator (see ``ConformalCalibrator/isPooled``).
    public mutating func issue(
        _ model: [[Double]], calibrate: Bool = true, keepMedian: Bool = false, floor: Double? = nil,
        pool: CalibrationScorePool? = nil
    ) -> Issue {
        var raw = model
        if calibrate {
            for h in raw.indices {
                calibrator.calibrate(step: h + 1, quantiles: &raw[h], rearrange: false, pool: pool)
            }
            if keepMedian, let m = calibrator.levels.medianIndex {
                for h in raw.indices { raw[h][m] = model[h][m] }
            }
        }
        var raised = false
        if let floor {
            for h in raw.indices {
                for k in raw[h].indices where raw[h][k] < floor {
                    raw[h][k] = floor
                    raised = true
                }
            }
        }
        var published = raw
        for h in published.indices { QuantileLevels.rearrange(&published[h]) }
        let keptMedian = calibrate && keepMedian && calibrator.levels.medianIndex != nil
        // Fills the slot `score` made for the step just scored, or makes one when there is none yet.
        pending.issue(
            model: model, raw: raw, published: published.first ?? [], keptMedian: keptMedian, floor: floor ?? 0)
        return Issue(quantiles: published, raisedToFloor: raised)
    }
}
