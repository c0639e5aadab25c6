import Foundation

/// Hyper-parameters that fix a BARNN model's shapes and prior weighting, and the inputs it was built for.
///
/// Shape letters used throughout the module: R rows (batch × time, or streams × paths), I input width
/// (`2 + F + extras`: scaled increment, missing flag, time features, then the level context and the seasonal-naive
/// increment when on), E embedding,
/// A α-MLP width, H hidden, G = 3H gate width (r, u, n), F time features.
public struct BARNNConfiguration: Sendable, Codable, Equatable {
    /// Hidden size H of the GRU. The default is 64.
    public var hiddenSize: Int
    /// Width E of the deterministic input embedding. The default is 16.
    public var embeddingSize: Int
    /// Hidden width A of each α-encoder MLP (one tanh layer). The default is 32.
    public var alphaWidth: Int
    /// Number F of time features per step. The default is the calendar's width (4).
    public var timeFeatures: Int
    /// Weight β of the tVAMP KL term in the training loss. The KL is the mean per weight: each α unit
    /// governs the G weights of its matmul row, so that is the mean over steps, rows and units. The
    /// default, 1e-3, keeps α state-dependent; β ≥ ~1 collapses α to a constant (BARNN.md, "What to
    /// watch"; `TrainingReport.alphaSpread` shows which happened).
    public var beta: Float
    /// Bound on |log α|; α = exp(clamp(o, -bound, bound)) keeps α finite in Float32. The default is 6.
    public var logAlphaBound: Float
    /// Span W (steps) of the exponential moving average the level context is measured against; 0 feeds no level
    /// context (increments only, as checkpoints before it). The default is 168.
    ///
    /// Increments alone leave the network blind to where a bounded or seasonal series is in its range, so its
    /// paths spread like a random walk; the value relative to a moving average tells it, and because the average
    /// moves, a trend or a drifting sensor still looks familiar.
    public var levelWindow: Int
    /// Which calendar signals the time features carry. The default is hour of day and day of week.
    public var calendar: CalendarFeatures
    /// Seasonal period m (steps) of the seasonal-naive input; 0 feeds none (as checkpoints before it). The default
    /// is 0.
    ///
    /// The input at the step that predicts y_t is `(y_{t−m} − y_{t−1}) / scale`, the increment seasonal naive would
    /// forecast: the calendar features tell the network where in the season it is, this tells it what the series
    /// did there one season ago, which a recurrent state would otherwise have to carry across m steps.
    public var seasonalLag: Int
    /// Degrees of freedom ν of a Student-t observation head, 3–100; 0 is the Gaussian head. The default is 0.
    ///
    /// The head's two outputs stay (μ, log σ²); with ν > 0, σ is the t distribution's scale, its NLL is trained and
    /// sampling draws t noise (a normal over √(χ²_ν/ν)), so heavy-tailed sensors get tails without a wide centre.
    public var studentDegrees: Int
    /// The approximate posterior of the gate inputs' weights. The default is BARNN's.
    public var posterior: Posterior

    /// Creates a configuration; every value has a documented default.
    public init(
        hiddenSize: Int = 64, embeddingSize: Int = 16, alphaWidth: Int = 32, timeFeatures: Int? = nil,
        beta: Float = 1e-3, logAlphaBound: Float = 6, levelWindow: Int = 168,
        calendar: CalendarFeatures = .hourAndWeek, studentDegrees: Int = 0, posterior: Posterior = .barnn,
        seasonalLag: Int = 0
    ) {
        self.hiddenSize = hiddenSize
        self.embeddingSize = embeddingSize
        self.alphaWidth = alphaWidth
        self.timeFeatures = timeFeatures ?? calendar.count
        self.beta = beta
        self.logAlphaBound = logAlphaBound
        self.levelWindow = levelWindow
        self.calendar = calendar
        self.studentDegrees = studentDegrees
        self.posterior = posterior
        self.seasonalLag = seasonalLag
    }

    /// Whether α comes from the α encoders (BARNN); the other posteriors fix α = 1 and leave the encoders unused.
    public var usesAlphaEncoders: Bool { posterior == .barnn }

    /// Whether the observation head is a Student-t.
    public var isStudent: Bool { studentDegrees > 0 }

