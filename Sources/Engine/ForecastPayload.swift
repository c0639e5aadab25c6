import Formats

/// One published forecast: the JSON document of DESIGN.md's "Forecast payload", one message per stream per issue.
///
/// ```json
/// {"stream":"lab/t1","issued_at":"2026-05-01T12:00:00Z","step_s":60,
///  "model":{"name":"default","version":17,"kind":"barnn"},
///  "points":[{"t":"2026-05-01T12:01:00Z","mean":21.4,"q":{"0.05":20.9,"0.5":21.4,"0.95":21.9}}],
///  "calibration":{"level":0.9,"empirical":0.89,"window":1440}}
/// ```
/// Keys keep this order so consumers that diff payloads see stable text; quantiles are written sorted by level and
/// forced monotone, because a crossing pair would make an interval with its ends swapped.
public struct ForecastPayload: Sendable, Equatable {
    /// Which kind of forecaster produced the points.
    public enum Kind: String, Sendable {
        case barnn
        case fallback
    }

    /// The model that produced the forecast.
    public struct ModelInfo: Sendable, Equatable {
        /// The model group's name.
        public var name: String
        /// The checkpoint version; 0 for the fallback forecaster.
        public var version: Int
        /// BARNN or the cold-start fallback.
        public var kind: Kind

        /// Creates model metadata.
        public init(name: String, version: Int, kind: Kind) {
            self.name = name
            self.version = version
            self.kind = kind
        }
    }

    /// One horizon step.
    public struct Point: Sendable, Equatable {
        /// Target time, Unix seconds.
        public var t: Double
        /// Mean of the predictive distribution, raw units.
        public var mean: Float
        /// Quantiles at `ForecastPayload.levels`, raw units.
        public var quantiles: [Float]

        /// Creates a point.
        public init(t: Double, mean: Float, quantiles: [Float]) {
            self.t = t
            self.mean = mean
            self.quantiles = quantiles
        }
    }

    /// Calibration summary for the headline interval.
    public struct Calibration: Sendable, Equatable {
        /// Nominal central-interval level, e.g. 0.9.
        public var level: Double
        /// Empirical coverage over the window; `nil` before anything was scored.
        public var empirical: Double?
        /// Number of scored outcomes behind `empirical`.
        public var window: Int

        /// Creates a calibration summary.
        public init(level: Double, empirical: Double?, window: Int) {
            self.level = level
            self.empirical = empirical
            self.window = window
        }
    }

    /// The stream id.
    public var stream: String
    /// Issue time (the last observation's time), Unix seconds.
    public var issuedAt: Double
    /// The stream's step, seconds (0 for event cadence).
    public var stepSeconds: Double
    /// Producing model.
    public var model: ModelInfo
    /// Quantile levels, ascending, shared by every point.
    public var levels: [Double]
    /// Horizon steps 1…H.
    public var points: [Point]
    /// Calibration summary.
    public var calibration: Calibration?

    /// Creates a payload.
    public init(
        stream: String, issuedAt: Double, stepSeconds: Double, model: ModelInfo, levels: [Double], points: [Point],
        calibration: Calibration?
    ) {
        self.stream = stream
        self.issuedAt = issuedAt
        self.stepSeconds = stepSeconds
        self.model = model
        self.levels = levels
        self.points = points
        self.calibration = calibration
    }

    /// The UTF-8 JSON document.
    public func json() -> [UInt8] {
        var out = JSONWriter()
        out.raw("{\"stream\":")
        out.string(stream)
        out.raw(",\"issued_at\":")
        out.string(UTCTimestamp.format(issuedAt))
        out.raw(",\"step_s\":")
        out.number(stepSeconds)
        out.raw(",\"model\":{\"name\":")
        out.string(model.name)
        out.raw(",\"version\":\(model.version),\"kind\":")
        out.string(model.kind.rawValue)
        out.raw("},\"points\":[")
        let levelKeys = levels.map { "\"\($0)\":" }
        for (index, point) in points.enumerated() {
            if index > 0 { out.raw(",") }
            out.raw("{\"t\":")
            out.string(UTCTimestamp.format(point.t))
            out.raw(",\"mean\":")
            out.number(point.mean)
            out.raw(",\"q\":{")
            var floor = -Float.infinity
            for (levelIndex, key) in levelKeys.enumerated() where levelIndex < point.quantiles.count {
                if levelIndex > 0 { out.raw(",") }
                out.raw(key)
                let value = point.quantiles[levelIndex]
                // Monotone rearrangement by running maximum: quantiles must not cross.
                if value.isFinite { floor = max(floor, value) }
                out.number(value.isFinite ? floor : value)
            }
            out.raw("}}")
        }
        out.raw("]")
        if let calibration {
            out.raw(",\"calibration\":{\"level\":")
            out.number(calibration.level)
            out.raw(",\"empirical\":")
            if let empirical = calibration.empirical { out.number(empirical) } else { out.raw("null") }
            out.raw(",\"window\":\(calibration.window)}")
        }
        out.raw("}")
        return out.bytes
    }

    /// The next step's median as plain text, for the scalar dashboard topic (Home Assistant, Grafana).
    public func nextMedianText() -> String? {
        guard let first = points.first, let median = levels.firstIndex(of: 0.5), median < first.quantiles.count
        else { return points.first.map { "\($0.mean)" } }
        return "\(first.quantiles[median])"
    }
}
