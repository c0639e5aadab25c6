/// An online conformal correction, per stream and horizon step, that turns a model's quantiles into quantiles whose
/// long-run coverage matches their nominal levels.
///
/// **Score.** For level τₖ the nonconformity score of an outcome is `sₖ = (y − qₖ) / w`, the outcome's signed
/// distance above the model quantile in units of the model's outer width `w = q_last − q_first`, as in
/// conformalized quantile regression (Romano, Patterson & Candès 2019) but one sided per level, so asymmetric level
/// sets, skew and a biased median are corrected too. The calibrated quantile is `q′ₖ = qₖ + w·cₖ`, where the offset
/// `cₖ` comes from the ``Method``; one rule is applied to every level and the result is rearranged (sorted) so the
/// quantiles never cross. `w` is floored by ``Configuration/typicalWidthFloor`` times the step's typical width:
/// on real data (cycling power at rest) a width that collapses to 0 otherwise stores scores of ±10³⁰ that later
/// multiply a normal width (ACI's CRPS grew 67-fold on one dataset without the floor).
///
/// **Delayed feedback.** A forecast issued at `t` for step `h` is scored at `t + h`. The calibrator keeps no pending
/// forecasts: the engine already keeps them to score them, so it hands back `(h, model quantiles, outcome)` through
/// ``update(step:quantiles:outcome:)``. Every method only needs the scores, which depend on the model quantiles and
/// the outcome and not on the calibrator's state, so nothing is lost by not storing the calibrated interval; the hit
/// indicators ACI feeds back are evaluated with the state at scoring time (a delay-robust variant of Gibbs & Candès).
///
/// **Memory.** Per step: K offsets, plus for the window methods K windows of W `Float` scores kept twice (ring and
/// sorted): about `8·K·W` bytes per step, so 2.5 MB for H = 48, K = 13, W = 500; the tracking method needs O(K) per
/// step. Once: a coverage ring of W one-byte entries (two beyond 15 levels) for step 1, the step whose coverage is
/// published. A calibrator made `pooled` keeps no score windows: it reads and feeds a ``CalibrationScorePool`` its
/// owner shares among streams.
///
/// - Complexity: ``update(step:quantiles:outcome:)`` is O(K·W) memory moves for the window methods and O(K) for
///   tracking; ``calibrate(step:quantiles:)`` is O(K); neither allocates once the windows are full.
public struct ConformalCalibrator: Sendable, Equatable {
    /// How the offset of each level is chosen.
    public enum Method: Sendable, Codable, Hashable {
        /// Split conformal on a rolling window: `cₖ` is the conformal τₖ-quantile of the last W scores of the level.
        case rollingWindow
        /// Adaptive conformal inference (Gibbs & Candès 2021, eq. 2) on the rolling window: each level keeps an
        /// effective level `τ̃ₖ ← τ̃ₖ + γ(τₖ − 1{y < qₖ + w·cₖ})` (before rearrangement; an outcome on the quantile
        /// counts τₖ, see ``hit(outcome:quantile:level:)``) and `cₖ` is the window's quantile at `τ̃ₖ`, or past
        /// [0, 1] the window's extreme score moved out by `(τ̃ₖ − 1)` (or `−τ̃ₖ`) times the window's range, where
        /// Gibbs & Candès publish an unbounded interval. τ̃ is kept in ``adaptiveLevelRange``. Long-run miss rate is
        /// within `max(τ̃ excursion)/(γT)` of nominal whatever the data do, as long as τ̃ is not held at a bound.
        case adaptive(gamma: Double)
        /// Online quantile tracking (Angelopoulos, Candès & Tibshirani 2023, "Conformal PID control", the P term):
        /// `cₖ ← cₖ + η(τₖ − 1{y < q′ₖ})` (a tie counts τₖ), a stochastic-gradient step on the pinball loss of the
        /// offset. Needs no score window (O(K) memory per step), `η` is in units of the model width.
        case quantileTracking(rate: Double)

        /// Whether the method reads windows of recent scores (tracking keeps only its offsets).
        public var readsScores: Bool {
            if case .quantileTracking = self { return false }
            return true
        }
    }

