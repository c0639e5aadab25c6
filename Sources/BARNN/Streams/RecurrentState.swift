import Formats

/// What BARNN keeps per stream between observations: the hidden state, the level, and the pending inputs.
///
/// The model's step t reads `[d_{t−1}, missing_{t−1}, time features of t, c_{t−1}]` and its head predicts d_t, the
/// scaled increment of the observation at t. `pendingInput` is d of the last consumed observation, `pendingLevel`
/// its level context c (deviation from the moving average `levelMean`), and `level` the last observed (or, across
/// a gap, model-imputed) raw value that forecasts start from.
public struct RecurrentState: Sendable, Codable, Equatable {
    /// h [H] after the last consumed observation.
    public var hidden: [Float]
    /// The raw level forecasts start from; nil before the first observation (JSON-encodable, unlike NaN).
    public var level: Double?
    /// Scaled increment fed at the next step (0 when missing).
    public var pendingInput: Float
    /// Whether `pendingInput` is missing (no observation, or none before it).
    public var pendingMissing: Bool
    /// Whether the last step carried a real observation (a gap makes the next increment missing too).
    public var lastObserved: Bool
    /// The stream's scale.
    public var scale: SeriesScale
    /// The level context's moving average (raw units); nil before the first observation or without level context.
    public var levelMean: Double?
    /// Scaled level context fed at the next step (0 when missing).
    public var pendingLevel: Float
    /// The last m raw values, oldest first (NaN where missing), for the seasonal-naive input of period m; empty
    /// without one.
    public var recent: [Double]
    /// Seasonal-naive input fed at the next step (0 when missing).
    public var pendingSeasonal: Float

    /// The state of a stream that has seen nothing yet; `seasonalLag` is the model's period m (0 for none).
    public init(hiddenSize: Int, scale: SeriesScale, seasonalLag: Int = 0) {
        hidden = [Float](repeating: 0, count: hiddenSize)
        level = nil
        pendingInput = 0
        pendingMissing = true
        lastObserved = false
        self.scale = scale
        levelMean = nil
        pendingLevel = 0
        recent = [Double](repeating: .nan, count: max(0, seasonalLag))
        pendingSeasonal = 0
    }

    private enum CodingKeys: String, CodingKey {
        case hidden, level, pendingInput, pendingMissing, lastObserved, scale, levelMean, pendingLevel, recent
        case pendingSeasonal
    }

    /// Writes `hidden` and `recent` as ``ScalarPacking`` text of their bits: bit-exact (NaN included), and 344
    /// characters for a hidden state of 64 instead of about 810 as a list of numbers.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(ScalarPacking.pack(hidden), forKey: .hidden)
        try c.encodeIfPresent(level, forKey: .level)
        try c.encode(pendingInput, forKey: .pendingInput)
        try c.encode(pendingMissing, forKey: .pendingMissing)
        try c.encode(lastObserved, forKey: .lastObserved)
        try c.encode(scale, forKey: .scale)
        try c.encodeIfPresent(levelMean, forKey: .levelMean)
        try c.encode(pendingLevel, forKey: .pendingLevel)
        try c.encode(ScalarPacking.pack(recent), forKey: .recent)
        try c.encode(pendingSeasonal, forKey: .pendingSeasonal)
    }

    /// Decodes a state; states saved before the level context have neither `levelMean` nor `pendingLevel`, those
    /// saved before the seasonal input neither `recent` nor `pendingSeasonal`, and those saved before the packing
    /// hold `hidden` and `recent` as lists of numbers.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        hidden = try c.decodePackedOrList(Float.self, forKey: .hidden)
        level = try c.decodeIfPresent(Double.self, forKey: .level)
        pendingInput = try c.decode(Float.self, forKey: .pendingInput)
        pendingMissing = try c.decode(Bool.self, forKey: .pendingMissing)
        lastObserved = try c.decode(Bool.self, forKey: .lastObserved)
        scale = try c.decode(SeriesScale.self, forKey: .scale)
        levelMean = try c.decodeIfPresent(Double.self, forKey: .levelMean)
        pendingLevel = try c.decodeIfPresent(Float.self, forKey: .pendingLevel) ?? 0
        recent = c.contains(.recent) ? try c.decodePackedOrList(Double.self, forKey: .recent) : []
        pendingSeasonal = try c.decodeIfPresent(Float.self, forKey: .pendingSeasonal) ?? 0
    }
}

