import Formats

/// Times as operators type them: ISO-8601 (`2026-05-01T12:00:00Z`, `2026-05-01`), `now`, `today`,
/// `yesterday` (midnight UTC) and offsets from now (`-2h`, `-30m`, `-7d`, `-1w`, `-90s`, `+1h`, `2h ago`).
///
/// Every result is µs since the Unix epoch; "now" is passed in so output is reproducible.
public enum TimeExpression {
    /// Parses `text` relative to `nowUs`.
    /// - Throws: ``InspectionError`` `.invalidArgument` naming the accepted forms.
    public static func parse(_ text: String, nowUs: Int64) throws(InspectionError) -> Int64 {
        let trimmed = String(text.trimmingWhitespace()).lowercased()
        let dayUs: Int64 = 86_400 * UTCTimestamp.microsecondsPerSecond
        let midnight = (nowUs / dayUs - (nowUs % dayUs < 0 ? 1 : 0)) * dayUs
        switch trimmed {
        case "now": return nowUs
        case "today": return midnight
        case "yesterday": return midnight - dayUs
        case "tomorrow": return midnight + dayUs
        default: break
        }
        if let offset = relativeOffset(trimmed) { return nowUs + offset }
        if let first = trimmed.first, first.isNumber,
            let microseconds = UTCTimestamp.parseMicroseconds(text.trimmingWhitespace())
        {
            return microseconds
        }
        throw InspectionError(
            .invalidArgument,
            "cannot read time '\(text)': use ISO-8601 (2026-05-01T12:00:00Z, 2026-05-01), now, today, yesterday, "
                + "or an offset like -2h, -30m, -7d, '2h ago'")
    }

    /// Parses a duration like `90s`, `5m`, `2h`, `1d`, `1w` into µs, or `nil`.
    public static func durationUs(_ text: String) -> Int64? {
        let units: [Character: Int64] = ["s": 1, "m": 60, "h": 3600, "d": 86_400, "w": 604_800].mapValues {
            $0 * UTCTimestamp.microsecondsPerSecond
        }
        // 1e18 µs (31 700 years) keeps `now ± offset` inside Int64.
        guard let unit = text.last, let scale = units[unit], let amount = Double(text.dropLast()), amount.isFinite,
            amount >= 0, amount * Double(scale) < 1e18
        else { return nil }
        return Int64((amount * Double(scale)).rounded())
    }

    private static func relativeOffset(_ text: String) -> Int64? {
        if text.hasSuffix(" ago") {
            let amount = String(text.dropLast(4)).filter { $0 != " " }
            return durationUs(amount).map { -$0 }
        }
        guard let sign = text.first, sign == "-" || sign == "+" else { return nil }
        let amount = String(text.dropFirst()).filter { $0 != " " }
        return durationUs(amount).map { sign == "-" ? -$0 : $0 }
    }
}
