/// The nonconformity scores of many streams, one rolling window per horizon step and level, shared by the
/// ``ConformalCalibrator``s of the streams that feed it (a model group's).
///
/// **Why pool.** ACI and the rolling method read a quantile of recent scores. Kept per stream, those windows are
/// `8·K·W` bytes per horizon step: 201 KB per stream at H 12, K 7, W 300, nearly all of a stream's memory. Scores
/// are in units of the model's own interval width, so the streams of one model are on one scale, and a pooled
/// window is a sample of the same kind of error. What stays per stream is ACI's effective level τ̃ of each level and
/// step: it moves with that stream's own hits and misses, and its long-run coverage guarantee holds whatever window
/// it reads its quantiles from (Gibbs & Candès 2021 need only that τ̃ keeps moving), so a stream whose model is
/// sharper or wider than its group's settles at its own τ̃ instead of the group's.
///
/// The window holds the last W scores of all its streams, so with S streams it spans about W/S steps of time.
public struct CalibrationScorePool: Sendable, Equatable {
    /// Per step index `h − 1`, per level: the window of scores.
    var windows: [[RollingWindowQuantile]]

    /// An empty pool for `levelCount` levels, steps 1…`horizon` and windows of `window` scores.
    /// Traps on a count below 1 (a programmer error in the configuration).
    public init(levelCount: Int, horizon: Int, window: Int) {
        precondition(levelCount >= 1 && horizon >= 1 && window >= 1, "score pool shape must be positive")
        windows = Array(
            repeating: Array(repeating: RollingWindowQuantile(capacity: window), count: levelCount), count: horizon)
    }

    /// The horizon H.
    public var horizon: Int { windows.count }
    /// The number of levels K.
    public var levelCount: Int { windows[0].count }
    /// The capacity W of each window.
    public var window: Int { windows[0][0].capacity }
    /// Scores held for step `h` (1-based) and level index `k`.
    public func count(step h: Int, level k: Int) -> Int { windows[h - 1][k].count }

    /// Whether the pool serves calibrators of this shape.
    public func fits(levelCount: Int, horizon: Int, window: Int) -> Bool {
        self.levelCount == levelCount && self.horizon == horizon && self.window == window
    }
}

extension CalibrationScorePool: Codable {
    private enum CodingKeys: String, CodingKey { case windows }

    /// Restores a saved pool.
    /// - Throws: `DecodingError` when it has no windows or windows of different capacities.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let windows = try container.decode([[RollingWindowQuantile]].self, forKey: .windows)
        guard let first = windows.first?.first, windows.allSatisfy({ $0.count == windows[0].count }),
            windows.allSatisfy({ $0.allSatisfy { $0.capacity == first.capacity } })
        else { throw DecodingError.corrupt(decoder, "score pool: empty or ragged windows") }
        self.windows = windows
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(windows, forKey: .windows)
    }
}
