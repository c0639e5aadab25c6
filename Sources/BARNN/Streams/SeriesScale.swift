/// A series' scales: the model sees and predicts increments `(y_t − y_{t−1}) / scale`, and reads its level context
/// as `(y_t − m_{t−1}) / levelScale`, m the moving average of `LevelContext`.
///
/// Predicting scaled increments (not the scaled level) lets a forecast leave the range seen in
/// training: a level that trends or drifts only needs increments of a familiar size (BARNN.md,
/// "real-data lessons"). The scale is the standard deviation of the observed increments.
public struct SeriesScale: Sendable, Codable, Equatable {
    /// Raw units per scaled increment; always positive and finite.
    public let scale: Float
    /// Raw units per unit of level context; always positive and finite (1 where no level context is fitted).
    public let levelScale: Float

    /// Scaled inputs are clipped to ±this many scales so a level shift cannot saturate the network.
    public static let inputClip: Float = 20

    /// Scales of `scale` and `levelScale` raw units; non-finite or non-positive values fall back to 1.
    public init(scale: Float, levelScale: Float = 1) {
        self.scale = scale.isFinite && scale > 0 ? scale : 1
        self.levelScale = levelScale.isFinite && levelScale > 0 ? levelScale : 1
    }

    /// The standard deviation of the increments of `values` (NaN marks a missing value; increments that
    /// touch one are skipped), floored at 1e-6 · (1 + mean |y|) so a flat series still gets a usable scale; with
    /// `levelWindow` > 0 also the root mean square of the level deviations `y_t − m_{t−1}` (same floor).
    public init(fitting values: [Float], levelWindow: Int = 0) {
        var sum = 0.0, sumSquares = 0.0, n = 0.0, level = 0.0, levels = 0.0
        for t in values.indices where values[t].isFinite {
            level += abs(Double(values[t]))
            levels += 1
            guard t > 0, values[t - 1].isFinite else { continue }
            let d = Double(values[t]) - Double(values[t - 1])
            sum += d
            sumSquares += d * d
            n += 1
        }
        let floor = 1e-6 * (1 + (levels > 0 ? level / levels : 0))
        let variance = n > 1 ? max(0, (sumSquares - sum * sum / n) / (n - 1)) : 0
        var levelScale = 1.0
        if levelWindow > 0 {
            var context = LevelContext(window: levelWindow, startingFrom: values)
            var deviations = 0.0, count = 0.0
            for y in values where y.isFinite {
                if let d = context.observe(Double(y)) {
                    deviations += d * d
                    count += 1
                }
            }
            levelScale = max(count > 0 ? (deviations / count).squareRoot() : 0, floor)
        }
        self.init(scale: Float(max(variance.squareRoot(), floor)), levelScale: Float(levelScale))
    }

    /// The scaled, clipped model input for a raw increment.
    @inlinable
    public func input(forIncrement d: Double) -> Float {
        min(max(Float(d / Double(scale)), -SeriesScale.inputClip), SeriesScale.inputClip)
    }

    /// The scaled, clipped level-context input for a raw deviation from the moving average.
    @inlinable
    public func input(forLevelDeviation d: Double) -> Float {
        min(max(Float(d / Double(levelScale)), -LevelContext.inputClip), LevelContext.inputClip)
    }

    private enum CodingKeys: String, CodingKey { case scale, levelScale }

    /// Decodes a scale as stored (saved-state validation refuses a non-positive one); states saved before the level
    /// context have no `levelScale` and get 1.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        scale = try container.decode(Float.self, forKey: .scale)
        levelScale = try container.decodeIfPresent(Float.self, forKey: .levelScale) ?? 1
    }
}

/// The level context's moving average: m_t = m_{t−1} + (y_t − m_{t−1}) / W over observed values, started at the
/// first one. Training, the per-observation step and every sampled path run this same recursion, so the input a
/// forecast path feeds back is the one training saw.
public struct LevelContext: Sendable, Equatable {
    /// Level-context inputs are clipped to ±this many level scales.
    public static let inputClip: Float = 10

    /// Span W in steps.
    public let window: Int
    /// The average m after the last observed value; nil before the first.
    public var mean: Double?

    /// An average of span `window` that has seen nothing.
    public init(window: Int, mean: Double? = nil) {
        self.window = max(1, window)
        self.mean = mean
    }

    /// An average of span `window` started at the mean of the first W observed values of `values`, so a series'
    /// first steps (or a context replayed after a restart) are measured against a settled level, not against
    /// whichever value came first. Training and warm-up both start this way.
    public init(window: Int, startingFrom values: [Float]) {
        var sum = 0.0, count = 0
        for y in values where y.isFinite {
            sum += Double(y)
            count += 1
            if count >= max(1, window) { break }
        }
        self.init(window: window, mean: count > 0 ? sum / Double(count) : nil)
    }

    /// The weight of a new value, 1/W.
    @inlinable
    public var rate: Double { 1 / Double(window) }

    /// Takes observed value `y`: returns its deviation from the average before it (nil when there is none yet, and
    /// the average starts at `y`), then moves the average towards it.
    public mutating func observe(_ y: Double) -> Double? {
        guard let m = mean else {
            mean = y
            return nil
        }
        let d = y - m
        mean = m + rate * d
        return d
    }

    /// The scaled level-context input after each value of `values` (0 where missing), as training reads it.
    public static func inputs(values: [Float], window: Int, scale: SeriesScale) -> [Float] {
        var context = LevelContext(window: window, startingFrom: values)
        return values.map { y in
            guard y.isFinite, let d = context.observe(Double(y)) else { return 0 }
            return scale.input(forLevelDeviation: d)
        }
    }
}
