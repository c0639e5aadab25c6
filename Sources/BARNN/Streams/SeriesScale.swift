/// A series' scale: the model sees and predicts increments `(y_t − y_{t−1}) / scale`.
///
/// Predicting scaled increments (not the scaled level) lets a forecast leave the range seen in
/// training: a level that trends or drifts only needs increments of a familiar size (BARNN.md,
/// "real-data lessons"). The scale is the standard deviation of the observed increments.
public struct SeriesScale: Sendable, Codable, Equatable {
    /// Raw units per scaled increment; always positive and finite.
    public let scale: Float

    /// Scaled inputs are clipped to ±this many scales so a level shift cannot saturate the network.
    public static let inputClip: Float = 20

    /// A scale of `scale` raw units; non-finite or non-positive values fall back to 1.
    public init(scale: Float) {
        self.scale = scale.isFinite && scale > 0 ? scale : 1
    }

    /// The standard deviation of the increments of `values` (NaN marks a missing value; increments that
    /// touch one are skipped), floored at 1e-6 · (1 + mean |y|) so a flat series still gets a usable scale.
    public init(fitting values: [Float]) {
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
        self.init(scale: Float(max(variance.squareRoot(), floor)))
    }

    /// The scaled, clipped model input for a raw increment.
    @inlinable
    public func input(forIncrement d: Double) -> Float {
        min(max(Float(d / Double(scale)), -SeriesScale.inputClip), SeriesScale.inputClip)
    }
}