    /// Where ACI's effective levels τ̃ are kept. Holding them in [0, 1] lost every miss that arrived while a level
    /// was at 1 and its interval still too narrow, and errors 24–48 steps ahead come in such bursts: on the 14
    /// development datasets the 48-step forecasts of elecdemand left 4–6 % of outcomes above the 97.5 % quantile and
    /// cov90 0.862 on the first fit; with [−0.5, 1.5], 0.885 (mean abs(cov90 − 0.90) 0.014 → 0.011, sCRPS +0.4 %).
    public static let adaptiveLevelRange: ClosedRange<Double> = -0.5...1.5

    /// Settings of a calibrator.
    public struct Configuration: Sendable, Codable, Hashable {
        /// The offset rule. The default is ``Method/quantileTracking(rate:)`` with η = 0.005, fed the issued rows.
        /// On synthetic streams (`CalibrationMeasurementTests`) every method reaches 90% ± 0.3%. On the six real
        /// development datasets (`forecasting-bench calibration`) with a too-narrow model (cov90 0.80), it gave
        /// cov90 0.886 and sCRPS 0.90 of uncalibrated; with an already calibrated one (cov90 0.89), cov90 0.904 and
        /// sCRPS 1.06. The rolling window (W = 500) did best on CRPS (0.88 and 1.03, cov90 0.877 and 0.871) but keeps
        /// 2.5 MB per stream for H = 48 against about 25 KB, and costs 5× more per update; η = 0.02 reached cov90
        /// 0.907 and 0.912 at the price of CRPS (1.00 and 1.25); W = 200 and ACI did worse.
        public var method: Method = .quantileTracking(rate: 0.005)
        /// W, the number of recent outcomes per step whose scores and hits are kept. The default is 500.
        public var window: Int = 500
        /// Scores a step needs before the window methods adjust anything; until then the model's quantiles pass
        /// through unchanged. The default is 30.
        public var minimumCount: Int = 30
        /// Smallest model width used to normalise scores (units of the outcome), so a degenerate forecast with all
        /// quantiles equal can still be widened. The default is 1e-9.
        public var scaleFloor: Double = 1e-9
        /// The width that normalises scores is at least this fraction of the step's typical width (an exponential
        /// average of past model widths), so a forecast whose width collapses (a constant stretch, an empty
        /// residual window) neither stores huge scores nor gets a vanishing correction. 0 uses the forecast's own
        /// width only; a large value normalises by the typical width. The default is 0.5.
        public var typicalWidthFloor: Double = 0.5
        /// Weight of the newest width in the typical width's exponential average. The default is 0.01 (about the
        /// last 100 outcomes of the step).
        public var typicalWidthSmoothing: Double = 0.01

        /// The defaults.
        public init() {}

        /// A configuration with the given method and window.
        public init(
            method: Method, window: Int = 500, minimumCount: Int = 30, scaleFloor: Double = 1e-9,
            typicalWidthFloor: Double = 0.5
        ) {
            self.method = method
            self.window = window
            self.minimumCount = minimumCount
            self.scaleFloor = scaleFloor
            self.typicalWidthFloor = typicalWidthFloor
        }
    }

    /// The levels of the quantiles this calibrator adjusts.
    public let levels: QuantileLevels
    /// The settings.
    public let configuration: Configuration
    /// Per step `h` (index `h − 1`).
    var steps: [StepState]
    /// Per step and level, step-major (`[s·K + k]`): how far the parameter has moved from where it starts, the
    /// effective level τ̃ from τₖ (adaptive) or the offset c from 0 (tracking), as a `Float`; unused for the rolling
    /// window. The moves are sums of steps of γ(τ − hit), which a `Float` holds to 10⁻⁸ of a level: 0.3 KB a stream
    /// less at H 12, K 7 than the `Double` parameters (`engine-bench memory`, stop 33; the 14-dataset backtest scored
    /// the same to three decimals), and a parameter that has not moved is its start exactly. One array instead of one
    /// per step: 12 allocations a stream were 1.2 KB.
    var shifts: [Float]

