/// Whether an outcome falls inside an interval forecast.
public enum Coverage {
    /// True when `lower ≤ y ≤ upper` (ends included, as the protocol counts them).
    @inline(__always)
    public static func contains(lower: Double, upper: Double, outcome y: Double) -> Bool {
        y >= lower && y <= upper
    }

    /// True when the central interval `interval` of `quantiles` holds `y`.
    @inline(__always)
    public static func contains(_ interval: CentralInterval, quantiles: [Double], outcome y: Double) -> Bool {
        contains(lower: quantiles[interval.lower], upper: quantiles[interval.upper], outcome: y)
    }
}
