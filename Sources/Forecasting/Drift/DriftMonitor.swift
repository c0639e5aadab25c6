/// Per-stream forecast monitoring: scores every (forecast, outcome) pair into a tumbling window that is emitted as
/// a ``DriftWindow`` when it holds ``Configuration/windowLength`` outcomes, and watches the standardised errors with
/// a ``CUSUMDetector``.
///
/// The standardised error is `z = (y − median)/scale` with `scale = (q_hi − q_lo)/(Φ⁻¹(τ_hi) − Φ⁻¹(τ_lo))` from the
/// widest central interval, i.e. the standard deviation a Gaussian with those quantiles would have (the midpoint
/// stands in for a missing median). Feed it one forecast step per outcome (the engine uses step 1).
/// - Complexity: O(K) per update; no allocation except when a window closes or an alarm fires.
public struct DriftMonitor: Sendable, Equatable {
    /// Settings.
    public struct Configuration: Sendable, Codable, Hashable {
        /// Outcomes per window. The default is 1440 (a day of one-minute steps).
        public var windowLength: Int = 1440
        /// The change detector. The default is ``CUSUMDetector/Configuration/init()``.
        public var detector = CUSUMDetector.Configuration()
        /// Smallest forecast scale used to standardise errors (units of the outcome). The default is 1e-9.
        public var scaleFloor: Double = 1e-9

        /// The defaults.
        public init() {}

        /// Explicit settings.
        public init(windowLength: Int, detector: CUSUMDetector.Configuration = .init(), scaleFloor: Double = 1e-9) {
            self.windowLength = windowLength
            self.detector = detector
            self.scaleFloor = scaleFloor
        }
    }

    /// What one update produced.
    public struct Update: Sendable, Equatable {
        /// The alarm raised by this outcome, if any.
        public var alarm: DriftAlarm?
        /// The window this outcome closed, if any.
        public var closedWindow: DriftWindow?
    }

    /// The forecast levels.
    public let levels: QuantileLevels
    /// The central intervals whose coverage is reported (all the levels support, narrowest first).
    public let intervals: [CentralInterval]
    /// The settings.
    public let configuration: Configuration
    /// The change detector's state.
    public internal(set) var detector: CUSUMDetector
    var window: Accumulator
    private let weights: [Double]
    private let spreadInterval: CentralInterval?
    private let spreadUnits: Double

    /// Running sums of the open window.
    struct Accumulator: Sendable, Codable, Equatable {
        var start = 0.0
        var end = 0.0
        var count = 0
        var crps = 0.0
        var absoluteError = 0.0
        var atOrBelow: [Int]
        var inside: [Int]
        var pit: [Int]
        var residual = 0.0
        var alarms: [DriftAlarm] = []

        init(levels: Int, intervals: Int) {
            atOrBelow = Array(repeating: 0, count: levels)
            inside = Array(repeating: 0, count: intervals)
            pit = Array(repeating: 0, count: 10)
        }
    }

    /// A monitor with an empty window and a detector in warm-up.
    public init(levels: QuantileLevels, configuration: Configuration = Configuration()) {
        precondition(configuration.windowLength >= 1, "drift window must hold at least one outcome")
        self.levels = levels
        self.intervals = levels.centralIntervals
        self.configuration = configuration
        self.detector = CUSUMDetector(configuration: configuration.detector)
        self.window = Accumulator(levels: levels.count, intervals: levels.centralIntervals.count)
        self.weights = levels.riemannWeights
        let widest = levels.centralIntervals.last
        self.spreadInterval = widest
        self.spreadUnits =
            widest.map { Gaussian.quantile(levels.values[$0.upper]) - Gaussian.quantile(levels.values[$0.lower]) } ?? 1
    }

    /// The scores of the window still open.
    public var openWindow: DriftWindow? { window.count == 0 ? nil : makeWindow() }

    /// The standardised error of `y` under `quantiles`.
    public func standardizedError(quantiles: [Double], outcome y: Double) -> Double {
        let lower = spreadInterval.map { quantiles[$0.lower] } ?? quantiles[0]
        let upper = spreadInterval.map { quantiles[$0.upper] } ?? quantiles[quantiles.count - 1]
        let center = levels.medianIndex.map { quantiles[$0] } ?? (lower + upper) / 2
        return (y - center) / max((upper - lower) / spreadUnits, configuration.scaleFloor)
    }

    /// Scores the outcome `y` at `time` (Unix seconds) of a forecast with `quantiles` (monotone).
    /// - Throws: ``ForecastInputError`` for a wrong count or non-finite numbers; the state is then unchanged.
    public mutating func update(
        time: Double, quantiles: [Double], outcome y: Double
    ) throws(ForecastInputError)
        -> Update
    {
        try ForecastInputError.check(quantiles, count: levels.count, outcome: y)
        guard time.isFinite else { throw .nonFiniteTime }
        if window.count == 0 { window.start = time }
        window.end = time
        window.count += 1
        window.crps += CRPS.fromQuantiles(quantiles, weights: weights, levels: levels, outcome: y)
        if let median = levels.medianIndex { window.absoluteError += abs(y - quantiles[median]) }
        for k in quantiles.indices where y <= quantiles[k] { window.atOrBelow[k] += 1 }
        for (i, interval) in intervals.enumerated() where Coverage.contains(interval, quantiles: quantiles, outcome: y)
        {
            window.inside[i] += 1
        }
        let pit = PIT.fromQuantiles(quantiles, levels: levels, outcome: y)
        window.pit[min(9, max(0, Int(pit * 10)))] += 1
        let z = standardizedError(quantiles: quantiles, outcome: y)
        let clip = configuration.detector.clip
        window.residual += min(max(z, -clip), clip)
        var update = Update()
        if let change = detector.update(z) {
            let alarm = DriftAlarm(time: time, change: change)
            window.alarms.append(alarm)
            update.alarm = alarm
        }
        if window.count == configuration.windowLength {
            update.closedWindow = makeWindow()
            window = Accumulator(levels: levels.count, intervals: intervals.count)
        }
        return update
    }

    private func makeWindow() -> DriftWindow {
        let n = Double(window.count)
        return DriftWindow(
            start: window.start, end: window.end, count: window.count, crps: window.crps / n,
            meanAbsoluteError: levels.medianIndex == nil ? .nan : window.absoluteError / n,
            atOrBelow: window.atOrBelow.map { Double($0) / n }, coverage: window.inside.map { Double($0) / n },
            pitHistogram: window.pit, meanStandardizedResidual: window.residual / n, alarms: window.alarms)
    }
}
