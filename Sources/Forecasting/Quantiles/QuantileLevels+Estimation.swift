import Sampling

extension QuantileLevels {
    /// Writes the type-7 sample quantiles (Hyndman & Fan 1996, R's default, NumPy's `linear`) of `samples` at every
    /// level into `output`, which must hold ``count`` elements.
    ///
    /// For `n` samples and level τ: `h = (n − 1)τ`, `q = x₍⌊h⌋₎ + (h − ⌊h⌋)(x₍⌊h⌋+1₎ − x₍⌊h⌋₎)` on the order
    /// statistics (0-based). `samples` is reordered in place. With at most ``selectionLimit`` levels the order
    /// statistics are found by successive quickselect on shrinking suffixes; with more a full sort is cheaper.
    /// Traps on empty `samples` or a wrong `output` size (programmer errors); NaN samples give unspecified values.
    /// - Complexity: O(n·K) expected with selection, O(n log n) with sorting; allocates nothing.
    public func estimate(from samples: inout [Double], into output: inout [Double]) {
        precondition(!samples.isEmpty, "quantiles of an empty sample")
        precondition(output.count == values.count, "output holds \(output.count) values for \(values.count) levels")
        let n = samples.count
        if values.count > Self.selectionLimit {
            samples.sort()
            for (k, level) in values.enumerated() { output[k] = SampleQuantiles.type7(sorted: samples, level: level) }
            return
        }
        samples.withUnsafeMutableBufferPointer { x in
            // x[settled - 1] holds its order statistic and x[settled...] are all >= it, so later (larger) ranks
            // are selected in that suffix only.
            var settled = 0
            for (k, level) in values.enumerated() {
                let (lo, fraction) = SampleQuantiles.type7Position(count: n, level: level)
                if lo >= settled {
                    Self.select(x, rank: lo, from: settled)
                    settled = lo + 1
                }
                // The upper order statistic is only selected when it is weighed.
                let hi = fraction > 0 ? min(lo + 1, n - 1) : lo
                if hi >= settled {
                    Self.select(x, rank: hi, from: settled)
                    settled = hi + 1
                }
                output[k] = SampleQuantiles.type7Interpolate(lower: x[lo], upper: x[hi], fraction: fraction)
            }
        }
    }

    /// The type-7 quantiles of `samples` (copied, so `samples` is left alone).
    /// - Complexity: as ``estimate(from:into:)`` plus one copy.
    public func estimate(from samples: [Double]) -> [Double] {
        var scratch = samples
        var output = [Double](repeating: 0, count: values.count)
        estimate(from: &scratch, into: &output)
        return output
    }

    /// Above this many levels ``estimate(from:into:)`` sorts instead of selecting.
    public static let selectionLimit = 4

    /// Puts the order statistic of `rank` at `x[rank]`, smaller-or-equal values before it, in `x[start...]`
    /// (Hoare's quickselect with a median-of-three pivot).
    private static func select(_ x: UnsafeMutableBufferPointer<Double>, rank: Int, from start: Int) {
        var low = start
        var high = x.count - 1
        while high > low {
            let mid = low + (high - low) / 2
            // Median of three into x[mid] keeps sorted and reversed inputs linear on average.
            if x[mid] < x[low] { x.swapAt(mid, low) }
            if x[high] < x[low] { x.swapAt(high, low) }
            if x[high] < x[mid] { x.swapAt(high, mid) }
            let pivot = x[mid]
            var i = low
            var j = high
            while i <= j {
                while x[i] < pivot { i += 1 }
                while x[j] > pivot { j -= 1 }
                if i <= j {
                    x.swapAt(i, j)
                    i += 1
                    j -= 1
                }
            }
            if rank <= j {
                high = j
            } else if rank >= i {
                low = i
            } else {
                return
            }
        }
    }

    /// Sorts crossing quantiles in place (monotone rearrangement, Chernozhukov, Fernández-Val & Galichon 2010,
    /// which on a finite grid of levels is a sort) and reports whether any crossed.
    /// - Complexity: O(K) when already monotone, O(K log K) otherwise; allocates nothing.
    @discardableResult
    public static func rearrange(_ quantiles: inout [Double]) -> Bool {
        var crossed = false
        for k in quantiles.indices.dropFirst() where quantiles[k] < quantiles[k - 1] {
            crossed = true
            break
        }
        if crossed { quantiles.sort() }
        return crossed
    }
}
