import Formats

/// A JSON document built in a fixed key order, so `--format json` output is stable and diffable.
///
/// Objects keep the order their keys were written in; numbers use the shortest text that reads back exactly;
/// non-finite numbers become `null`. Arrays of objects print one element per line; everything else prints on one line.
public indirect enum JSONOutput: Sendable, Equatable {
    /// A JSON object with keys in the given order.
    case object([(String, JSONOutput)])
    /// A JSON array.
    case array([JSONOutput])
    /// A number.
    case number(Double)
    /// An integer (counts, milliseconds).
    case integer(Int64)
    /// A string.
    case string(String)
    /// true or false.
    case bool(Bool)
    /// null.
    case null

    /// A number or null.
    public static func number(_ value: Double?) -> JSONOutput { value.map { .number($0) } ?? .null }
    /// A string or null.
    public static func string(_ value: String?) -> JSONOutput { value.map { .string($0) } ?? .null }

    public static func == (lhs: JSONOutput, rhs: JSONOutput) -> Bool { lhs.rendered() == rhs.rendered() }

    /// The document as text with a final newline.
    public func rendered() -> String {
        var writer = JSONWriter(numberStyle: .compact)
        write(into: &writer, indent: 0)
        return writer.text + "\n"
    }

    private var isScalar: Bool {
        switch self {
        case .object, .array: false
        default: true
        }
    }

    /// Prints on one line: no array of containers anywhere inside (a history point with its quantiles, a stream
    /// with its drift window); arrays of objects print one element per line.
    private var isFlat: Bool {
        switch self {
        case .object(let members): members.allSatisfy { $0.1.isFlat }
        case .array(let elements): elements.allSatisfy(\.isScalar)
        default: true
        }
    }

    private func write(into writer: inout JSONWriter, indent: Int) {
        switch self {
        case .null: writer.null()
        case .bool(let value): writer.bool(value)
        case .integer(let value): writer.integer(value)
        case .number(let value): writer.number(value)
        case .string(let value): writer.string(value)
        case .array(let elements):
            if elements.isEmpty {
                writer.raw("[]")
            } else if isFlat {
                writer.raw("[")
                for (index, element) in elements.enumerated() {
                    if index > 0 { writer.raw(", ") }
                    element.write(into: &writer, indent: indent)
                }
                writer.raw("]")
            } else {
                let pad = String(repeating: "  ", count: indent + 1)
                writer.raw("[\n")
                for (index, element) in elements.enumerated() {
                    writer.raw(pad)
                    element.write(into: &writer, indent: indent + 1)
                    writer.raw(index == elements.count - 1 ? "\n" : ",\n")
                }
                writer.raw(String(repeating: "  ", count: indent) + "]")
            }
        case .object(let members):
            if members.isEmpty {
                writer.raw("{}")
            } else if isFlat {
                writer.raw("{")
                for (index, (key, value)) in members.enumerated() {
                    if index > 0 { writer.raw(", ") }
                    writer.string(key)
                    writer.raw(": ")
                    value.write(into: &writer, indent: indent)
                }
                writer.raw("}")
            } else {
                let pad = String(repeating: "  ", count: indent + 1)
                writer.raw("{\n")
                for (index, (key, value)) in members.enumerated() {
                    writer.raw(pad)
                    writer.string(key)
                    writer.raw(": ")
                    value.write(into: &writer, indent: indent + 1)
                    writer.raw(index == members.count - 1 ? "\n" : ",\n")
                }
                writer.raw(String(repeating: "  ", count: indent) + "}")
            }
        }
    }

    /// A number as the reports print it: integral values without a fraction, non-finite ones as `null`.
    static func numberText(_ value: Double) -> String {
        var writer = JSONWriter(numberStyle: .compact)
        writer.number(value)
        return writer.text
    }
}
