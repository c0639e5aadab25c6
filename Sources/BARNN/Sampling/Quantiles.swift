/// The ordering of sampled paths before their quantiles are read (`SampleQuantiles.type7` in Sampling).
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
}
