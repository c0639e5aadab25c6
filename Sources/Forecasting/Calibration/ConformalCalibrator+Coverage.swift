extension ConformalCalibrator {
    /// Empirical coverage of the calibrated quantiles of step 1 over the last W outcomes.
    public struct CoverageReport: Sendable, Equatable {
        /// Outcomes in the window.
        public var count: Int
        /// Per level: the fraction of outcomes at or below the calibrated quantile (nominal: the level itself).
        public var atOrBelow: [Double]
        /// Per central interval of ``ConformalCalibrator/intervals``: the fraction of outcomes inside it.
        public var inside: [Double]
    }

    /// The empirical coverage of step 1 over its window; fractions are NaN before the first outcome. Step 1 is the
    /// only step whose coverage is kept: it is the one published, and a ring per step cost W entries each.
    /// - Complexity: O(K); allocates the two result arrays.
    public var coverage: CoverageReport {
        let window = coverageWindow
        let n = Double(window.positions.count)
        return CoverageReport(
            count: window.positions.count, atOrBelow: window.atOrBelow.map { Double($0) / n },
            inside: window.inside.map { Double($0) / n })
    }

    /// Outcomes in the step-1 coverage window (``coverage``'s count, without building the report).
    public var coverageCount: Int { coverageWindow.positions.count }

    /// The empirical coverage of the step-1 central interval of nominal `coverage` over the window (the
    /// `calibration.empirical` field of the payload), or nil when the levels have no such interval or no outcome yet.
    public func empiricalCoverage(interval coverage: Double) -> Double? {
        guard let i = intervals.firstIndex(where: { abs($0.coverage - coverage) < QuantileLevels.tolerance }),
            coverageWindow.positions.count > 0
        else { return nil }
        return Double(coverageWindow.inside[i]) / Double(coverageWindow.positions.count)
    }

    /// Adds one step-1 outcome's position among the calibrated quantiles to the coverage window.
    mutating func recordCoverage(less: Int, lessOrEqual: Int) {
        let position = CoveragePositions.Position(less: less, lessOrEqual: lessOrEqual)
        if let evicted = coverageWindow.positions.append(position) {
            count(evicted, delta: -1)
        }
        count(position, delta: 1)
    }

    private mutating func count(_ position: CoveragePositions.Position, delta: Int) {
        let (less, lessOrEqual) = (position.less, position.lessOrEqual)
        // y ≤ q′ₖ ⇔ k ≥ #{q′ < y};  y ≥ q′ₖ ⇔ k < #{q′ ≤ y}.
        for k in less..<levels.count { coverageWindow.atOrBelow[k] += delta }
        for (i, interval) in intervals.enumerated() where interval.lower < lessOrEqual && interval.upper >= less {
            coverageWindow.inside[i] += delta
        }
    }
}
