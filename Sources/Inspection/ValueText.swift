import Formats
import Foundation

/// How inspection output writes numbers and times.
public enum ValueText {
    /// A value for a table: three decimals up to 99 999.999, else four significant digits; `-` for none.
    public static func table(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "-" }
        return abs(value) < 99_999.9995 ? String(format: "%.3f", value) : String(format: "%.4g", value)
    }

    /// A value for CSV: the shortest exact text; empty for none.
    public static func csv(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "" }
        return JSONOutput.numberText(value)
    }

    /// A time (µs since the Unix epoch) as ISO-8601 UTC, e.g. `2026-05-01T12:00:00Z`, `…:45.984375Z`.
    public static func time(_ microseconds: Int64) -> String { UTCTimestamp.format(microseconds: microseconds) }

    /// A time for narrow table columns: `2026-05-01 12:00` (UTC, seconds and their fraction shown only when not
    /// zero).
    public static func shortTime(_ microseconds: Int64) -> String {
        var text = time(microseconds).replacingOccurrences(of: "T", with: " ").replacingOccurrences(of: "Z", with: "")
        if text.hasSuffix(":00"), text.count == 19 { text.removeLast(3) }
        return text
    }

    /// A level as a key, e.g. `0.05`, `0.5`, `0.975`.
    public static func level(_ level: Double) -> String {
        var text = String(format: "%.4f", level)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }

    /// A coverage level as a percentage, e.g. `90%`, `97.5%`.
    public static func percent(_ coverage: Double) -> String {
        level(coverage * 100) + "%"
    }

    /// A Float quantile as the Double its shortest text names (20.9, not 20.899999618530273).
    public static func double(_ value: Float) -> Double { Double("\(value)") ?? Double(value) }
}
