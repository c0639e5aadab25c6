/// A batched forecast in raw units: means [N, H] and quantiles [N, H, L], row-major.
public struct BARNNForecast: Sendable, Equatable {
    /// Number of streams N.
    public let streams: Int
    /// Horizon H in steps.
    public let horizon: Int
    /// Quantile levels L, in (0, 1), in the order of the last axis of `quantiles`.
    public let levels: [Float]
    /// Mean over paths, [N, H].
    public var mean: [Double]
    /// Type-7 quantiles over paths, [N, H, L].
    public var quantiles: [Double]

    /// The mean of stream `n` at step `h` (0-based: step 0 is one step ahead).
    public func mean(stream n: Int, step h: Int) -> Double { mean[n * horizon + h] }

    /// Quantile `l` (index into `levels`) of stream `n` at step `h`.
    public func quantile(stream n: Int, step h: Int, level l: Int) -> Double {
        quantiles[(n * horizon + h) * levels.count + l]
    }
}

/// How Monte Carlo paths are drawn.
public struct SamplingOptions: Sendable, Equatable {
    /// Draw BARNN's per-step multiplicative weight noise ε. Off gives the aleatoric-only ablation.
    public var weightNoise: Bool
    /// Draw the Gaussian head's aleatoric noise (fed back as the next input). The default is on.
    public var aleatoricNoise: Bool
    /// Antithetic pairs: path S/2 + p of each stream replays path p's normals negated, ε and ξ at every step.
    ///
    /// Halves the variance of anything close to linear in the noise (the mean, the central quantiles) for the
    /// same draw count, so the seed still fixes the output. With odd S the last path is plain. Student-t χ²
    /// draws stay independent per path. The default is off.
    public var antithetic: Bool
    /// Latin-hypercube aleatoric draws (experimental): at every step each stream's S values of ξ take one stratum
    /// of the normal each, in the random order of fresh normals, jittered by one more uniform per path. Weight noise
    /// is left as drawn (or as antithetic pairs). The default is off.
    public var stratifiedAleatoric: Bool

    /// Full Monte Carlo paths: weight noise and aleatoric noise (the default).
    public static let full = SamplingOptions(weightNoise: true, aleatoricNoise: true)
    /// Aleatoric draw only (weight noise off), the ablation of BARNN.md.
    public static let aleatoricOnly = SamplingOptions(weightNoise: false, aleatoricNoise: true)

    /// Creates options.
    public init(weightNoise: Bool, aleatoricNoise: Bool, antithetic: Bool = false, stratifiedAleatoric: Bool = false) {
        self.weightNoise = weightNoise
        self.aleatoricNoise = aleatoricNoise
        self.antithetic = antithetic
        self.stratifiedAleatoric = stratifiedAleatoric
    }
}
