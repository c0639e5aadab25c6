/// Fast, allocation-light ISO-8601 formatting and parsing of UTC instants, as Unix seconds or Unix microseconds.
///
/// Foundation's `ISO8601DateFormatter` costs microseconds per call; the publisher formats 25 timestamps per
/// forecast for thousands of streams a second, so this uses Howard Hinnant's days-from-civil arithmetic instead.
///
/// barnnd keeps times at microsecond resolution: a Double of Unix seconds carries every microsecond exactly until
/// 2106 (its spacing is 0.48 µs there), the Store's columns hold `Int64` microseconds, and text has at most six
/// fractional digits with trailing zeros trimmed (`…:45Z`, `…:45.5Z`, `…:45.984375Z`).
public enum UTCTimestamp {
    /// Microseconds in a second.
    public static let microsecondsPerSecond: Int64 = 1_000_000

    /// Unix `seconds` rounded to the nearest microsecond; nil when not finite or beyond `Int64` microseconds.
    public static func microseconds(_ seconds: Double) -> Int64? {
        // ±9.2e12 s; the whole seconds and the fraction are scaled apart so no product rounds before the last step.
        guard seconds.isFinite, abs(seconds) < 9.223_372_036_854e12 else { return nil }
        let whole = seconds.rounded(.down)
        // Exact for |seconds| ≥ 1 (Sterbenz); nearer zero any rounding is far below a microsecond.
        let fraction = seconds - whole
        return Int64(whole) * microsecondsPerSecond + Int64((fraction * 1e6).rounded())
    }

    /// Unix `seconds` rounded to the nearest microsecond, saturating at the `Int64` bounds rather than trapping.
    ///
    /// Reading times were checked by the resampler (±1e12 s) and the rest come from the clock, so saturation is
    /// a last line of defence, not a path data takes.
    public static func saturatingMicroseconds(_ seconds: Double) -> Int64 {
        microseconds(seconds) ?? (seconds > 0 ? .max : .min)
    }

    /// Unix `microseconds` as seconds (the nearest Double).
    public static func seconds(microseconds: Int64) -> Double {
        Double(microseconds) / 1e6
    }

    /// Unix `seconds` rounded to the nearest microsecond, as seconds; values ``microseconds(_:)`` refuses are
    /// returned unchanged so the caller's own check still sees them.
    public static func roundedToMicroseconds(_ seconds: Double) -> Double {
        microseconds(seconds).map { Self.seconds(microseconds: $0) } ?? seconds
    }

    /// Formats `seconds` since the Unix epoch as `YYYY-MM-DDTHH:MM:SS[.ffffff]Z`, rounded to the microsecond (see
    /// ``format(microseconds:)``); a value ``microseconds(_:)`` refuses is written as the number.
    public static func format(_ seconds: Double) -> String {
        guard let microseconds = microseconds(seconds) else { return "\(seconds)" }
        return format(microseconds: microseconds)
    }

    /// Formats `microseconds` since the Unix epoch as `YYYY-MM-DDTHH:MM:SSZ`, with a fraction of up to six digits,
    /// trailing zeros trimmed, when not a whole second: `…:45.5Z`, `…:45.984375Z`.
    public static func format(microseconds totalMicroseconds: Int64) -> String {
        let microsecondsPerDay = 86_400 * microsecondsPerSecond
        var days = totalMicroseconds.floorDivided(by: microsecondsPerDay)
        // Int64.min / a day's microseconds is about -106 751 991 days, so the product does not overflow.
        let microsecondOfDay = totalMicroseconds - days * microsecondsPerDay
        let secondOfDay = microsecondOfDay / microsecondsPerSecond
        var fraction = microsecondOfDay % microsecondsPerSecond

        days += 719_468
        let era = days.floorDivided(by: 146_097)
        let dayOfEra = days - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)

