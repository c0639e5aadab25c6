/// Sample quantiles by Hyndman & Fan type 7 (linear interpolation between order statistics, R's default).
public enum Quantiles {
    /// Sorts `values[0..<count]` in place (insertion sort: paths per step are few, typically 32–256).
    @inlinable
    public static func sortInPlace(_ values: UnsafeMutablePointer<Float>, count: Int) {
        if count > 96 {
            var buffer = UnsafeMutableBufferPointer(start: values, count: count)
            buffer.sort()
            return
        }
        var i = 1
        while i < count {
            let v = values[i]
            var j = i - 1
            while j >= 0 && values[j] > v {
                values[j + 1] = values[j]
                j -= 1
            }
            values[j + 1] = v
            i += 1
        }
    }

    /// The type-7 quantile at `level` of `count` ascending values.
    @inlinable
    public static func type7(sorted values: UnsafePointer<Float>, count: Int, level: Float) -> Float {
        precondition(count > 0, "Quantiles.type7: no values")
        let position = Float(count - 1) * min(max(level, 0), 1)
        let lo = Int(position.rounded(.down))
        let hi = min(lo + 1, count - 1)
        let w = position - Float(lo)
        return values[lo] + w * (values[hi] - values[lo])
    }
}