    /// Where the parameter of level `k` starts under `method`: τₖ (adaptive), else 0.
    @inline(__always)
    static func start(level k: Int, of levels: QuantileLevels, method: Method) -> Double {
        if case .adaptive = method { return levels.values[k] }
        return 0
    }

    /// Where parameter `p` (`s·K + k`) starts.
    @inline(__always)
    private func start(_ p: Int) -> Double {
        Self.start(level: p % levels.count, of: levels, method: configuration.method)
    }

    /// Parameter `p` (`s·K + k`): the effective level τ̃ (adaptive) or the offset c (tracking).
    @inline(__always)
    func parameter(_ p: Int) -> Double { start(p) + Double(shifts[p]) }

    /// Sets parameter `p` to `value`, held as its shift from where it starts.
    @inline(__always)
    mutating func setParameter(_ p: Int, _ value: Double) { shifts[p] = Float(value - start(p)) }

    /// Every parameter, step-major.
    var parameters: [Double] { shifts.indices.map(parameter) }

    /// The state of one horizon step besides its parameters.
    struct StepState: Sendable, Equatable {
        /// Per level: the window of scores (window methods only, empty otherwise).
        var scores: [RollingWindowQuantile]
        /// Exponential average of the model widths seen at this step (0 before the first outcome).
        var typicalWidth = 0.0
    }

    /// The parameters of step index `s`, [K].
    func parameters(step s: Int) -> [Double] {
        ((s * levels.count)..<((s + 1) * levels.count)).map(parameter)
    }

    /// The outcomes of step 1 over the last W: its coverage is the one published (`calibration.empirical`). Kept for
    /// step 1 only, since no other step's is read: at the bundled H 12, W 300 a ring per step was 7 KB a stream.
    struct CoverageWindow: Sendable, Equatable {
        /// Per outcome: `#{q′ < y}` and `#{q′ ≤ y}`.
        var positions: CoveragePositions
        /// Per level: outcomes of the window at or below the calibrated quantile.
        var atOrBelow: [Int]
        /// Per central interval of ``ConformalCalibrator/intervals``: outcomes inside it.
        var inside: [Int]
    }

    /// The coverage of step 1.
    var coverageWindow: CoverageWindow

    /// The central intervals whose coverage is counted (all those the levels support).
    public let intervals: [CentralInterval]

    /// A calibrator for steps 1…`horizon` that adjusts nothing until it has seen outcomes; a `pooled` one keeps no
    /// score windows and takes a ``CalibrationScorePool`` in every call (the methods without windows ignore it).
    /// Traps on `horizon < 1`, `window < 1` or a non-positive rate (programmer errors in the configuration).
    public init(
        levels: QuantileLevels, horizon: Int, configuration: Configuration = Configuration(), pooled: Bool = false
    ) {
        precondition(horizon >= 1, "calibrator horizon must be at least 1, got \(horizon)")
        precondition(configuration.window >= 1, "calibrator window must be at least 1, got \(configuration.window)")
        precondition(configuration.scaleFloor > 0, "scaleFloor must be positive, got \(configuration.scaleFloor)")
        precondition(configuration.typicalWidthFloor >= 0, "typicalWidthFloor must be >= 0")
        precondition(
            configuration.typicalWidthSmoothing > 0 && configuration.typicalWidthSmoothing <= 1,
            "typicalWidthSmoothing must be in (0, 1]")
        let k = levels.count
        var scores: [RollingWindowQuantile] = []
        switch configuration.method {
        case .rollingWindow:
            break
        case .adaptive(let gamma):
            precondition(gamma > 0 && gamma < 1, "ACI gamma must be in (0, 1), got \(gamma)")
        case .quantileTracking(let rate):
            precondition(rate > 0, "tracking rate must be positive, got \(rate)")
        }
        if configuration.method.readsScores && !pooled {
            scores = Array(repeating: RollingWindowQuantile(capacity: configuration.window), count: k)
        }
        self.levels = levels
        self.configuration = configuration
        self.intervals = levels.centralIntervals
        self.steps = Array(repeating: StepState(scores: scores), count: horizon)
        self.shifts = [Float](repeating: 0, count: horizon * k)
        self.coverageWindow = CoverageWindow(
            positions: CoveragePositions(capacity: configuration.window, levels: k),
            atOrBelow: Array(repeating: 0, count: k),
            inside: Array(repeating: 0, count: levels.centralIntervals.count))
    }

