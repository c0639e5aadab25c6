/// What BARNN keeps per stream between observations: the hidden state, the level, and the pending input.
///
/// The model's step t reads `[d_{t−1}, missing_{t−1}, time features of t]` and its head predicts d_t, the
/// scaled increment of the observation at t. `pendingInput` is d of the last consumed observation, and
/// `level` the last observed (or, across a gap, model-imputed) raw value that forecasts start from.
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

    /// The state of a stream that has seen nothing yet.
    public init(hiddenSize: Int, scale: SeriesScale) {
        hidden = [Float](repeating: 0, count: hiddenSize)
        level = nil
        pendingInput = 0
        pendingMissing = true
        lastObserved = false
        self.scale = scale
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

    /// Number of streams N.
    public var count: Int { level.count }

    /// Packs `states` (all with `hiddenSize` hidden units).
    public init(_ states: [RecurrentState], hiddenSize: Int) {
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
    }

    /// Stream `index`'s state.
    public subscript(index: Int) -> RecurrentState {
        var s = RecurrentState(hiddenSize: hiddenSize, scale: SeriesScale(scale: scale[index]))
        s.hidden = Array(hidden[(index * hiddenSize)..<((index + 1) * hiddenSize)])
        s.level = level[index].isNaN ? nil : level[index]
        s.pendingInput = pendingInput[index]
        s.pendingMissing = pendingMissing[index]
        s.lastObserved = lastObserved[index]
        return s
    }
}
