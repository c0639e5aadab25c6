/// A two-sided CUSUM change detector (Page 1954) on a stream of standardised forecast errors `z`, watching their
/// level (`z`) and their spread (`√|z|`, Hawkins 1981: for Gaussian `z` it is close to normal, mean 0.822 and
/// standard deviation 0.349, where `|z|` is skewed and alarms falsely about every 15 000 outcomes).
///
/// Each feature `x` is first standardised against a reference `(m, s)` estimated over the first
/// ``Configuration/warmup`` values after a start or an alarm (Welford), `u = (x − m)/s`, then accumulated as
/// `S⁺ ← max(0, S⁺ + u − k)` and `S⁻ ← max(0, S⁻ − u − k)`; an alarm fires when either exceeds `h` and restarts the
/// warm-up, so the detector then watches for changes from the new regime. Re-estimating the reference means a
/// forecaster that is steadily biased or mis-scaled does not alarm forever; only changes do.
///
/// With the defaults `k = 0.5`, `h = 12` (Siegmund's approximation for Gaussian `u`): one-sided in-control run
/// length ≈ 1·10⁶ observations (≈ 2.6·10⁵ for the four sums together), detection after ≈ (h + 1.166)/(δ − k) ≈ 26
/// observations for a level shift of δ = 1 standard deviation. The reference is estimated from 500 values, which
/// shortens the in-control run; `DriftMonitorTests` measured 4 false alarms in 400 000 stationary outcomes, delays
/// of 10–37 outcomes for a 1σ level shift and 10–84 for a doubling of the error scale (10 seeds each). Values are winsorised at ±``Configuration/clip`` so a single wild outlier cannot alarm alone.
/// - Complexity: O(1) per update, no allocation.
public struct CUSUMDetector: Sendable, Codable, Equatable {
    /// Detector parameters (in standard deviations of the reference).
    public struct Configuration: Sendable, Codable, Hashable {
        /// k, the allowance: half the smallest shift worth detecting. The default is 0.5.
        public var allowance: Double = 0.5
        /// h, the decision threshold. The default is 12.
        public var threshold: Double = 12
        /// Observations used to estimate the reference after a start or an alarm. The default is 500.
        public var warmup: Int = 500
        /// |z| above this is clipped before use. The default is 6.
        public var clip: Double = 6

        /// The defaults.
        public init() {}

        /// Explicit parameters.
        public init(allowance: Double, threshold: Double, warmup: Int, clip: Double = 6) {
            self.allowance = allowance
            self.threshold = threshold
            self.warmup = warmup
            self.clip = clip
        }
    }

    /// What changed.
    public enum Change: String, Sendable, Codable, Hashable {
        /// The errors' level rose (the forecasts are now too low).
        case levelUp = "level_up"
        /// The errors' level fell (the forecasts are now too high).
        case levelDown = "level_down"
        /// The errors grew (intervals now too narrow).
        case spreadUp = "spread_up"
        /// The errors shrank (intervals now too wide).
        case spreadDown = "spread_down"
    }

    /// The parameters.
    public let configuration: Configuration
    /// Observations seen since the last (re)start of the reference.
    public private(set) var seen = 0
    private var level = Feature()
    private var spread = Feature()

    /// One watched feature: its reference moments and its two CUSUM sums.
    struct Feature: Sendable, Codable, Equatable {
        var mean = 0.0
        var m2 = 0.0
        var upper = 0.0
        var lower = 0.0

        mutating func learn(_ x: Double, n: Int) {
            let delta = x - mean
            mean += delta / Double(n)
            m2 += delta * (x - mean)
        }

        /// Accumulates `x`; returns +1 / −1 when the upper / lower sum crosses `h`.
        mutating func accumulate(_ x: Double, n: Int, k: Double, h: Double) -> Int {
            let sd = max((m2 / Double(max(n - 1, 1))).squareRoot(), 1e-12)
            let u = (x - mean) / sd
            upper = max(0, upper + u - k)
            lower = max(0, lower - u - k)
            return upper > h ? 1 : lower > h ? -1 : 0
        }
    }

    /// A detector that starts by learning its reference.
    public init(configuration: Configuration = Configuration()) {
        precondition(configuration.warmup >= 2, "CUSUM warm-up must be at least 2, got \(configuration.warmup)")
        precondition(configuration.threshold > 0 && configuration.allowance >= 0, "CUSUM needs h > 0 and k >= 0")
        self.configuration = configuration
    }

    /// Whether the reference is still being estimated (no alarm can fire).
    public var isWarmingUp: Bool { seen < configuration.warmup }

    /// Feeds one standardised error; returns the change when an alarm fires (the detector then restarts its warm-up).
    /// Non-finite values are ignored.
    public mutating func update(_ z: Double) -> Change? {
        guard z.isFinite else { return nil }
        let x = min(max(z, -configuration.clip), configuration.clip)
        if seen < configuration.warmup {
            seen += 1
            level.learn(x, n: seen)
            spread.learn(abs(x).squareRoot(), n: seen)
            return nil
        }
        let (k, h, n) = (configuration.allowance, configuration.threshold, configuration.warmup)
        let levelSignal = level.accumulate(x, n: n, k: k, h: h)
        let spreadSignal = spread.accumulate(abs(x).squareRoot(), n: n, k: k, h: h)
        let change: Change? =
            spreadSignal > 0
            ? .spreadUp
            : levelSignal > 0 ? .levelUp : levelSignal < 0 ? .levelDown : spreadSignal < 0 ? .spreadDown : nil
        if change != nil { reset() }
        return change
    }

    /// Forgets the reference and the sums.
    public mutating func reset() {
        seen = 0
        level = Feature()
        spread = Feature()
    }
}
