/// Hyper-parameters that fix a BARNN model's shapes and prior weighting.
///
/// Shape letters used throughout the module: R rows (batch × time, or streams × paths), I input width
/// (`2 + timeFeatures`: scaled increment, missing flag, time features), E embedding, A α-MLP width,
/// H hidden, G = 3H gate width (r, u, n), F time features.
public struct BARNNConfiguration: Sendable, Codable, Equatable {
    /// Hidden size H of the GRU. The default is 64.
    public var hiddenSize: Int
    /// Width E of the deterministic input embedding. The default is 16.
    public var embeddingSize: Int
    /// Hidden width A of each α-encoder MLP (one tanh layer). The default is 32.
    public var alphaWidth: Int
    /// Number F of time features per step. The default is 4 (`TimeFeatures.count`).
    public var timeFeatures: Int
    /// Weight β of the tVAMP KL term in the training loss. The KL is the mean per weight: each α unit
    /// governs the G weights of its matmul row, so that is the mean over steps, rows and units. The
    /// default, 1e-3, keeps α state-dependent; β ≥ ~1 collapses α to a constant (BARNN.md, "What to
    /// watch"; `TrainingReport.alphaSpread` shows which happened).
    public var beta: Float
    /// Bound on |log α|; α = exp(clamp(o, -bound, bound)) keeps α finite in Float32. The default is 6.
    public var logAlphaBound: Float

    /// Creates a configuration; every value has a documented default.
    public init(
        hiddenSize: Int = 64, embeddingSize: Int = 16, alphaWidth: Int = 32, timeFeatures: Int = TimeFeatures.count,
        beta: Float = 1e-3, logAlphaBound: Float = 6
    ) {
        self.hiddenSize = hiddenSize
        self.embeddingSize = embeddingSize
        self.alphaWidth = alphaWidth
        self.timeFeatures = timeFeatures
        self.beta = beta
        self.logAlphaBound = logAlphaBound
    }

    /// Input width I = 2 + F: the scaled previous increment, its missing flag, then the time features.
    public var inputSize: Int { 2 + timeFeatures }
    /// Gate width G = 3H.
    public var gateSize: Int { 3 * hiddenSize }
}
