/// A decoded JSON document, as the payload decoders see it.
package enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    /// A number; may be infinite when the text overflows a `Double` (`1e999`), which decoders reject as non-finite.
    case number(Double)
    case string(String)
    case array([JSONValue])
    /// An object; when a key repeats, the last value wins.
    case object([String: JSONValue])

    /// A short name of the value's kind, for reject details.
    package var kindName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}