        var text = ""
        text.reserveCapacity(27)
        text.appendPadded(year, width: 4)
        text.append("-")
        text.appendPadded(month, width: 2)
        text.append("-")
        text.appendPadded(day, width: 2)
        text.append("T")
        text.appendPadded(secondOfDay / 3600, width: 2)
        text.append(":")
        text.appendPadded(secondOfDay / 60 % 60, width: 2)
        text.append(":")
        text.appendPadded(secondOfDay % 60, width: 2)
        if fraction != 0 {
            var digits = 6
            while fraction % 10 == 0 {
                fraction /= 10
                digits -= 1
            }
            text.append(".")
            text.appendPadded(fraction, width: digits)
        }
        text.append("Z")
        return text
    }

    /// Parses `YYYY-MM-DD[T ]HH:MM[:SS[.fff…]]` followed by `Z`, `+HH:MM`, `-HH:MM` or nothing (taken as UTC),
    /// as Unix seconds rounded to the microsecond (see ``parseMicroseconds(_:requiringOffset:)``).
    public static func parse(_ text: some StringProtocol, requiringOffset: Bool = false) -> Double? {
        parseMicroseconds(text, requiringOffset: requiringOffset).map { seconds(microseconds: $0) }
    }

    /// Parses `YYYY-MM-DD[T ]HH:MM[:SS[.fff…]]` followed by `Z`, `+HH:MM`, `-HH:MM` or nothing (taken as UTC),
    /// as Unix microseconds; a fraction has 1 to 9 digits and is rounded to the nearest microsecond.
    ///
    /// With `requiringOffset`, only a full RFC 3339 date-time is accepted (seconds, a `.` fraction, and `Z` or an
    /// offset): payload times must say their offset, because a sensor's local time is ambiguous and would shift its
    /// stream by hours. The lenient form is for people typing times (CLI, CSV files).
    public static func parseMicroseconds(_ text: some StringProtocol, requiringOffset: Bool = false) -> Int64? {
        let bytes = Array(text.utf8)
        var index = 0
        func number(_ width: Int) -> Int64? {
            guard index + width <= bytes.count else { return nil }
            var value: Int64 = 0
            for byte in bytes[index..<index + width] {
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int64(byte - 48)
            }
            index += width
            return value
        }
        func expect(_ characters: String) -> Bool {
            guard index < bytes.count, characters.utf8.contains(bytes[index]) else { return false }
            index += 1
            return true
        }
        guard let year = number(4), expect("-"), let month = number(2), expect("-"), let day = number(2),
            (1...12).contains(month), day >= 1, day <= daysInMonth(year: year, month: month)
        else { return nil }
        var seconds = daysFromCivil(year: year, month: month, day: day) * 86_400
        var fraction: Int64 = 0
        if index == bytes.count { return requiringOffset ? nil : seconds * microsecondsPerSecond }
        guard expect("Tt "), let hour = number(2), expect(":"), let minute = number(2), hour < 24, minute < 60
        else { return nil }
        seconds += hour * 3600 + minute * 60
        if index < bytes.count, bytes[index] == UInt8(ascii: ":") {
            index += 1
            guard let second = number(2), second <= 60 else { return nil }
            seconds += second
            if index < bytes.count, expect(requiringOffset ? "." : ".,") {
                let start = index
                while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 { index += 1 }
                // Nanoseconds are the finest any sender writes; more digits are a garbled time, not precision.
                guard (1...9).contains(index - start) else { return nil }
                var nanoseconds: Int64 = 0
                for position in 0..<9 {
                    let digit = start + position < index ? Int64(bytes[start + position] - 48) : 0
                    nanoseconds = nanoseconds * 10 + digit
                }
                fraction = (nanoseconds + 500) / 1000
            }
        } else if requiringOffset {
            return nil
        }
        let total = seconds * microsecondsPerSecond + fraction
        if index == bytes.count { return requiringOffset ? nil : total }
        if expect("Zz") { return index == bytes.count ? total : nil }
        let sign: Int64
        if expect("+") {
            sign = 1
        } else if expect("-") {
            sign = -1
        } else {
            return nil
        }
        guard let offsetHours = number(2) else { return nil }
        _ = expect(":")
        guard let offsetMinutes = number(2), index == bytes.count, offsetHours < 24, offsetMinutes < 60 else {
            return nil
        }
        return total - sign * (offsetHours * 3600 + offsetMinutes * 60) * microsecondsPerSecond
    }

    /// Days in `month` of `year` (proleptic Gregorian), so `2025-02-29` is refused rather than read as March 1.
    static func daysInMonth(year: Int64, month: Int64) -> Int64 {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date.
    static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = shiftedYear.floorDivided(by: 400)
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}

extension Int64 {
    fileprivate func floorDivided(by divisor: Int64) -> Int64 {
        let quotient = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }
}

extension String {
    fileprivate mutating func appendPadded(_ value: Int64, width: Int) {
        let digits = String(value)
        if digits.count < width { append(String(repeating: "0", count: width - digits.count)) }
        append(digits)
    }
}
