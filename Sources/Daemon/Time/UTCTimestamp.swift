/// Fast, allocation-light ISO-8601 formatting and parsing of UTC instants given as Unix seconds.
///
/// Foundation's `ISO8601DateFormatter` costs microseconds per call; the publisher formats 25 timestamps per
/// forecast for thousands of streams a second, so this uses Howard Hinnant's days-from-civil arithmetic instead.
public enum UTCTimestamp {
    /// Formats `seconds` since the Unix epoch as `YYYY-MM-DDTHH:MM:SSZ`, adding `.mmm` when not a whole second.
    public static func format(_ seconds: Double) -> String {
        let totalMilliseconds = Int64((seconds * 1000).rounded())
        var days = totalMilliseconds.floorDivided(by: 86_400_000)
        let millisecondOfDay = totalMilliseconds - days * 86_400_000
        let secondOfDay = millisecondOfDay / 1000
        let millisecond = millisecondOfDay % 1000

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
        text.reserveCapacity(24)
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
        if millisecond != 0 {
            text.append(".")
            text.appendPadded(millisecond, width: 3)
        }
        text.append("Z")
        return text
    }

    /// Parses `YYYY-MM-DD[T ]HH:MM[:SS[.fff…]]` followed by `Z`, `+HH:MM`, `-HH:MM` or nothing (taken as UTC).
    ///
    /// With `requiringOffset`, only a full RFC 3339 date-time is accepted (seconds, a `.` fraction, and `Z` or an
    /// offset): payload times must say their offset, because a sensor's local time is ambiguous and would shift its
    /// stream by hours. The lenient form is for people typing times (CLI, CSV files).
    public static func parse(_ text: some StringProtocol, requiringOffset: Bool = false) -> Double? {
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
        var seconds = Double(daysFromCivil(year: year, month: month, day: day) * 86_400)
        if index == bytes.count { return requiringOffset ? nil : seconds }
        guard expect("Tt "), let hour = number(2), expect(":"), let minute = number(2), hour < 24, minute < 60
        else { return nil }
        seconds += Double(hour * 3600 + minute * 60)
        if index < bytes.count, bytes[index] == UInt8(ascii: ":") {
            index += 1
            guard let second = number(2), second <= 60 else { return nil }
            seconds += Double(second)
            if index < bytes.count, expect(requiringOffset ? "." : ".,") {
                var scale = 0.1
                let start = index
                while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
                    seconds += Double(bytes[index] - 48) * scale
                    scale /= 10
                    index += 1
                }
                guard index > start else { return nil }
            }
        } else if requiringOffset {
            return nil
        }
        if index == bytes.count { return requiringOffset ? nil : seconds }
        if expect("Zz") { return index == bytes.count ? seconds : nil }
        let sign: Double
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
        return seconds - sign * Double(offsetHours * 3600 + offsetMinutes * 60)
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