    /// Whether the input carries the level context (one column after the time features).
    public var hasLevelInput: Bool { levelWindow > 0 }
    /// Whether the input carries the seasonal-naive increment (one column after the level context).
    public var hasSeasonalInput: Bool { seasonalLag > 0 }
    /// Input width I = 2 + F (+ 1 with the level context, + 1 with the seasonal input): the scaled previous
    /// increment, its missing flag, the time features, then the level context and the seasonal-naive increment.
    public var inputSize: Int { 2 + timeFeatures + (hasLevelInput ? 1 : 0) + (hasSeasonalInput ? 1 : 0) }
    /// Column of the level context in an input row.
    public var levelInputColumn: Int { 2 + timeFeatures }
    /// Column of the seasonal-naive increment in an input row.
    public var seasonalInputColumn: Int { 2 + timeFeatures + (hasLevelInput ? 1 : 0) }
    /// Input columns after the time features (level context, seasonal-naive increment), from ``levelInputColumn``.
    public var extraInputCount: Int { inputSize - levelInputColumn }
    /// Gate width G = 3H.
    public var gateSize: Int { 3 * hiddenSize }

    /// Whether a model of `other` can serve where this configuration is expected: the same network shapes and prior.
    /// The level context and the calendar are recorded per model, so they may differ (an older checkpoint without
    /// level context still loads and is served with the inputs it was trained on).
    public func accepts(_ other: BARNNConfiguration) -> Bool {
        hiddenSize == other.hiddenSize && embeddingSize == other.embeddingSize && alphaWidth == other.alphaWidth
            && beta == other.beta && logAlphaBound == other.logAlphaBound
    }
}

/// How the weights of the two gate matmuls are random: the part of the model the posteriors compared in
/// `docs/backtest.md` differ in. Everything else (inputs, GRU, head, training windows) is shared.
public enum Posterior: Sendable, Codable, Hashable {
    /// BARNN: per-step Gaussian weight noise `w = αΩ(1 + ε)` whose scale α the α encoders compute from the
    /// current state, with the tVAMP KL in the loss.
    case barnn
    /// MC dropout (Gal & Ghahramani 2016): fixed Bernoulli dropout of the gate inputs at `rate`, inverted
    /// (survivors scaled by 1/(1 − rate)) and left on at prediction. α is 1 and there is no KL term; the α encoders'
    /// tensors stay in the layout, unused, so both posteriors share one checkpoint layout.
    case mcDropout(rate: Float)
    /// Last-layer Langevin particles (after Safta et al. 2025): a point-estimate network (α = 1, no weight noise)
    /// whose head (Wo, bo) is replaced, in each Monte Carlo path, by one of `particles` samples drawn with
    /// preconditioned SGLD at `stepSize` from the head's posterior given the frozen GRU (`LastLayerSGLD`).
    ///
    /// A configuration with 0 for either asks the trainer to choose it on the validation tail; a trained model
    /// always records the chosen values, and its `Particles` tensor [K, 2H + 2] holds the particles.
    case sgld(particles: Int, stepSize: Float)
    /// Bayes by Backprop for RNNs (Fortunato, Blundell & Vinyals 2017): α = 1 and the gate weights and biases
    /// (Wih, bih, Whh, bhh) are Gaussian, θ = μ + softplus(ρ)·ε, with the existing tensors as μ and `rhoWih`, `rhobih`,
    /// `rhoWhh`, `rhobhh` (after everything else) as ρ; the KL to `prior` is in the loss (`BayesByBackprop`).
    case bbb(prior: ScaleMixturePrior)

    /// The name used in configuration files, checkpoints' events and reports.
    public var name: String {
        switch self {
        case .barnn: "barnn"
        case .mcDropout: "mc_dropout"
        case .sgld: "sgld"
        case .bbb: "bbb"
        }
    }

    /// How many head particles the layout holds (0 unless a trained SGLD posterior).
    public var particleCount: Int {
        guard case .sgld(let k, _) = self else { return 0 }
        return max(0, k)
    }

    /// Whether the gate weights have ρ tensors (Bayes by Backprop).
    public var hasWeightScales: Bool {
        if case .bbb = self { return true }
        return false
    }

