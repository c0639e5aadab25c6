import Formats
import Foundation

extension StatusReport {
    /// The health payload as a few readable lines: its top-level values, then each small section (at most six
    /// values, e.g. `rates`) and each entry of a list of small objects (e.g. `models`). Big counter sections are
    /// left to `--format json`. A payload that is not a JSON object is shown as it is.
    static func healthLines(_ payload: String, width: Int = 80) -> [String] {
        guard case .object(let members)? = JSONValue.parse(Array(payload.utf8)) else { return ["health  " + payload] }
        let indent = "        "
        var lines: [String] = []
        var omitted: [String] = []
        let scalars = members.keys.sorted().compactMap { key in scalarText(members[key]!).map { "\(key) \($0)" } }
        lines += wrapped(scalars, first: "health  ", indent: indent, width: width)
        for key in members.keys.sorted() {
            switch members[key]! {
            case .object(let section):
                let parts = section.keys.sorted().compactMap { name in
                    scalarText(section[name]!).map { "\(name) \($0)" }
                }
                if parts.count == section.count, parts.count <= 6, !parts.isEmpty {
                    lines += wrapped(parts, first: indent + key + ": ", indent: indent + "  ", width: width)
                } else {
                    omitted.append(key)
                }
            case .array(let elements):
                var shown = true
                for element in elements {
                    guard case .object(let entry) = element, entry.count <= 6 else {
                        shown = false
                        continue
                    }
                    let parts = entry.keys.sorted().compactMap { name in
                        scalarText(entry[name]!).map { "\(name) \($0)" }
                    }
                    lines += wrapped(parts, first: indent + key + ": ", indent: indent + "  ", width: width)
                }
                if !shown { omitted.append(key) }
            default:
                break
            }
        }
        if !omitted.isEmpty {
            lines += wrapped(
                omitted, first: indent + "also: ", indent: indent + "  ", width: width, separator: ", ",
                suffix: " (see --format json)")
        }
        return lines
    }

    /// The health payload for `--format json`: parsed (object keys sorted) when it is JSON, else the text.
    static func healthJSON(_ payload: String) -> JSONOutput {
        guard let value = JSONValue.parse(Array(payload.utf8)) else { return .string(payload) }
        return output(value)
    }

    private static func output(_ value: JSONValue) -> JSONOutput {
        switch value {
        case .null: .null
        case .bool(let flag): .bool(flag)
        case .number(let number): .number(number)
        case .string(let text): .string(text)
        case .array(let elements): .array(elements.map(output))
        case .object(let members): .object(members.keys.sorted().map { ($0, output(members[$0]!)) })
        }
    }

    private static func scalarText(_ value: JSONValue) -> String? {
        switch value {
        case .null: "null"
        case .bool(let flag): flag ? "true" : "false"
        case .string(let text): text
        case .number(let number):
            abs(number) >= 1e6 || number == number.rounded()
                ? JSONOutput.numberText(number) : JSONOutput.numberText((number * 1000).rounded() / 1000)
        case .array, .object: nil
        }
    }

    /// Joins `parts` after `first`, starting a new line with `indent` before `width` would be passed.
    private static func wrapped(
        _ parts: [String], first: String, indent: String, width: Int, separator: String = ", ", suffix: String = ""
    ) -> [String] {
        guard !parts.isEmpty else { return [] }
        var lines: [String] = []
        var current = first
        var empty = true
        for (index, part) in parts.enumerated() {
            let piece = part + (index == parts.count - 1 ? suffix : separator.trimmingCharacters(in: .whitespaces))
            if !empty, current.count + 1 + piece.count > width {
                lines.append(current)
                current = indent
                empty = true
            }
            current += (empty ? "" : " ") + piece
            empty = false
        }
        lines.append(current)
        return lines
    }
}
