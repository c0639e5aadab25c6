import BARNN
import Forecasting

/// The promotion gate: a candidate and the active model forecast the same validation windows (the most recent part
/// of each series), one step ahead with the same Monte Carlo draws, and the candidate replaces the active model only
/// when it is no worse within the tolerance.
///
/// Each model is warmed over the part before the validation tail (scale fitted there, as in training), then per
/// validation step samples `paths` paths one step ahead, is scored (CRPS from the quantiles, coverage of each
/// central interval) and advances with the observation. The model's quantiles are scored uncalibrated: the
/// streams' conformal calibrators adapt to whichever model serves them.
struct PromotionGate: Sendable {
    /// The group's quantile levels.
    var levels: QuantileLevels
    /// Monte Carlo paths per forecast.
    var paths: Int
    /// `retrain.promotion_tolerance`: relative CRPS slack and absolute coverage-error slack.
    var tolerance: Double
    /// Seed of the validation draws (the same for both models: common random numbers).
    var seed: UInt64
    /// Fraction of each series held out (`retrain.validation_fraction`).
    var validationFraction: Double
    /// At most this many validation steps per series (the most recent ones), bounding the gate's cost.
    var maximumSteps = 1000

    /// Scores of one model on the validation windows.
    struct Scores: Sendable, Equatable {
        /// Forecasts scored.
        var count: Int
        /// Mean CRPS (raw units).
        var crps: Double
        /// Empirical coverage per central interval, with its nominal level.
        var coverage: [(nominal: Double, empirical: Double)]

        /// Mean |empirical − nominal| over the central intervals.
        var coverageError: Double {
            coverage.isEmpty ? 0 : coverage.reduce(0) { $0 + abs($1.empirical - $1.nominal) } / Double(coverage.count)
        }

        static func == (lhs: Scores, rhs: Scores) -> Bool {
            lhs.count == rhs.count && lhs.crps == rhs.crps
                && lhs.coverage.map(\.empirical) == rhs.coverage.map(\.empirical)
        }

        /// `{"n":…,"crps":…,"coverage_error":…,"coverage":{"0.9":…}}`.
        var json: String {
            let levels = coverage.map { "\"\($0.nominal)\":\(Self.number($0.empirical))" }.joined(separator: ",")
            return "{\"n\":\(count),\"crps\":\(Self.number(crps)),\"coverage_error\":\(Self.number(coverageError)),"
                + "\"coverage\":{\(levels)}}"
        }

        private static func number(_ value: Double) -> String { value.isFinite ? "\(value)" : "null" }
    }

    /// Both models' scores and the verdict.
    struct Comparison: Sendable {
        /// The candidate's scores.
        var candidate: Scores
        /// The active model's scores; nil for a first training.
        var active: Scores?
        /// The active version compared against (0 for none).
        var activeVersion: Int
        /// Whether the candidate passes the gate.
        var promote: Bool
    }

    /// A validation series: raw values (NaN = missing) and time features [T, F].
    struct Series: Sendable {
        var values: [Float]
        var timeFeatures: [Float]
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

    /// One model's one-step-ahead scores over the validation tails.
    /// - Complexity: O(Σ T) steps and O(validation steps · paths) forward rows.
    func score(_ model: BARNNModel, series: [Series]) -> Scores {
        let nF = model.configuration.timeFeatures
        let workspace = BARNNWorkspace(configuration: model.configuration)
        var scores = HorizonScores(levels: levels, horizon: 1, coverages: levels.centralIntervals.map(\.coverage))
        let floatLevels = levels.values.map(Float.init)
        var rng = SeededRNG(seed: seed, stream: 0x6A7E)
        for item in series {
            let count = item.values.count
            let split = max(
                count - min(maximumSteps, Int((Double(count) * validationFraction).rounded(.up))), 2)
            guard split < count else { continue }
            let head = Array(item.values[..<split])
            guard head.contains(where: \.isFinite) else { continue }
            let state = model.warmUp(
                values: head, timeFeatures: Array(item.timeFeatures[..<(split * nF)]),
                scale: SeriesScale(fitting: head),
                workspace: workspace)
            var batch = RecurrentBatch([state], hiddenSize: model.configuration.hiddenSize)
            for t in split..<count {
                let features = Array(item.timeFeatures[(t * nF)..<((t + 1) * nF)])
                let y = item.values[t]
                if y.isFinite {
                    let forecast = model.sample(
                        batch, paths: paths, horizon: 1, timeFeatures: features, levels: floatLevels, rng: &rng,
                        workspace: workspace)
                    let quantiles = (0..<levels.count).map { forecast.quantile(stream: 0, step: 0, level: $0) }
                    if quantiles.allSatisfy(\.isFinite) {
                        scores.score(step: 1, quantiles: quantiles, outcome: Double(y))
                    } else {
                        // A model that cannot forecast a step is charged as infinitely wrong.
                        return Scores(count: 0, crps: .infinity, coverage: [])
                    }
                }
                model.step(&batch, observations: [y], timeFeatures: features, workspace: workspace)
            }
        }
        let step = scores.steps[0]
        guard step.count > 0 else { return Scores(count: 0, crps: .nan, coverage: []) }
        return Scores(
            count: step.count, crps: step.meanCRPS,
            coverage: scores.intervals.indices.map { (scores.intervals[$0].coverage, step.coverage($0)) })
    }
}