    /// Whether a model of `other` is a valid warm start for training this posterior: the same posterior, except that
    /// SGLD particles are drawn afresh after each fit, so any SGLD model's network (its layout prefix) will do.
    public func warmStarts(from other: Posterior) -> Bool {
        switch (self, other) {
        case (.sgld, .sgld): true
        default: self == other
        }
    }

    /// Overwrites normals drawn for the gate inputs' noise `ε` with this posterior's noise, if it is not Gaussian.
    ///
    /// MC dropout turns each into `m/(1 − rate) − 1` with `m ~ Bernoulli(1 − rate)`, so the network's
    /// `input · (1 + ε)` is inverted dropout. The mask comes from the normal's sign and magnitude through the
    /// normal CDF, so the generator advances exactly as for BARNN and a seed replays either posterior.
    @inline(__always)
    func transformNoise<T: BinaryFloatingPoint>(_ eps: UnsafeMutablePointer<T>, count: Int) {
        let rate: Float
        switch self {
        case .barnn: return
        case .mcDropout(let r): rate = r
        case .sgld, .bbb:
            // No noise on the gate inputs: SGLD's randomness is in the head, Bayes by Backprop's in the weights.
            eps.update(repeating: 0, count: count)
            return
        }
        // P(ε < z) = rate for z the rate-quantile of N(0, 1): drop where the normal falls below it.
        let threshold = T(Self.normalQuantile(Double(rate)))
        let kept = T(1 / (1 - Double(rate)) - 1)
        for i in 0..<count { eps[i] = eps[i] < threshold ? -1 : kept }
    }

    /// Φ⁻¹(p) by bisection on `erfc` (used once per call; 60 halvings reach Double precision on (1e-12, 1 − 1e-12)).
    static func normalQuantile(_ p: Double) -> Double {
        var lo = -12.0, hi = 12.0
        for _ in 0..<60 {
            let mid = (lo + hi) / 2
            if 0.5 * erfc(-mid / 2.0.squareRoot()) < p { lo = mid } else { hi = mid }
        }
        return (lo + hi) / 2
    }
}

/// The scale-mixture prior of Bayes by Backprop, per weight: p(w) = π·N(0, σ₁²) + (1 − π)·N(0, σ₂²).
///
/// It has no closed-form KL to a Gaussian, so training uses the Monte Carlo estimate log q(θ) − log p(θ) at the drawn
/// weights (Blundell et al. 2015).
public struct ScaleMixturePrior: Sendable, Codable, Hashable {
    /// Weight π of the wide component.
    public var pi: Float
    /// Standard deviation σ₁ of the wide component.
    public var sigma1: Float
    /// Standard deviation σ₂ of the narrow component.
    public var sigma2: Float

    /// Creates a prior; π in (0, 1) and both σ positive.
    public init(pi: Float, sigma1: Float, sigma2: Float) {
        self.pi = pi
        self.sigma1 = sigma1
        self.sigma2 = sigma2
    }

    /// Fortunato et al. 2017's choice: π = 1/4, −log σ₁ = 0, −log σ₂ = 6.
    public static let fortunato = ScaleMixturePrior(pi: 0.25, sigma1: 1, sigma2: Float(exp(-6.0)))

    /// log p(w) and its derivative in w, by log-sum-exp over the two components (σ₂ is small enough that the narrow
    /// density underflows for ordinary weights).
    func logDensity(_ w: Double) -> (value: Double, derivative: Double) {
        let s1 = Double(sigma1), s2 = Double(sigma2)
        let l1 = log(Double(pi)) - log(s1) - w * w / (2 * s1 * s1)
        let l2 = log(1 - Double(pi)) - log(s2) - w * w / (2 * s2 * s2)
        let peak = max(l1, l2)
        let e1 = exp(l1 - peak), e2 = exp(l2 - peak)
        let value = peak + log(e1 + e2) - 0.5 * log(2 * Double.pi)
        // Responsibilities r_k = component k's share of the density.
        let r1 = e1 / (e1 + e2), r2 = e2 / (e1 + e2)
        return (value, -w * (r1 / (s1 * s1) + r2 / (s2 * s2)))
    }
}
