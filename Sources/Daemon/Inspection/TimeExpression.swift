/// Times as operators type them: ISO-8601 (`2026-05-01T12:00:00Z`, `2026-05-01`), `now`, `today`,
/// `yesterday` (midnight UTC) and offsets from now (`-2h`, `-30m`, `-7d`, `-1w`, `-90s`, `+1h`, `2h ago`).
///
/// Every result is ms since the Unix epoch; "now" is passed in so output is reproducible.
public enum TimeExpression {
    /// Parses `text` relative to `nowMs`.
    /// - Throws: ``InspectionError`` `.invalidArgument` naming the accepted forms.
    public static func parse(_ text: String, nowMs: Int64) throws(InspectionError) -> Int64 {
        let trimmed = String(text.trimmingWhitespace()).lowercased()
        let dayMs: Int64 = 86_400_000
        let midnight = Int64((Double(nowMs) / Double(dayMs)).rounded(.down)) * dayMs
        switch trimmed {
        case "now": return nowMs
        case "today": return midnight
        case "yesterday": return midnight - dayMs
        case "tomorrow": return midnight + dayMs
        default: break
        }
        if let offset = relativeOffset(trimmed) { return nowMs + offset }
        if let first = trimmed.first, first.isNumber, let seconds = UTCTimestamp.parse(text.trimmingWhitespace()) {
            return Int64((seconds * 1000).rounded())
        }
        throw InspectionError(
            .invalidArgument,
            "cannot read time '\(text)': use ISO-8601 (2026-05-01T12:00:00Z, 2026-05-01), now, today, yesterday, "
                + "or an offset like -2h, -30m, -7d, '2h ago'")
    }

    /// Parses a duration like `90s`, `5m`, `2h`, `1d`, `1w` into ms, or `nil`.
    public static func durationMs(_ text: String) -> Int64? {
        let units: [Character: Int64] = ["s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000, "w": 604_800_000]
        guard let unit = text.last, let scale = units[unit], let amount = Double(text.dropLast()), amount.isFinite,
            amount >= 0, amount * Double(scale) < 1e15
        else { return nil }
        return Int64((amount * Double(scale)).rounded())
    }

    private static func relativeOffset(_ text: String) -> Int64? {
        if text.hasSuffix(" ago") {
            let amount = String(text.dropLast(4)).filter { $0 != " " }
            return durationMs(amount).map { -$0 }
        }
        guard let sign = text.first, sign == "-" || sign == "+" else { return nil }
        let amount = String(text.dropFirst()).filter { $0 != " " }
        return durationMs(amount).map { sign == "-" ? -$0 : $0 }
    }
}