    /// The horizon H.
    public var horizon: Int { steps.count }

    /// Whether the method reads score windows.
    public var usesScores: Bool { configuration.method.readsScores }

    /// Whether the score windows are a ``CalibrationScorePool`` passed in, not the calibrator's own.
    public var isPooled: Bool { usesScores && steps[0].scores.isEmpty }

    /// A pool shaped for this calibrator's levels, horizon and window.
    public func makePool() -> CalibrationScorePool {
        CalibrationScorePool(levelCount: levels.count, horizon: horizon, window: configuration.window)
    }

    /// Moves the calibrator's own score windows into `pool` (oldest first, so the pool keeps the newest) and makes it
    /// pooled; its effective levels are kept. A pooled calibrator, or one without windows, is left as it is.
    /// Traps when the pool's shape differs.
    public mutating func moveScores(into pool: inout CalibrationScorePool) {
        guard usesScores, !isPooled else { return }
        checkShape(pool)
        for s in steps.indices {
            for k in steps[s].scores.indices {
                for score in steps[s].scores[k].values { pool.windows[s][k].append(score) }
            }
            steps[s].scores = []
        }
    }

    /// Gives a pooled calibrator empty windows of its own (its group no longer pools, or pools another shape); its
    /// effective levels are kept. Others are left as they are.
    public mutating func keepOwnScores() {
        guard isPooled else { return }
        for s in steps.indices {
            steps[s].scores = Array(
                repeating: RollingWindowQuantile(capacity: configuration.window), count: levels.count)
        }
    }

    /// Whether `pool` has this calibrator's levels, horizon and window.
    public func fits(_ pool: CalibrationScorePool) -> Bool {
        pool.fits(levelCount: levels.count, horizon: horizon, window: configuration.window)
    }

    private func checkShape(_ pool: CalibrationScorePool) {
        precondition(
            fits(pool),
            "score pool \(pool.levelCount)×\(pool.horizon)×\(pool.window) does not fit the calibrator")
    }

    /// Adjusts the model's quantiles for step `h` (1-based) in place and, unless `rearrange` is false, keeps them
    /// monotone. Keep the unrearranged row (`rearrange: false`) of a published forecast to hand it back as `issued`
    /// to ``update(step:quantiles:issued:outcome:)``; publish its sorted copy.
    /// - Complexity: O(K) (O(K log K) if the offsets made them cross); allocates nothing otherwise.
    /// A pooled calibrator reads its windows from `pool` (required then; see ``isPooled``).
    public func calibrate(
        step h: Int, quantiles: inout [Double], rearrange: Bool = true, pool: CalibrationScorePool? = nil
    ) {
        precondition(h >= 1 && h <= steps.count, "step \(h) outside 1...\(steps.count)")
        precondition(quantiles.count == levels.count, "\(quantiles.count) quantiles for \(levels.count) levels")
        let pool = checkedPool(pool)
        let w = width(quantiles, step: h - 1)
        for k in quantiles.indices {
            quantiles[k] += w * offset(step: h - 1, level: k, pool: pool)
        }
        if rearrange { QuantileLevels.rearrange(&quantiles) }
    }

    /// The calibrated copy of `quantiles` for step `h`.
    public func calibrated(step h: Int, quantiles: [Double], pool: CalibrationScorePool? = nil) -> [Double] {
        var copy = quantiles
        calibrate(step: h, quantiles: &copy, pool: pool)
        return copy
    }

    /// The pool when the calibrator is pooled (trapping when it is missing or misshapen), nil otherwise.
    @inline(__always)
    private func checkedPool(_ pool: CalibrationScorePool?) -> CalibrationScorePool? {
        guard isPooled else { return nil }
        guard let pool else { preconditionFailure("a pooled calibrator needs its score pool") }
        checkShape(pool)
        return pool
    }

