import Formats
import Foundation

/// Tick positions and labels for the fan chart's axes.
enum ChartAxis {
    /// Round value ticks (1, 2 or 5 × 10ᵏ apart) covering `low...high`, about `target` of them, and the decimals
    /// their labels need.
    static func valueTicks(low: Double, high: Double, target: Int = 6) -> (ticks: [Double], decimals: Int) {
        let span = max(high - low, abs(high) * 1e-9, 1e-12)
        let raw = span / Double(max(1, target))
        let magnitude = pow(10, (log10(raw)).rounded(.down))
        let spacing = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? 10 * magnitude
        let first = (low / spacing).rounded(.down) * spacing
        var ticks: [Double] = []
        var value = first
        while value <= high + spacing * 1e-9, ticks.count < 50 {
            if value >= low - spacing * 1e-9 { ticks.append(abs(value) < spacing * 1e-9 ? 0 : value) }
            value += spacing
        }
        let decimals = max(0, -Int((log10(spacing)).rounded(.down)))
        return (ticks, decimals)
    }

    /// Candidate spacings for time ticks, in seconds.
    static let timeSpacings: [Int64] = [
        1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172_800, 604_800,
        1_209_600, 2_592_000,
    ]

    /// Time ticks at a round spacing (whole minutes, hours, days in UTC), at most `maximum` of them, each with a
    /// label and whether it starts a new day (the chart then writes the date under it).
    static func timeTicks(fromUs: Int64, toUs: Int64, maximum: Int = 8) -> [(tUs: Int64, label: String, date: String?)]
    {
        let spanSeconds = max(1, (toUs - fromUs) / UTCTimestamp.microsecondsPerSecond)
        // Past the largest round spacing (months of data), whole days apart, still at most `maximum` ticks.
        let spacing =
            timeSpacings.first { spanSeconds / $0 < Int64(maximum) }
            ?? (spanSeconds / Int64(maximum) / 86400 + 1) * 86400
        let spacingUs = spacing * UTCTimestamp.microsecondsPerSecond
        var t = (fromUs + spacingUs - 1).floorDivided(by: spacingUs) * spacingUs
        var ticks: [(Int64, String, String?)] = []
        var previousDay: Int64?
        while t <= toUs {
            let text = ValueText.time(t)  // 2026-05-01T12:00:00Z
            let day = t.floorDivided(by: 86_400 * UTCTimestamp.microsecondsPerSecond)
            let clock = spacing < 60 ? String(text.dropFirst(11).prefix(8)) : String(text.dropFirst(11).prefix(5))
            let date = String(text.prefix(10))
            if spacing >= 86400 {
                ticks.append((t, String(date.dropFirst(5)), previousDay == nil ? String(date.prefix(4)) : nil))
            } else {
                ticks.append((t, clock, day != previousDay ? date : nil))
            }
            previousDay = day
            t += spacingUs
        }
        return ticks
    }
}

extension Int64 {
    fileprivate func floorDivided(by divisor: Int64) -> Int64 {
        let quotient = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }
}
