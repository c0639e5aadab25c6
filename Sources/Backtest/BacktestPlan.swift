/// The rolling-origin split of one stream under `shared/eval/PROTOCOL.md` (v1): the first 60 % is history, and
/// forecasts are scored at every `stride`-th origin from `trainLength − 1` to `length − 1 − horizon`.
///
/// The same formula as `evaluate.py`'s `split`: `n_train = ⌊0.6 n⌋`, `P = n − H − n_train + 1`,
/// `k = max(1, P / 150)`. Origins are 0-based indices of the last value seen.
public struct BacktestPlan: Sendable, Equatable {
    /// Values in the stream (n).
    public var length: Int
    /// Horizon H in index steps.
    public var horizon: Int
    /// Values used as history for the first fit (n_train).
    public var trainLength: Int
    /// Distance between scored origins (k).
    public var stride: Int
    /// The scored origins, ascending.
    public var origins: [Int]

    /// Origins the protocol aims for per stream (`TARGET_ORIGINS` in `evaluate.py`).
    public static let targetOrigins = 150
    /// Fraction of each stream used as history (`TRAIN_FRACTION` in `evaluate.py`).
    public static let trainFraction = 0.6

    /// The plan for a stream of `length` values and horizon `horizon`; `nil` when not even one origin fits.
    public init?(length: Int, horizon: Int) {
        guard horizon >= 1 else { return nil }
        let trainLength = Int((Self.trainFraction * Double(length)).rounded(.down))
        let first = trainLength - 1
        let last = length - 1 - horizon
        guard first >= 1, last >= first else { return nil }
        let possible = last - first + 1
        self.length = length
        self.horizon = horizon
        self.trainLength = trainLength
        self.stride = max(1, possible / Self.targetOrigins)
        self.origins = Array(Swift.stride(from: first, through: last, by: self.stride))
    }
}
