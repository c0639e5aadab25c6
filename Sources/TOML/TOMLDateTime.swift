/// A calendar date without a time or offset (`1979-05-27`).
public struct TOMLLocalDate: Sendable, Hashable, CustomStringConvertible {
    /// The year, 0...9999.
    public var year: Int
    /// The month, 1...12.
    public var month: Int
    /// The day of the month, 1...31 as the month allows.
    public var day: Int

    /// Creates a date from already-valid components.
    public init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// The date as `YYYY-MM-DD`.
    public var description: String {
        padded(year, 4) + "-" + padded(month, 2) + "-" + padded(day, 2)
    }
}

/// A time of day without a date or offset (`07:32:00.999`).
public struct TOMLLocalTime: Sendable, Hashable, CustomStringConvertible {
    /// The hour, 0...23.
    public var hour: Int
    /// The minute, 0...59.
    public var minute: Int
    /// The second, 0...60 (60 only for a leap second).
    public var second: Int
    /// The fractional second in nanoseconds; digits beyond nanosecond precision are truncated.
    public var nanosecond: Int

    /// Creates a time from already-valid components.
    public init(hour: Int, minute: Int, second: Int, nanosecond: Int = 0) {
        self.hour = hour
        self.minute = minute
        self.second = second
        self.nanosecond = nanosecond
    }

    /// The time as `HH:MM:SS` plus a fraction without trailing zeros when it is non-zero.
    public var description: String {
        var text = padded(hour, 2) + ":" + padded(minute, 2) + ":" + padded(second, 2)
        if nanosecond > 0 {
            var fraction = padded(nanosecond, 9)
            while fraction.last == "0" {
                fraction.removeLast()
            }
            text += "." + fraction
        }
        return text
    }
}

/// A date and time without an offset (`1979-05-27T07:32:00`).
public struct TOMLLocalDateTime: Sendable, Hashable, CustomStringConvertible {
    /// The date part.
    public var date: TOMLLocalDate
    /// The time part.
    public var time: TOMLLocalTime

    /// Creates a local date-time from a date and a time.
    public init(date: TOMLLocalDate, time: TOMLLocalTime) {
        self.date = date
        self.time = time
    }

    /// The date-time as `YYYY-MM-DDTHH:MM:SS[.fraction]`.
    public var description: String { date.description + "T" + time.description }
}

/// A date and time with a UTC offset (`1979-05-27T07:32:00-07:00`).
public struct TOMLOffsetDateTime: Sendable, Hashable, CustomStringConvertible {
    /// The date part.
    public var date: TOMLLocalDate
    /// The time part, in the offset's local time.
    public var time: TOMLLocalTime
    /// The offset from UTC in minutes (east positive); `Z` and `-00:00` are both 0.
    public var offsetMinutes: Int

    /// Creates an offset date-time from a local date-time and an offset in minutes.
    public init(date: TOMLLocalDate, time: TOMLLocalTime, offsetMinutes: Int) {
        self.date = date
        self.time = time
        self.offsetMinutes = offsetMinutes
    }

    /// The date-time as RFC 3339 text, with `Z` for a zero offset.
    public var description: String {
        var text = date.description + "T" + time.description
        if offsetMinutes == 0 {
            text += "Z"
        } else {
            let magnitude = offsetMinutes.magnitude
            text +=
                (offsetMinutes < 0 ? "-" : "+") + padded(Int(magnitude / 60), 2) + ":" + padded(Int(magnitude % 60), 2)
        }
        return text
    }
}

/// Zero-pads a non-negative number to `width` digits without Foundation's `String(format:)`.
func padded(_ value: Int, _ width: Int) -> String {
    var digits = String(value)
    while digits.count < width {
        digits = "0" + digits
    }
    return digits
}
