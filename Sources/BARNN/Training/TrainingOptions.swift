/// Options of `BARNNTrainer.train`; every value has a documented default.
public struct TrainingOptions: Sendable, Codable, Equatable {
    /// Window length T in steps. The default is 96.
    public var window: Int = 96
    /// Windows per batch B. The default is 64.
    public var batchSize: Int = 64
    /// Maximum optimiser steps. The default is 2000.
    public var steps: Int = 2000
    /// Peak Adam learning rate. The default is 3e-3.
    public var learningRate: Float = 3e-3
    /// Linear warm-up steps before the cosine decay. The default is 50.
    public var warmupSteps: Int = 50
    /// Final learning rate as a fraction of the peak (cosine schedule). The default is 0.1.
    public var finalLearningRateFraction: Float = 0.1
    /// Global gradient-norm clip. The default is 1.
    public var clipNorm: Float = 1
    /// Leading steps of each window excluded from the NLL (the hidden state warms up). The default is 16.
    public var burnIn: Int = 16
    /// Trailing fraction of each series held out for validation. The default is 0.2.
    public var validationFraction: Float = 0.2
    /// Steps between validation evaluations. The default is 50.
    public var evaluateEvery: Int = 50
    /// Evaluations without a better validation NLL before stopping. The default is 8.
    public var patience: Int = 8
    /// Seed for initialisation, window choice and noise. The default is 1.
    public var seed: UInt64 = 1
    /// Threads for the recurrent loops (the batch is split in two halves when 2). Pair 2 with
    /// `blasThreads = 1`, so BLAS does not oversubscribe the cores. The default is 1.
    public var threads: Int = 1
    /// OpenBLAS threads to set before training (nil leaves the process setting alone). The default is nil.
    public var blasThreads: Int? = nil

    /// Default options.
    public init() {}
}

/// One series for training: raw values (NaN = missing) and their time features [T, F].
public struct TrainingSeries: Sendable {
    /// Raw values, NaN where missing.
    public var values: [Float]
    /// Time features of each value's step, row-major [T, F].
    public var timeFeatures: [Float]

    /// Creates a series; `timeFeatures.count` must be `values.count · F`.
    public init(values: [Float], timeFeatures: [Float]) {
        self.values = values
        self.timeFeatures = timeFeatures
    }
}

/// Spread of the α encoders across states: the standard deviation of log α over rows, averaged over units.
public struct AlphaSpread: Sendable, Codable, Equatable {
    /// For the input encoder α_x.
    public var input: Float
    /// For the hidden encoder α_h.
    public var hidden: Float
}

/// What training did: loss histories, the α spread and throughput.
public struct TrainingReport: Sendable, Codable, Equatable {
    /// The scale fitted to each input series' training part, in input order: use it for that stream's
    /// `RecurrentState` so inference sees the inputs training saw.
    public var scales: [SeriesScale] = []
    /// Validation NLL of the starting parameters (before any step).
    public var initialValidationNLL: Float = .nan
    /// Optimiser step of each evaluation.
    public var evaluatedSteps: [Int] = []
    /// Mean training NLL over the steps since the previous evaluation.
    public var trainNLL: [Float] = []
    /// Validation NLL (one fixed-noise pass over the validation windows) at each evaluation.
    public var validationNLL: [Float] = []
    /// α spread at each evaluation (on the validation windows).
    public var alphaSpread: [AlphaSpread] = []
    /// Mean KL per weight at each evaluation.
    public var kl: [Float] = []
    /// The step whose parameters were returned (best validation NLL).
    public var bestStep: Int = 0
    /// Steps actually run.
    public var steps: Int = 0
    /// Whether patience ran out before `steps`.
    public var stoppedEarly: Bool = false
    /// Optimiser steps per second of wall time (measurement only; never asserted).
    public var stepsPerSecond: Double = 0
    /// What the SGLD phase chose (nil for the other posteriors).
    public var sgld: SGLDReport? = nil
}

/// The particles and step size an SGLD posterior's validation chose, and what they scored.
public struct SGLDReport: Sendable, Codable, Equatable {
    /// Particle count K.
    public var particles: Int
    /// Preconditioned SGLD step size η.
    public var stepSize: Float
    /// Steps between two particles of one chain.
    public var thinning: Int
    /// NLL of the particles' mixture on the validation rows (one step ahead, frozen network).
    public var validationNLL: Float
    /// NLL of the fitted head alone on the same rows.
    public var pointValidationNLL: Float
}

/// Why training could not start.
public enum TrainingError: Error, Equatable {
    /// No series is long enough for one window plus validation.
    case noTrainingWindows(window: Int)
    /// A series' time features do not match its values and the configuration's F.
    case timeFeatureShape(series: Int, expected: Int, actual: Int)
    /// An option is out of range.
    case invalidOption(String)
    /// `shouldStop` answered true: the caller is shutting down and wants no result.
    case cancelled
}
