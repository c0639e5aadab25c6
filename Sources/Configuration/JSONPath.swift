package import Formats

/// A path into a JSON document, `a.b[0].c`: dot-separated object keys and `[n]` array indices.
///
/// Keys may hold any character but `.`, `[` and `]`; a path may start with an index (`[0].v`).
public struct JSONPath: Sendable, Hashable, CustomStringConvertible {
    enum Component: Sendable, Hashable {
        case key(String)
        case index(Int)
    }

    /// Why a path does not parse.
    public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        /// What is wrong, for a person.
        public let description: String
    }

    /// The path as written.
    public let description: String
    let components: [Component]

    /// Parses a path.
    public init(_ text: String) throws(ParseError) {
        guard !text.isEmpty else { throw ParseError(description: "JSON path is empty") }
        var components: [Component] = []
        var rest = text[...]
        var expectKey = true
        while !rest.isEmpty {
            if rest.first == "[" {
                guard let close = rest.firstIndex(of: "]") else {
                    throw ParseError(description: "JSON path '\(text)' has an unclosed '['")
                }
                let digits = rest[rest.index(after: rest.startIndex)..<close]
                guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let index = Int(digits) else {
                    throw ParseError(description: "JSON path '\(text)' has a non-numeric index '[\(digits)]'")
                }
                components.append(.index(index))
                rest = rest[rest.index(after: close)...]
                expectKey = false
            } else if rest.first == "." {
                guard !components.isEmpty, !expectKey else {
                    throw ParseError(description: "JSON path '\(text)' has an empty key")
                }
                rest = rest.dropFirst()
                expectKey = true
                if rest.isEmpty || rest.first == "." || rest.first == "[" {
                    throw ParseError(description: "JSON path '\(text)' has an empty key")
                }
            } else {
                guard expectKey else { throw ParseError(description: "JSON path '\(text)' needs '.' before a key") }
                let end = rest.firstIndex { $0 == "." || $0 == "[" || $0 == "]" } ?? rest.endIndex
                if end != rest.endIndex, rest[end] == "]" {
                    throw ParseError(description: "JSON path '\(text)' has an unmatched ']'")
                }
                components.append(.key(String(rest[..<end])))
                rest = rest[end...]
                expectKey = false
            }
        }
        self.description = text
        self.components = components
    }

    /// The value at this path, or `nil` when some component is absent or of the wrong kind.
    package func resolve(in document: JSONValue) -> JSONValue? {
        var current = document
        for component in components {
            switch (component, current) {
            case (.key(let key), .object(let object)):
                guard let next = object[key] else { return nil }
                current = next
            case (.index(let index), .array(let array)):
                guard index < array.count else { return nil }
                current = array[index]
            default: return nil
            }
        }
        return current
    }
}
