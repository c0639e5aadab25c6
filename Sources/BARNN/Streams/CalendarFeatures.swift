import Foundation

/// One periodic calendar signal, written as the sin/cos pair of its phase.
public enum CalendarComponent: Sendable, Codable, Equatable, Hashable {
    /// Seconds since midnight UTC over one day.
    case hourOfDay
    /// Time since Monday 00:00 UTC over one week.
    case dayOfWeek
    /// Time since 1 January 00:00 UTC over that year's length, so a yearly cycle lines up across leap years.
    case dayOfYear
    /// The step index modulo a season of `period` steps: the phase of a clock that skips (business hours, closed
    /// days), where the wall clock's hour does not say where in its season a step is.
    case seasonIndex(period: Int)

    /// The phase in [0, 1) of the step at Unix time `unixTime` (seconds, UTC) with stream step index `index`.
    public func phase(unixTime: Double, index: Int) -> Double {
        let day = 86_400.0
        switch self {
        case .hourOfDay:
            return Self.wrap(unixTime / day)
        case .dayOfWeek:
            // 1970-01-01 was a Thursday: Monday 00:00 is 3 days earlier.
            return Self.wrap((unixTime / day + 3) / 7)
        case .dayOfYear:
            let days = (unixTime / day).rounded(.down)
            let (year, dayOfYear) = Self.yearAndDay(daysSinceEpoch: Int(days))
            let length = Self.isLeap(year) ? 366.0 : 365.0
            return (Double(dayOfYear) + (unixTime / day - days)) / length
        case .seasonIndex(let period):
            guard period > 0 else { return 0 }
            return Double(((index % period) + period) % period) / Double(period)
        }
    }

    private static func wrap(_ x: Double) -> Double {
        let f = x - x.rounded(.down)
        return f.isFinite ? f : 0
    }

    static func isLeap(_ year: Int) -> Bool { year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) }

    /// The proleptic Gregorian year and 0-based day within it of a day count since 1970-01-01 (civil-from-days).
    static func yearAndDay(daysSinceEpoch z0: Int) -> (year: Int, day: Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)  // day of the March-based year
        let mp = (5 * doy + 2) / 153
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        // Days from 1 January: the March-based day shifted by January and February's length.
        let janFeb = isLeap(year) ? 60 : 59
        let day = month <= 2 ? doy - 306 : doy + janFeb
        return (year, day)
    }
}

/// The calendar features of a model: which periodic signals its steps carry, chosen from the stream's cadence and
/// season and recorded in the checkpoint so a restored model computes the features it was trained on.
///
/// Each component contributes [sin 2πφ, cos 2πφ]; a model's `timeFeatures` width F is `2 × components.count` (a
/// wider F is zero-filled).
public struct CalendarFeatures: Sendable, Codable, Equatable, Hashable {
    /// The components in feature order.
    public var components: [CalendarComponent]

    /// Features of the given components.
    public init(_ components: [CalendarComponent]) { self.components = components }

    /// Hour of day and day of week: what checkpoints written before calendars were recorded were trained on.
    public static let hourAndWeek = CalendarFeatures([.hourOfDay, .dayOfWeek])

    /// Number of features written per step.
    public var count: Int { 2 * components.count }

    /// The components that carry a season for a stream stepping every `stepSeconds` (the typical interval) with
    /// seasonal period `season` steps, two of them so a model's width does not depend on the data:
    /// - under a day: hour of day and day of week;
    /// - a day to under a week: day of week and day of year (the weekly and yearly cycles of daily data);
    /// - a week and slower: day of year, and the season index when a season is set (day of year again when not, so
    ///   the width stays 4);
    /// - a clock that skips (`irregular`, e.g. business hours) with a season m > 1: the season index replaces the
    ///   hour of day, which there does not say where in its season a step is.
    public static func forCadence(stepSeconds: Double, season: Int, irregular: Bool) -> CalendarFeatures {
        let day = 86_400.0
        let seasonal = season > 1
        if !(stepSeconds.isFinite && stepSeconds > 0) { return hourAndWeek }
        if stepSeconds < day * 0.999 {
            return CalendarFeatures([irregular && seasonal ? .seasonIndex(period: season) : .hourOfDay, .dayOfWeek])
        }
        if stepSeconds < 7 * day * 0.999 { return CalendarFeatures([.dayOfWeek, .dayOfYear]) }
        return CalendarFeatures([.dayOfYear, seasonal ? .seasonIndex(period: season) : .dayOfYear])
    }

    /// The typical step (median interval, seconds) of `unixTimes` and whether the clock skips: more than 2 % of the
    /// intervals differ from the median by over half of it (closed hours, skipped days; a few gaps do not count).
    public static func cadence(of unixTimes: [Double]) -> (stepSeconds: Double, irregular: Bool) {
        var intervals: [Double] = []
        intervals.reserveCapacity(max(0, unixTimes.count - 1))
        for (a, b) in zip(unixTimes, unixTimes.dropFirst()) where b > a { intervals.append(b - a) }
        guard !intervals.isEmpty else { return (.nan, false) }
        let median = intervals.sorted()[intervals.count / 2]
        let off = intervals.filter { abs($0 - median) > 0.5 * median }.count
        return (median, Double(off) > 0.02 * Double(intervals.count))
    }

    /// Writes the features of the step at `unixTime` with stream step index `index` into `out[0..<width]`.
    public func write(unixTime: Double, index: Int, into out: UnsafeMutablePointer<Float>, width: Int) {
        for (k, component) in components.enumerated() where 2 * k + 1 < width {
            let phase = 2 * Double.pi * component.phase(unixTime: unixTime, index: index)
            out[2 * k] = Float(sin(phase))
            out[2 * k + 1] = Float(cos(phase))
        }
        if width > count { for j in count..<width { out[j] = 0 } }
    }

    /// Features of consecutive steps at `unixTimes`, the first with step index `firstIndex`: row-major [T, width].
    public func features(unixTimes: [Double], firstIndex: Int = 0, width: Int? = nil) -> [Float] {
        let w = width ?? count
        var out = [Float](repeating: 0, count: unixTimes.count * w)
        out.withUnsafeMutableBufferPointer { buf in
            for (t, time) in unixTimes.enumerated() {
                write(unixTime: time, index: firstIndex + t, into: buf.baseAddress! + t * w, width: w)
            }
        }
        return out
    }
}
