import BARNN
package import Forecasting
package import Storage

/// The promotion gate: a candidate and the active model forecast the same validation windows (the most recent part
/// of each series) over the group's whole horizon with the same Monte Carlo draws, and the candidate replaces the
/// active model only when it is no worse within the tolerance.
///
/// Each model is warmed over the part before the validation tail (scale fitted there, as in training), then walks
/// the tail: every ``originStride`` steps it samples `paths` paths `horizon` steps ahead (fewer at the end of the
/// series) and each step of the window is scored (CRPS from the quantiles, coverage of each central interval); it
/// advances with every observation. Scores pool all steps 1…H, because that is what the daemon publishes: a gate on
/// one-step forecasts promoted candidates that were better one step ahead and worse at the horizons people read
/// (docs/backtest.md). The model's quantiles are scored uncalibrated: the streams' conformal calibrators adapt to
/// whichever model serves them.
package struct PromotionGate: Sendable {
    /// The group's quantile levels.
    var levels: QuantileLevels
    /// Monte Carlo paths per forecast.
    var paths: Int
    /// Steps per validation forecast (the group's horizon H).
    var horizon: Int
    /// `retrain.promotion_tolerance`: relative CRPS slack and absolute coverage-error slack.
    var tolerance: Double
    /// Seed of the validation draws (the same for both models: common random numbers).
    var seed: UInt64
    /// Fraction of each series held out (`retrain.validation_fraction`).
    var validationFraction: Double
    /// At most this many validation steps per series (the most recent ones), bounding the gate's cost.
    var maximumSteps = 1000

    /// A gate for one model group's validation comparison.
    package init(
        levels: QuantileLevels, paths: Int, horizon: Int, tolerance: Double, seed: UInt64, validationFraction: Double,
        maximumSteps: Int = 1000
    ) {
        self.levels = levels
        self.paths = paths
        self.horizon = horizon
        self.tolerance = tolerance
        self.seed = seed
        self.validationFraction = validationFraction
        self.maximumSteps = maximumSteps
    }

    /// Steps between validation origins: H/4, so windows overlap and each step is scored at about four horizons,
    /// for about four times the forward passes of a one-step walk.
    var originStride: Int { max(1, horizon / 4) }

    /// Scores of one model on the validation windows.
    package struct Scores: Sendable, Equatable {
        /// Forecasts scored.
        var count: Int
        /// Mean CRPS (raw units).
        package var crps: Double
        /// Empirical coverage per central interval, with its nominal level.
        var coverage: [(nominal: Double, empirical: Double)]

        /// Mean |empirical − nominal| over the central intervals.
        var coverageError: Double {
            coverage.isEmpty ? 0 : coverage.reduce(0) { $0 + abs($1.empirical - $1.nominal) } / Double(coverage.count)
        }

        package static func == (lhs: Scores, rhs: Scores) -> Bool {
            lhs.count == rhs.count && lhs.crps == rhs.crps
                && lhs.coverage.map(\.empirical) == rhs.coverage.map(\.empirical)
        }

        /// The scores as events and checkpoints record them.
        package var record: EventDetail.GateScores {
            EventDetail.GateScores(
                n: count, crps: crps, coverageError: coverageError,
                coverage: LevelValues(coverage.map { DriftRecord.LevelValue(level: $0.nominal, value: $0.empirical) }))
        }
    }

    /// Both models' scores and the verdict.
    package struct Comparison: Sendable {
        /// The candidate's scores.
        package var candidate: Scores
        /// The active model's scores; nil for a first training.
        package var active: Scores?
        /// The active version compared against (0 for none).
        package var activeVersion: Int
        /// Whether the candidate passes the gate.
        var promote: Bool
    }

    /// A validation series: raw values (NaN = missing) and time features [T, F].
    struct Series: Sendable {
        var values: [Float]
        /// Unix time of each value's step; each model computes its own calendar features from them.
        var times: [Double]
        /// Stream step index of the first value.
        var firstIndex = 0
    }

    /// Compares `candidate` with `active` (when there is one) on `series`.
    func compare(candidate: BARNNModel, active: (model: BARNNModel, version: Int)?, series: [Series]) -> Comparison {
        let candidateScores = score(candidate, series: series)
        guard let active else {
            return Comparison(candidate: candidateScores, active: nil, activeVersion: 0, promote: true)
        }
        let activeScores = score(active.model, series: series)
        return Comparison(
            candidate: candidateScores, active: activeScores, activeVersion: active.version,
            promote: passes(candidateScores, against: activeScores))
    }

    /// The verdict: the candidate's CRPS at most `tolerance` (relative) worse and its coverage error at most
    /// `tolerance` (absolute) worse. A candidate that scored nothing never passes; an active model that scored
    /// nothing (no validation data) lets any scored candidate pass.
    func passes(_ candidate: Scores, against active: Scores) -> Bool {
        guard candidate.count > 0, candidate.crps.isFinite else { return false }
        guard active.count > 0, active.crps.isFinite else { return true }
        return candidate.crps <= active.crps * (1 + tolerance) + 1e-12
            && candidate.coverageError <= active.coverageError + tolerance + 1e-12
    }

    /// One model's scores over the validation tails, pooled over the steps 1…H of every window.
    /// - Complexity: O(Σ T) steps and O(validation steps · paths · H / ``originStride``) forward rows.
    func score(_ model: BARNNModel, series: [Series]) -> Scores {
        let nF = model.configuration.timeFeatures
        let workspace = BARNNWorkspace(configuration: model.configuration)
        var scores = HorizonScores(
            levels: levels, horizon: horizon, coverages: levels.centralIntervals.map(\.coverage))
        let floatLevels = levels.values.map(Float.init)
        var rng = SeededRNG(seed: seed, stream: 0x6A7E)
        for item in series {
            let count = item.values.count
            let split = max(
                count - min(maximumSteps, Int((Double(count) * validationFraction).rounded(.up))), 2)
            guard split < count else { continue }
            let head = Array(item.values[..<split])
            guard head.contains(where: \.isFinite) else { continue }
            let timeFeatures = model.configuration.calendar.features(
                unixTimes: item.times, firstIndex: item.firstIndex, width: nF)
            let state = model.warmUp(
                values: head, timeFeatures: Array(timeFeatures[..<(split * nF)]),
                scale: model.scale(fitting: head),
                workspace: workspace)
            var batch = RecurrentBatch(
                [state], hiddenSize: model.configuration.hiddenSize, seasonalLag: model.configuration.seasonalLag)
            for t in split..<count {
                let window = min(horizon, count - t)
                if (t - split) % originStride == 0, item.values[t..<(t + window)].contains(where: \.isFinite) {
                    let forecast = model.sample(
                        batch, paths: paths, horizon: window,
                        timeFeatures: Array(timeFeatures[(t * nF)..<((t + window) * nF)]), levels: floatLevels,
                        rng: &rng, workspace: workspace)
                    for h in 0..<window where item.values[t + h].isFinite {
                        let quantiles = (0..<levels.count).map { forecast.quantile(stream: 0, step: h, level: $0) }
                        // A model that cannot forecast a step is charged as infinitely wrong.
                        guard quantiles.allSatisfy(\.isFinite) else {
                            return Scores(count: 0, crps: .infinity, coverage: [])
                        }
                        scores.score(step: h + 1, quantiles: quantiles, outcome: Double(item.values[t + h]))
                    }
                }
                model.step(
                    &batch, observations: [item.values[t]],
                    timeFeatures: Array(timeFeatures[(t * nF)..<((t + 1) * nF)]),
                    workspace: workspace)
            }
        }
        let count = scores.steps.reduce(0) { $0 + $1.count }
        guard count > 0 else { return Scores(count: 0, crps: .nan, coverage: []) }
        let crps = scores.steps.reduce(0) { $0 + $1.crps }
        return Scores(
            count: count, crps: crps / Double(count),
            coverage: scores.intervals.indices.map { i in
                (scores.intervals[i].coverage, Double(scores.steps.reduce(0) { $0 + $1.hits[i] }) / Double(count))
            })
    }
}
