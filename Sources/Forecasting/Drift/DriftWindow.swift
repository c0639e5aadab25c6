/// Scores of one stream over one closed drift window: what the `drift` table stores.
public struct DriftWindow: Sendable, Codable, Equatable {
    /// Time of the window's first outcome (Unix seconds).
    public var start: Double
    /// Time of the window's last outcome (Unix seconds).
    public var end: Double
    /// Outcomes in the window.
    public var count: Int
    /// Mean CRPS (quantile form, units of the outcome).
    public var crps: Double
    /// Mean absolute error of the median (NaN when the levels have no median).
    public var meanAbsoluteError: Double
    /// Per level: fraction of outcomes at or below the quantile (nominal: the level).
    public var atOrBelow: [Double]
    /// Per central interval of ``DriftMonitor/intervals``: fraction of outcomes inside it.
    public var coverage: [Double]
    /// PIT histogram: outcomes per tenth of (0, 1) (10 bins; uniform when calibrated).
    public var pitHistogram: [Int]
    /// Mean standardised residual `(y − median)/scale`, winsorised like the detector's input (0 when unbiased).
    public var meanStandardizedResidual: Double
    /// Alarms raised during the window.
    public var alarms: [DriftAlarm]
}

/// A change detected on a stream's standardised errors.
public struct DriftAlarm: Sendable, Codable, Equatable {
    /// Time of the outcome that raised it (Unix seconds).
    public var time: Double
    /// What changed.
    public var change: CUSUMDetector.Change
}
