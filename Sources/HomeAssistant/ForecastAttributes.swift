public import Engine
import Formats

/// The compact attribute payload of a stream's entity (`json_attributes_topic`): the next step's median, its 80 %
/// and 90 % bounds, when it was issued, the model and the measured coverage.
///
/// ```json
/// {"stream":"lab/t1","issued_at":"2026-05-01T12:00:00Z","for":"2026-05-01T12:01:00Z","mean":21.4,
///  "median":21.4,"low_80":21,"high_80":21.8,"low_90":20.9,"high_90":21.9,
///  "model":"default","model_version":17,"model_kind":"barnn","coverage_level":0.9,"coverage":0.89,
///  "coverage_window":1440}
/// ```
/// Home Assistant's recorder drops attributes over 16 KB, so the document is always smaller than
/// ``maximumBytes``: only step 1 is written, and a stream id that would push it over is left out.
public enum ForecastAttributes {
    /// The bound every attribute payload stays under (Home Assistant's recorder limit is 16 384 bytes).
    public static let maximumBytes = 16_000

    /// The attribute payload of `payload`; `nil` when the forecast has no point.
    public static func json(_ payload: ForecastPayload) -> [UInt8]? {
        let document = json(payload, includingStream: true)
        guard let document, document.count >= maximumBytes else { return document }
        return json(payload, includingStream: false)
    }

    private static func json(_ payload: ForecastPayload, includingStream: Bool) -> [UInt8]? {
        guard let first = payload.points.first else { return nil }
        // The same running-maximum rearrangement as the forecast payload, so both show the same numbers.
        var floor = -Float.infinity
        let quantiles = first.quantiles.map { value -> Float in
            guard value.isFinite else { return value }
            floor = max(floor, value)
            return floor
        }
        func quantile(_ level: Double) -> Float? {
            guard let index = payload.levels.firstIndex(where: { abs($0 - level) < 1e-9 }), index < quantiles.count
            else { return nil }
            return quantiles[index]
        }
        var out = JSONWriter()
        out.object { out in
            if includingStream {
                out.key("stream")
                out.string(payload.stream)
            }
            out.key("issued_at")
            out.string(UTCTimestamp.format(payload.issuedAt))
            out.key("for")
            out.string(UTCTimestamp.format(first.t))
            out.key("mean")
            out.number(first.mean)
            for (key, level) in [
                ("median", 0.5), ("low_80", 0.1), ("high_80", 0.9), ("low_90", 0.05), ("high_90", 0.95),
            ] {
                if let value = quantile(level) {
                    out.key(key)
                    out.number(value)
                }
            }
            out.key("model")
            out.string(payload.model.name)
            out.key("model_version")
            out.integer(payload.model.version)
            out.key("model_kind")
            out.string(payload.model.kind.rawValue)
            if let calibration = payload.calibration {
                out.key("coverage_level")
                out.number(calibration.level)
                out.key("coverage")
                out.number(calibration.empirical)
                out.key("coverage_window")
                out.integer(calibration.window)
            }
        }
        return out.bytes
    }
}
