import Foundation

/// Calendar features of a target step: sin/cos of the hour-of-day phase and of the day-of-week phase.
///
/// `count` is 4, in the order [sin(2π·day phase), cos(2π·day phase), sin(2π·week phase), cos(2π·week phase)],
/// where the day phase is seconds since midnight UTC / 86400 and the week phase counts from Monday 00:00 UTC.
public enum TimeFeatures {
    /// Number of features written per step.
    public static let count = 4

    /// Writes the 4 features of Unix time `unixTime` (seconds, UTC) into `out[0..<4]`.
    public static func write(unixTime: Double, into out: UnsafeMutablePointer<Float>) {
        let day = 86_400.0
        let dayPhase = unixTime.truncatingRemainder(dividingBy: day) / day
        // 1970-01-01 was a Thursday: Monday 00:00 is 3 days earlier.
        let weekPhase =
            ((unixTime / day + 3).truncatingRemainder(dividingBy: 7) + 7).truncatingRemainder(dividingBy: 7)
            / 7
        out[0] = Float(sin(2 * .pi * dayPhase))
        out[1] = Float(cos(2 * .pi * dayPhase))
        out[2] = Float(sin(2 * .pi * weekPhase))
        out[3] = Float(cos(2 * .pi * weekPhase))
    }

    /// Features for each time in `unixTimes`, row-major [T, 4].
    public static func features(unixTimes: [Double]) -> [Float] {
        var out = [Float](repeating: 0, count: unixTimes.count * count)
        out.withUnsafeMutableBufferPointer { buf in
            for (t, time) in unixTimes.enumerated() { write(unixTime: time, into: buf.baseAddress! + t * count) }
        }
        return out
    }
}