    /// Learns from the outcome `y` of a forecast for step `h` whose model (uncalibrated) quantiles were `quantiles`.
    ///
    /// `issued` is the calibrated row as it was issued, before rearrangement (see
    /// ``calibrate(step:quantiles:rearrange:)``). With it, the hit indicators that ACI and tracking feed back and the
    /// reported coverage are those of the forecast actually published (Gibbs & Candès's `err_t`); without it they
    /// are re-evaluated with the current state, which on autocorrelated real errors lets coverage settle below
    /// nominal. First the coverage is recorded, then the offsets are updated.
    /// - Throws: ``ForecastInputError`` for a step out of range, a wrong count or non-finite numbers; the state is then
    ///   unchanged.
    /// - Complexity: see the type.
    ///
    /// `frozenLevel` is a level whose published quantile was not the calibrator's (the model's median kept, see
    /// ``ForecastFeedback/issue(_:calibrate:keepMedian:floor:)``): its score is recorded but its offset is not
    /// updated, since hits of a quantile it did not set would move it open-loop to the end of its range.
    public mutating func update(
        step h: Int, quantiles: [Double], issued: [Double]? = nil, outcome y: Double, frozenLevel: Int? = nil
    )
        throws(ForecastInputError)
    {
        var none: CalibrationScorePool?
        try update(step: h, quantiles: quantiles, issued: issued, outcome: y, frozenLevel: frozenLevel, pool: &none)
    }

    /// ``update(step:quantiles:issued:outcome:frozenLevel:)`` for a calibrator whose windows may be pooled: a pooled
    /// one reads and appends its scores to `pool` (required then; see ``isPooled``).
    public mutating func update(
        step h: Int, quantiles: [Double], issued: [Double]? = nil, outcome y: Double, frozenLevel: Int? = nil,
        pool: inout CalibrationScorePool?
    )
        throws(ForecastInputError)
    {
        guard h >= 1 && h <= steps.count else { throw .stepOutOfRange(step: h, horizon: steps.count) }
        let pooled = checkedPool(pool) != nil
        try ForecastInputError.check(quantiles, count: levels.count, outcome: y)
        if let issued { try ForecastInputError.check(issued, count: levels.count, outcome: y) }
        let w = width(quantiles, step: h - 1)
        // The pool is read inside `learn` and appended to only after it returns: a copy of it still alive while
        // appending would copy every window of the group on each update.
        learn(
            step: h - 1, quantiles: quantiles, issued: issued, outcome: y, width: w, frozenLevel: frozenLevel,
            pool: pool)
        let modelWidth = quantiles[quantiles.count - 1] - quantiles[0]
        let typical = steps[h - 1].typicalWidth
        steps[h - 1].typicalWidth =
            typical == 0 ? modelWidth : typical + configuration.typicalWidthSmoothing * (modelWidth - typical)
        if usesScores {
            for k in quantiles.indices {
                // Clamped so a near-zero width cannot store an infinite score (and publish infinite quantiles).
                let score = Float(min(max((y - quantiles[k]) / w, -Self.scoreLimit), Self.scoreLimit))
                if pooled { pool!.windows[h - 1][k].append(score) } else { steps[h - 1].scores[k].append(score) }
            }
        }
    }