/// N streams' recurrent states in flat buffers, the form batched steps and sampling run on.
public struct RecurrentBatch: Sendable, Equatable {
    /// Hidden size H.
    public let hiddenSize: Int
    /// h [N, H].
    public var hidden: [Float]
    /// Level per stream [N] (raw units; NaN before a stream's first observation).
    public var level: [Double]
    /// Pending scaled input per stream [N].
    public var pendingInput: [Float]
    /// Pending-missing flag per stream [N].
    public var pendingMissing: [Bool]
    /// Last-step-observed flag per stream [N].
    public var lastObserved: [Bool]
    /// Scale per stream [N].
    public var scale: [Float]
    /// Level scale per stream [N].
    public var levelScale: [Float]
    /// Level-context moving average per stream [N] (raw units; NaN before a stream's first observation).
    public var levelMean: [Double]
    /// Pending level-context input per stream [N].
    public var pendingLevel: [Float]
    /// Period m of the seasonal-naive input (0 for none).
    public let seasonalLag: Int
    /// The last m raw values per stream [N, m], oldest first (NaN where missing).
    public var recent: [Double]
    /// Pending seasonal-naive input per stream [N].
    public var pendingSeasonal: [Float]

    /// Number of streams N.
    public var count: Int { level.count }

    /// Packs `states` (all with `hiddenSize` hidden units) for a model whose seasonal input has period
    /// `seasonalLag` (0 for none). A state that kept another number of recent values (saved for another model, or
    /// before the seasonal input) is padded with missing values at the old end or keeps its newest m.
    public init(_ states: [RecurrentState], hiddenSize: Int, seasonalLag: Int = 0) {
        self.hiddenSize = hiddenSize
        hidden = []
        hidden.reserveCapacity(states.count * hiddenSize)
        for s in states {
            precondition(s.hidden.count == hiddenSize, "RecurrentBatch: hidden size \(s.hidden.count) ≠ \(hiddenSize)")
            hidden.append(contentsOf: s.hidden)
        }
        level = states.map { $0.level ?? .nan }
        pendingInput = states.map(\.pendingInput)
        pendingMissing = states.map(\.pendingMissing)
        lastObserved = states.map(\.lastObserved)
        scale = states.map(\.scale.scale)
        levelScale = states.map(\.scale.levelScale)
        levelMean = states.map { $0.levelMean ?? .nan }
        pendingLevel = states.map(\.pendingLevel)
        let m = max(0, seasonalLag)
        self.seasonalLag = m
        recent = []
        recent.reserveCapacity(states.count * m)
        for s in states {
            let kept = s.recent.suffix(m)
            recent.append(contentsOf: repeatElement(.nan, count: m - kept.count))
            recent.append(contentsOf: kept)
        }
        pendingSeasonal = states.map { $0.recent.count == m ? $0.pendingSeasonal : 0 }
    }

    /// Stream `index`'s state.
    public subscript(index: Int) -> RecurrentState {
        var s = RecurrentState(
            hiddenSize: hiddenSize, scale: SeriesScale(scale: scale[index], levelScale: levelScale[index]))
        s.hidden = Array(hidden[(index * hiddenSize)..<((index + 1) * hiddenSize)])
        s.level = level[index].isNaN ? nil : level[index]
        s.pendingInput = pendingInput[index]
        s.pendingMissing = pendingMissing[index]
        s.lastObserved = lastObserved[index]
        s.levelMean = levelMean[index].isNaN ? nil : levelMean[index]
        s.pendingLevel = pendingLevel[index]
        s.recent = Array(recent[(index * seasonalLag)..<((index + 1) * seasonalLag)])
        s.pendingSeasonal = pendingSeasonal[index]
        return s
    }
}
