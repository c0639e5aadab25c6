/// Sample quantiles by Hyndman & Fan (1996) type 7: linear interpolation between order statistics, R's default and
/// NumPy's `linear`.
///
/// For `n` values and level τ: `h = (n − 1)τ`, `q = x₍⌊h⌋₎ + (h − ⌊h⌋)(x₍⌊h⌋+1₎ − x₍⌊h⌋₎)` on the 0-based order
/// statistics. Levels are clamped to [0, 1]. When `h` is whole the order statistic itself is returned, so an infinite
/// neighbour cannot turn it into NaN and −0 stays −0.
public enum SampleQuantiles {
    /// The 0-based order statistic below the type-7 quantile at `level` of `count` values, and the weight of the one
    /// above it (0 when the quantile is that order statistic).
    @inlinable
    public static func type7Position<Value: BinaryFloatingPoint>(
        count: Int, level: Value
    ) -> (lower: Int, fraction: Value) {
        precondition(count > 0, "quantile of an empty sample")
        let position = Value(count - 1) * min(max(level, 0), 1)
        // The clamp matters only where Value(count - 1) rounds up (Float beyond 2²⁴ values).
        let lower = min(Int(position.rounded(.down)), count - 1)
        return (lower, position - Value(lower))
    }

    /// The type-7 quantile between the order statistics `lower` and `upper`, `fraction` of the way to `upper`.
    @inlinable
    public static func type7Interpolate<Value: BinaryFloatingPoint>(
        lower: Value, upper: Value, fraction: Value
    ) -> Value {
        fraction > 0 ? lower + fraction * (upper - lower) : lower
    }

    /// The type-7 quantile at `level` of ascending `values`; traps when they are empty.
    @inlinable
    public static func type7<Value: BinaryFloatingPoint>(
        sorted values: UnsafeBufferPointer<Value>, level: Value
    ) -> Value {
        let (lower, fraction) = type7Position(count: values.count, level: level)
        let upper = fraction > 0 ? min(lower + 1, values.count - 1) : lower
        return type7Interpolate(lower: values[lower], upper: values[upper], fraction: fraction)
    }

    /// The type-7 quantile at `level` of ascending `values`; traps when they are empty.
    @inlinable
    public static func type7<Value: BinaryFloatingPoint>(sorted values: [Value], level: Value) -> Value {
        values.withUnsafeBufferPointer { type7(sorted: $0, level: level) }
    }
}