    /// Records the coverage of step 1 (index `s` 0) and moves the levels (or offsets) of step index `s` by the hits of
    /// outcome `y`.
    private mutating func learn(
        step s: Int, quantiles: [Double], issued: [Double]?, outcome y: Double, width w: Double, frozenLevel: Int?,
        pool: CalibrationScorePool?
    ) {
        let readPool = isPooled ? pool : nil
        let tau = levels.values
        if s == 0 {
            // Counts below y are invariant under rearrangement, so coverage is read without sorting a copy.
            var less = 0
            var lessOrEqual = 0
            for k in quantiles.indices {
                let calibrated = issued?[k] ?? quantiles[k] + w * offset(step: s, level: k, pool: readPool)
                if calibrated < y { less += 1 }
                if calibrated <= y { lessOrEqual += 1 }
            }
            recordCoverage(less: less, lessOrEqual: lessOrEqual)
        }
        switch configuration.method {
        case .rollingWindow:
            break
        case .adaptive(let gamma):
            for k in quantiles.indices where k != frozenLevel {
                // Each level follows its own (unrearranged) quantile: feeding back the rearranged position instead
                // lets a level that crossed its neighbour run away, since its hits then belong to another level.
                let quantile = issued?[k] ?? quantiles[k] + w * offset(step: s, level: k, pool: readPool)
                let hit = Self.hit(outcome: y, quantile: quantile, level: tau[k])
                let range = Self.adaptiveLevelRange
                let p = s * tau.count + k
                setParameter(p, min(range.upperBound, max(range.lowerBound, parameter(p) + gamma * (tau[k] - hit))))
            }
        case .quantileTracking(let rate):
            for k in quantiles.indices where k != frozenLevel {
                let p = s * tau.count + k
                let hit = Self.hit(outcome: y, quantile: issued?[k] ?? quantiles[k] + w * parameter(p), level: tau[k])
                setParameter(p, parameter(p) + rate * (tau[k] - hit))
            }
        }
    }

    /// The hit indicator ACI and tracking feed back: 1 below the quantile, 0 above it, and τ (no update) for an
    /// outcome exactly on it, a subgradient of the pinball loss there. On a point mass (a count that is 0 all night,
    /// a quantile raised to the non-negative bound) counting a tie as a hit moves the offset at every outcome of the
    /// mass without changing what is published, and it runs away: the next nonzero outcome then meets an interval
    /// the offset has pushed far below it.
    @inline(__always)
    static func hit(outcome y: Double, quantile q: Double, level tau: Double) -> Double {
        y < q ? 1 : (y > q ? 0 : tau)
    }

    /// Scores are clamped to ±this many model widths before they are stored as `Float`.
    static let scoreLimit = 1e30

    /// The offset cₖ of level `k` at step index `s`, in units of the model width.
    ///
    /// Reads through `steps[s]` in place: taking a `StepState` by value would retain and release its five arrays
    /// per call, which measured slower than the arithmetic itself. `pool` is the checked pool of a pooled calibrator.
    @inline(__always)
    private func offset(step s: Int, level k: Int, pool: CalibrationScorePool?) -> Double {
        switch configuration.method {
        case .rollingWindow:
            if let pool { return Self.rollingOffset(pool.windows[s][k], level: levels.values[k], minimum: minimum) }
            return Self.rollingOffset(steps[s].scores[k], level: levels.values[k], minimum: minimum)
        case .adaptive:
            if let pool {
                guard pool.windows[s][k].count >= minimum else { return 0 }
                return Self.adaptiveOffset(pool.windows[s][k], level: parameter(s * levels.count + k))
            }
            guard steps[s].scores[k].count >= minimum else { return 0 }
            return Self.adaptiveOffset(steps[s].scores[k], level: parameter(s * levels.count + k))
        case .quantileTracking:
            return parameter(s * levels.count + k)
        }
    }

    private var minimum: Int { configuration.minimumCount }

    @inline(__always)
    static func rollingOffset(_ window: RollingWindowQuantile, level: Double, minimum: Int) -> Double {
        window.count < minimum ? 0 : window.conformalQuantile(level: level)
    }

    /// The window's conformal quantile at an effective level in [0, 1]; past it, the extreme score moved out by the
    /// excess level times the window's range (linear, so a level that keeps rising keeps widening the interval).
    @inline(__always)
    static func adaptiveOffset(_ window: RollingWindowQuantile, level: Double) -> Double {
        if level >= 0 && level <= 1 { return window.conformalQuantile(level: level) }
        let lowest = window.orderStatistic(1)
        let highest = window.orderStatistic(window.count)
        return level > 1 ? highest + (level - 1) * (highest - lowest) : lowest + level * (highest - lowest)
    }

    @inline(__always)
    private func width(_ quantiles: [Double], step s: Int) -> Double {
        max(
            quantiles[quantiles.count - 1] - quantiles[0], configuration.typicalWidthFloor * steps[s].typicalWidth,
            configuration.scaleFloor)
    }
}
