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
    ///
    /// Works on the UTF-8 bytes: as `Character`s, a combining mark after `{`, `}`, `+` or `#` would hide that byte
    /// inside a grapheme cluster and let it through as literal text.
    public init(_ template: String, wildcards: Int) throws(ParseError) {
        guard !template.isEmpty else { throw .empty }
        let bytes = Array(template.utf8)
        var parts: [Part] = []
        var literalStart = 0
        var position = 0
        func flushLiteral(upTo end: Int) {
            // Valid UTF-8 cut at ASCII bytes stays valid, so decoding keeps the bytes as written.
            if end > literalStart { parts.append(.literal(String(decoding: bytes[literalStart..<end], as: UTF8.self))) }
        }
        while position < bytes.count {
            let byte = bytes[position]
            switch byte {
            case UInt8(ascii: "{"):
                guard let close = bytes[(position + 1)...].firstIndex(of: UInt8(ascii: "}")) else {
                    throw .unbalancedBrace
                }
                let name = bytes[(position + 1)..<close]
                if name.contains(UInt8(ascii: "{")) { throw .unbalancedBrace }
                flushLiteral(upTo: position)
                position = close + 1
                literalStart = position
                if name.elementsEqual("topic".utf8) {
                    parts.append(.topic)
                } else if name.elementsEqual("name".utf8) {
                    parts.append(.name)
                } else {
                    let text = String(decoding: name, as: UTF8.self)
                    guard !name.isEmpty, name.allSatisfy({ (0x30...0x39).contains($0) }), let index = Int(text),
                        index >= 1
                    else { throw .unknownPlaceholder(text) }
                    guard index <= wildcards else { throw .wildcardOutOfRange(index: index, wildcards: wildcards) }
                    parts.append(.capture(index - 1))
                }
            case UInt8(ascii: "}"): throw .unbalancedBrace
            case UInt8(ascii: "+"), UInt8(ascii: "#"), 0: throw .forbiddenCharacter(Character(Unicode.Scalar(byte)))
            default: position += 1
            }
        }
        flushLiteral(upTo: bytes.count)
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
