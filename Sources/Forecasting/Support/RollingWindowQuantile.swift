/// The last `capacity` values of a stream, kept both in arrival order and sorted, so any order statistic of the
/// window is O(1) to read.
///
/// Values are stored as `Float` (scores in normalised units need no more) to halve the memory of the calibrator,
/// which keeps one of these per horizon step and level.
public struct RollingWindowQuantile: Sendable, Equatable {
    private var window: RingBuffer<Float>
    /// The window's values in increasing order.
    public private(set) var sorted: [Float]

    /// An empty window of at most `capacity` values.
    public init(capacity: Int) {
        window = RingBuffer(capacity: capacity)
        sorted = []
    }

    /// The number of values held.
    public var count: Int { sorted.count }

    /// The most values held.
    public var capacity: Int { window.capacity }

    /// The values oldest first.
    public var values: RingBuffer<Float> { window }

    /// Adds `value`, evicting the oldest when full.
    /// - Complexity: O(log W) search plus an O(W) memory move; allocates only while first filling (doubling).
    public mutating func append(_ value: Float) {
        if let evicted = window.append(value) {
            sorted.remove(at: Self.lowerBound(sorted, evicted))
        } else {
            sorted.growIfFull(upTo: window.capacity)
        }
        sorted.insert(value, at: Self.lowerBound(sorted, value))
    }

    /// The `r`-th smallest value, `r` clamped to `1...count`; traps when empty.
    public func orderStatistic(_ r: Int) -> Double {
        precondition(!sorted.isEmpty, "order statistic of an empty window")
        return Double(sorted[min(max(r, 1), sorted.count) - 1])
    }

    /// The split-conformal quantile at `level` (Vovk et al. 2005; Lei et al. 2018): for n exchangeable scores,
    /// `P(s_new ≤ s₍ᵣ₎) = r/(n + 1)`, so an upper level (τ ≥ ½) takes `r = ⌈τ(n + 1)⌉` (at least τ below) and a lower
    /// level `r = ⌊τ(n + 1)⌋` (at most τ below), both clamped to the sample. Central intervals built from the two ends
    /// therefore cover at least their nominal level up to the clamping. Traps when empty.
    /// - Complexity: O(1).
    public func conformalQuantile(level tau: Double) -> Double {
        let position = tau * Double(sorted.count + 1)
        let r = tau >= 0.5 ? Int(position.rounded(.up)) : Int(position.rounded(.down))
        return orderStatistic(r)
    }

    private static func lowerBound(_ x: [Float], _ value: Float) -> Int {
        var low = 0
        var high = x.count
        while low < high {
            let mid = (low + high) / 2
            if x[mid] < value { low = mid + 1 } else { high = mid }
        }
        return low
    }
}

extension RollingWindowQuantile: Codable {
    public init(from decoder: any Decoder) throws {
        let window = try RingBuffer<Float>(from: decoder)
        for value in window where !value.isFinite {
            throw DecodingError.dataCorrupted(
                DecodingError.Context(codingPath: decoder.codingPath, debugDescription: "non-finite score \(value)"))
        }
        self.window = window
        self.sorted = window.sorted()
    }

    public func encode(to encoder: any Encoder) throws {
        try window.encode(to: encoder)
    }
}
