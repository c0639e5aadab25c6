import Formats

extension Duration {
    /// Why a configuration duration string could not be parsed.
    public enum ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        case empty
        case missingUnit(String)
        case unknownUnit(String)
        case invalidNumber(String)
        case negative(String)
        case tooLarge(String)

        public var description: String {
            switch self {
            case .empty: "duration is empty"
            case .missingUnit(let text): "duration '\(text)' has no unit (use ms, s, m, h or d, e.g. \"90s\")"
            case .unknownUnit(let text): "duration '\(text)' has an unknown unit (use ms, s, m, h or d)"
            case .invalidNumber(let text): "duration '\(text)' is not a number followed by a unit"
            case .negative(let text): "duration '\(text)' is negative"
            case .tooLarge(let text): "duration '\(text)' is too large"
            }
        }
    }

    /// Parses a configuration duration: a non-negative decimal number and one unit, `500ms`, `90s`, `5m`, `6h`, `2d`.
    ///
    /// Fractions are allowed (`1.5h`); compound forms (`1h30m`) are not, so every value reads one way.
    /// Values above 100 years are refused as typos.
    public init(configurationString text: String) throws(ParseError) {
        let trimmed = text.trimmingWhitespace()
        guard !trimmed.isEmpty else { throw .empty }
        guard let unitStart = trimmed.firstIndex(where: { $0.isLetter }) else { throw .missingUnit(text) }
        let number = trimmed[..<unitStart].trimmingWhitespace()
        let unit = trimmed[unitStart...]
        let seconds: Double
        switch unit {
        case "ms": seconds = 0.001
        case "s": seconds = 1
        case "m": seconds = 60
        case "h": seconds = 3600
        case "d": seconds = 86400
        default: throw .unknownUnit(text)
        }
        guard !number.isEmpty, number.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "." || $0 == "-") }),
            let value = Double(number)
        else { throw .invalidNumber(text) }
        guard value >= 0 else { throw .negative(text) }
        let total = value * seconds
        guard total <= 100 * 365 * 86400 else { throw .tooLarge(text) }
        let wholeSeconds = total.rounded(.down)
        self = .seconds(Int64(wholeSeconds)) + .nanoseconds(Int64(((total - wholeSeconds) * 1e9).rounded()))
    }

    /// The duration in seconds, as a `Double`.
    public var totalSeconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) * 1e-18
    }

    /// The shortest configuration string that parses back to this duration (`"90s"`, `"5m"`, `"500ms"`).
    public var configurationString: String {
        let parts = components
        if parts.attoseconds == 0 {
            let whole = parts.seconds
            for (unit, size) in [("d", Int64(86400)), ("h", 3600), ("m", 60)] where whole != 0 && whole % size == 0 {
                return "\(whole / size)\(unit)"
            }
            return "\(whole)s"
        }
        let milliseconds = totalSeconds * 1000
        if milliseconds == milliseconds.rounded() { return "\(Int64(milliseconds))ms" }
        return "\(totalSeconds)s"
    }
}
