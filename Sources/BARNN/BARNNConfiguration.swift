/// Hyper-parameters that fix a BARNN model's shapes and prior weighting, and the inputs it was built for.
///
/// Shape letters used throughout the module: R rows (batch × time, or streams × paths), I input width
/// (`2 + F + levels`: scaled increment, missing flag, time features, then the level context when on), E embedding,
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
    /// Degrees of freedom ν of a Student-t observation head, 3–100; 0 is the Gaussian head. The default is 0.
    ///
    /// The head's two outputs stay (μ, log σ²); with ν > 0, σ is the t distribution's scale, its NLL is trained and
    /// sampling draws t noise (a normal over √(χ²_ν/ν)), so heavy-tailed sensors get tails without a wide centre.
    public var studentDegrees: Int

    /// Creates a configuration; every value has a documented default.
    public init(
        hiddenSize: Int = 64, embeddingSize: Int = 16, alphaWidth: Int = 32, timeFeatures: Int? = nil,
        beta: Float = 1e-3, logAlphaBound: Float = 6, levelWindow: Int = 168,
        calendar: CalendarFeatures = .hourAndWeek, studentDegrees: Int = 0
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
    }

    /// Whether the observation head is a Student-t.
    public var isStudent: Bool { studentDegrees > 0 }

    /// Whether the input carries the level context (one column after the time features).
    public var hasLevelInput: Bool { levelWindow > 0 }
    /// Input width I = 2 + F (+ 1 with the level context): the scaled previous increment, its missing flag, the
    /// time features, then the level context.
    public var inputSize: Int { 2 + timeFeatures + (hasLevelInput ? 1 : 0) }
    /// Column of the level context in an input row.
    public var levelInputColumn: Int { 2 + timeFeatures }
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
