/// A TOML value; tables and arrays nest further values.
public enum TOMLValue: Sendable, Equatable {
    /// A basic, literal or multi-line string.
    case string(String)
    /// A 64-bit signed integer.
    case integer(Int64)
    /// An IEEE 754 binary64 float, including infinities and NaN.
    case float(Double)
    /// `true` or `false`.
    case boolean(Bool)
    /// A date-time with a UTC offset, such as `1979-05-27T07:32:00Z`.
    case offsetDateTime(TOMLOffsetDateTime)
    /// A date-time without an offset, such as `1979-05-27T07:32:00`.
    case localDateTime(TOMLLocalDateTime)
    /// A calendar date, such as `1979-05-27`.
    case localDate(TOMLLocalDate)
    /// A time of day, such as `07:32:00`.
    case localTime(TOMLLocalTime)
    /// An array; TOML 1.0 allows elements of mixed types.
    case array([TOMLValue])
    /// A table (standard, inline, or one element of an array of tables).
    case table(TOMLTable)

    /// The TOML type name, for messages such as "expected an integer, found a string".
    public var typeName: String {
        switch self {
        case .string: "string"
        case .integer: "integer"
        case .float: "float"
        case .boolean: "boolean"
        case .offsetDateTime, .localDateTime, .localDate, .localTime: "datetime"
        case .array: "array"
        case .table: "table"
        }
    }

    /// The string payload, or nil for other types.
    public var stringValue: String? {
        if case .string(let value) = self { value } else { nil }
    }

    /// The integer payload, or nil for other types.
    public var integerValue: Int64? {
        if case .integer(let value) = self { value } else { nil }
    }

    /// The float payload, or nil for other types (integers are not converted, so callers decide).
    public var floatValue: Double? {
        if case .float(let value) = self { value } else { nil }
    }

    /// The boolean payload, or nil for other types.
    public var booleanValue: Bool? {
        if case .boolean(let value) = self { value } else { nil }
    }

    /// The array payload, or nil for other types.
    public var arrayValue: [TOMLValue]? {
        if case .array(let value) = self { value } else { nil }
    }

    /// The table payload, or nil for other types.
    public var tableValue: TOMLTable? {
        if case .table(let value) = self { value } else { nil }
    }
}
