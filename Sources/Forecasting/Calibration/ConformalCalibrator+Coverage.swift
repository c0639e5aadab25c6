extension ConformalCalibrator {
    /// Empirical coverage of the calibrated quantiles of one step over the last W outcomes.
    public struct CoverageReport: Sendable, Equatable {
        /// Outcomes in the window.
        public var count: Int
        /// Per level: the fraction of outcomes at or below the calibrated quantile (nominal: the level itself).
        public var atOrBelow: [Double]
        /// Per central interval of ``ConformalCalibrator/intervals``: the fraction of outcomes inside it.
        public var inside: [Double]
    }

    /// The empirical coverage of step `h` (1-based) over its window; fractions are NaN before the first outcome.
    /// - Complexity: O(K); allocates the two result arrays.
    public func coverage(step h: Int) -> CoverageReport {
        precondition(h >= 1 && h <= steps.count, "step \(h) outside 1...\(steps.count)")
        let state = steps[h - 1]
        let n = Double(state.positions.count)
        return CoverageReport(
            count: state.positions.count, atOrBelow: state.atOrBelow.map { Double($0) / n },
            inside: state.inside.map { Double($0) / n })
    }

    /// The empirical coverage of the central interval of nominal `coverage` at step `h` over the window (the
    /// `calibration.empirical` field of the payload), or nil when the levels have no such interval or no outcome yet.
    public func empiricalCoverage(step h: Int, interval coverage: Double) -> Double? {
        precondition(h >= 1 && h <= steps.count, "step \(h) outside 1...\(steps.count)")
        guard let i = intervals.firstIndex(where: { abs($0.coverage - coverage) < QuantileLevels.tolerance }),
            !steps[h - 1].positions.isEmpty
        else { return nil }
        return Double(steps[h - 1].inside[i]) / Double(steps[h - 1].positions.count)
    }

    /// Adds one outcome's position among the calibrated quantiles to the coverage window of step index `s`.
    mutating func recordCoverage(step s: Int, less: Int, lessOrEqual: Int) {
        let packed = UInt16(less) | UInt16(lessOrEqual) << 8
        if let evicted = steps[s].positions.append(packed) {
            count(step: s, packed: evicted, delta: -1)
        }
        count(step: s, packed: packed, delta: 1)
    }

    mutating func count(step s: Int, packed: UInt16, delta: Int) {
        let less = Int(packed & 0xFF)
        let lessOrEqual = Int(packed >> 8)
        // y ≤ q′ₖ ⇔ k ≥ #{q′ < y};  y ≥ q′ₖ ⇔ k < #{q′ ≤ y}.
        for k in less..<levels.count { steps[s].atOrBelow[k] += delta }
        for (i, interval) in intervals.enumerated() where interval.lower < lessOrEqual && interval.upper >= less {
            steps[s].inside[i] += delta
        }
    }
}
