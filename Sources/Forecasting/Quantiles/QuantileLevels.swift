/// A validated, strictly increasing set of quantile levels in (0, 1).
///
/// The default is the 13 levels of the evaluation protocol (`eval/PROTOCOL.md` §3):
/// 0.025 0.05 0.1 0.2 0.3 0.4 0.5 0.6 0.7 0.8 0.9 0.95 0.975. Every array of quantile values in this module is
/// indexed like `values` (element `k` is the quantile at level `values[k]`).
public struct QuantileLevels: Sendable, Hashable {
    /// The levels, strictly increasing, each in (0, 1).
    public let values: [Double]
    /// Every central interval the set supports, narrowest first (for the protocol levels 20%, 40%, … 95%). Computed
    /// once: every stream's calibrator and drift monitor copies its group's levels, and copies share these arrays
    /// instead of each allocating its own.
    public let centralIntervals: [CentralInterval]
    /// Riemann weights on (0, 1): each level owns the span between the midpoints to its neighbours, the outer levels
    /// own the tails down to 0 and up to 1; they sum to 1. For the protocol levels: 0.0375, 0.0375, 0.075, 0.1 ×7,
    /// 0.075, 0.0375, 0.0375 (`eval/PROTOCOL.md` §4).
    public let riemannWeights: [Double]

    /// The most levels a set may hold; calibration and drift pack per-level counts into bytes.
    public static let maximumCount = 255

    /// The 13 levels of the evaluation protocol.
    public static let protocolLevels = try! QuantileLevels([
        0.025, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.975,
    ])

    /// Validates `levels`; they may come in any order but must be distinct, finite and in (0, 1).
    /// - Throws: ``QuantileLevelsError`` naming the first offending level.
    public init(_ levels: [Double]) throws(QuantileLevelsError) {
        guard !levels.isEmpty else { throw .empty }
        guard levels.count <= Self.maximumCount else { throw .tooMany(levels.count) }
        for level in levels where !(level > 0 && level < 1) { throw .outOfRange(level) }
        let sorted = levels.sorted()
        for k in 1..<sorted.count where sorted[k] - sorted[k - 1] < Self.tolerance {
            throw .duplicate(sorted[k])
        }
        self.values = sorted
        self.centralIntervals = Self.centralIntervals(of: sorted)
        self.riemannWeights = Self.riemannWeights(of: sorted)
    }

    /// Levels closer than this are the same level (lookup and duplicate checks).
    public static let tolerance = 1e-9

    /// The number of levels.
    public var count: Int { values.count }

    /// The index of `level`, or nil when it is not in the set (compared within ``tolerance``).
    /// - Complexity: O(log K).
    public func index(of level: Double) -> Int? { Self.index(of: level, in: values) }

    private static func index(of level: Double, in values: [Double]) -> Int? {
        var low = 0
        var high = values.count
        while low < high {
            let mid = (low + high) / 2
            if values[mid] < level - tolerance { low = mid + 1 } else { high = mid }
        }
        return low < values.count && abs(values[low] - level) <= tolerance ? low : nil
    }

    /// The index of the 0.5 level, or nil when the set has no median.
    public var medianIndex: Int? { index(of: 0.5) }

    /// The indices of the lower and upper ends of the central interval of nominal `coverage` (0.9 → levels 0.05 and
    /// 0.95), or nil when either end is not in the set.
    public func centralInterval(_ coverage: Double) -> CentralInterval? {
        guard coverage > 0, coverage < 1 else { return nil }
        let tail = (1 - coverage) / 2
        guard let lower = index(of: tail), let upper = index(of: 1 - tail) else { return nil }
        return CentralInterval(coverage: coverage, lower: lower, upper: upper)
    }

    private static func centralIntervals(of values: [Double]) -> [CentralInterval] {
        var intervals: [CentralInterval] = []
        for (k, level) in values.enumerated() where level < 0.5 - Self.tolerance {
            if let upper = index(of: 1 - level, in: values) {
                intervals.append(CentralInterval(coverage: 1 - 2 * level, lower: k, upper: upper))
            }
        }
        return intervals.reversed()
    }

    private static func riemannWeights(of values: [Double]) -> [Double] {
        let k = values.count
        var weights = [Double](repeating: 0, count: k)
        for i in 0..<k {
            let lower = i == 0 ? 0 : (values[i - 1] + values[i]) / 2
            let upper = i == k - 1 ? 1 : (values[i] + values[i + 1]) / 2
            weights[i] = upper - lower
        }
        return weights
    }
}

/// A central interval of a ``QuantileLevels`` set: nominal coverage and the indices of its two ends.
public struct CentralInterval: Sendable, Hashable, Codable {
    /// Nominal coverage, e.g. 0.9.
    public let coverage: Double
    /// Index of the lower end's level (e.g. the 0.05 level for 90%).
    public let lower: Int
    /// Index of the upper end's level (e.g. the 0.95 level for 90%).
    public let upper: Int
}

/// Why a set of quantile levels was refused.
public enum QuantileLevelsError: Error, Sendable, Hashable {
    /// No levels were given.
    case empty
    /// More than ``QuantileLevels/maximumCount`` levels were given.
    case tooMany(Int)
    /// A level is not a finite number strictly between 0 and 1.
    case outOfRange(Double)
    /// Two levels coincide within ``QuantileLevels/tolerance``.
    case duplicate(Double)
}

extension QuantileLevels: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let levels = try container.decode([Double].self)
        do {
            try self.init(levels)
        } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "invalid quantile levels: \(error)")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(values)
    }
}
