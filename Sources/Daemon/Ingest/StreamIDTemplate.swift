/// A stream-id template such as `{1}/{2}`, parsed once against its rule's topic filter.
///
/// Placeholders: `{1}`, `{2}`, … the wildcard levels the filter matched, in order (a `#` contributes the rest of the
/// topic, slashes included); `{topic}` the whole topic; `{name}` a SenML record's resolved name. Literal text may
/// not contain `+`, `#`, NUL or `{`/`}` outside placeholders.
public struct StreamIDTemplate: Sendable, Hashable, CustomStringConvertible {
    enum Part: Sendable, Hashable {
        case literal(String)
        /// Zero-based wildcard index.
        case capture(Int)
        case topic
        case name
    }

    /// Why a template is not valid for its filter.
    public enum ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        case empty
        case unbalancedBrace
        case unknownPlaceholder(String)
        case wildcardOutOfRange(index: Int, wildcards: Int)
        case forbiddenCharacter(Character)

        public var description: String {
            switch self {
            case .empty: "stream template is empty"
            case .unbalancedBrace: "stream template has an unbalanced '{' or '}'"
            case .unknownPlaceholder(let name):
                "unknown placeholder {\(name)} (use {1}, {2}, … for wildcard levels, {topic} or {name})"
            case .wildcardOutOfRange(let index, let wildcards):
                "placeholder {\(index)} refers to wildcard \(index) but the topic filter has \(wildcards)"
            case .forbiddenCharacter(let character):
                "stream template contains \(character == "\0" ? "NUL" : "'\(character)'"), which a stream id may not"
            }
        }
    }

    /// The template as written.
    public let description: String
    let parts: [Part]

    /// Parses `template` for a filter with `wildcards` wildcard levels.
    public init(_ template: String, wildcards: Int) throws(ParseError) {
        guard !template.isEmpty else { throw .empty }
        var parts: [Part] = []
        var literal = ""
        var rest = template[...]
        while let character = rest.first {
            rest = rest.dropFirst()
            switch character {
            case "{":
                guard let close = rest.firstIndex(of: "}") else { throw .unbalancedBrace }
                let name = rest[..<close]
                rest = rest[rest.index(after: close)...]
                if name.contains("{") { throw .unbalancedBrace }
                if !literal.isEmpty { parts.append(.literal(literal)) }
                literal = ""
                switch name {
                case "topic": parts.append(.topic)
                case "name": parts.append(.name)
                default:
                    guard let index = Int(name), index >= 1, name.allSatisfy(\.isASCII) else {
                        throw .unknownPlaceholder(String(name))
                    }
                    guard index <= wildcards else { throw .wildcardOutOfRange(index: index, wildcards: wildcards) }
                    parts.append(.capture(index - 1))
                }
            case "}": throw .unbalancedBrace
            case "+", "#", "\0": throw .forbiddenCharacter(character)
            default: literal.append(character)
            }
        }
        if !literal.isEmpty { parts.append(.literal(literal)) }
        self.description = template
        self.parts = parts
    }

    /// Whether the template places `{name}` itself (otherwise a SenML name is appended as `/name`).
    public var usesName: Bool { parts.contains(.name) }

    /// The id for a matched topic; `captures` come from `TopicFilter.match`. Not yet checked for validity.
    ///
    /// `nil` when a placeholder the template uses is empty (`sensors//t1` for `{1}/{2}`, a SenML record without a
    /// name for `{name}`): such ids would collide with others (`sensors/t1/`), so they are rejected.
    public func render(captures: [String], topic: String, name: String? = nil) -> String? {
        var id = ""
        for part in parts {
            let piece: String
            switch part {
            case .literal(let text): piece = text
            case .capture(let index): piece = index < captures.count ? captures[index] : ""
            case .topic: piece = topic
            case .name: piece = name ?? ""
            }
            if piece.isEmpty { return nil }
            id += piece
        }
        if !usesName, let name, !name.isEmpty { id += "/" + name }
        return id
    }
}
