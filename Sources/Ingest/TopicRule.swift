public import Configuration
public import MQTT

/// A subscription rule compiled for matching: topic filter, stream-id template and payload decoder.
public struct TopicRule: Sendable {
    /// Longest stream id, in UTF-8 bytes; longer ids are rejected as `invalid_stream_id`.
    public static let maxStreamIDBytes = 256

    /// The rule as configured.
    public let settings: DaemonConfiguration.Rule
    /// The parsed topic filter, to subscribe with and to match.
    public let filter: TopicFilter
    /// The parsed stream-id template.
    public let template: StreamIDTemplate
    /// The payload decoder.
    public let decoder: PayloadDecoder

    /// The rule's name.
    public var name: String { settings.name }

    /// Compiles a rule; throws the rule's problems as ``DaemonConfiguration/validate()`` reports them
    /// (key paths `rules[0]…`).
    public init(_ settings: DaemonConfiguration.Rule) throws(ConfigurationError) {
        var configuration = DaemonConfiguration()
        configuration.rules = [settings]
        configuration.models = [settings.model: .init()]
        let problems = configuration.validate().filter { $0.keyPath.hasPrefix("rules[0]") }
        guard problems.isEmpty, let filter = try? TopicFilter(settings.topic),
            let template = try? StreamIDTemplate(settings.stream, wildcards: filter.wildcardCount),
            let decoder = try? PayloadDecoder(settings.payload)
        else {
            throw ConfigurationError(
                problems: problems.isEmpty ? [.init(.invalidValue, "rules[0]", "invalid rule")] : problems)
        }
        self.settings = settings
        self.filter = filter
        self.template = template
        self.decoder = decoder
    }

    /// The wildcard captures when `topic` matches this rule's filter.
    public func match(_ topic: String) -> [String]? { filter.match(topic) }

    /// The stream id for a topic (and SenML record name), or why there is none.
    public func streamID(for topic: String, name: String? = nil) -> Result<String, Rejection> {
        guard let captures = filter.match(topic) else {
            return .failure(Rejection(.noMatchingRule, "topic does not match '\(filter)'"))
        }
        return streamID(captures: captures, topic: topic, name: name)
    }

    /// The stream id from a match's captures, or why there is none.
    func streamID(captures: [String], topic: String, name: String?) -> Result<String, Rejection> {
        guard let id = template.render(captures: captures, topic: topic, name: name) else {
            return .failure(Rejection(.invalidStreamID, "a placeholder of '\(template)' is empty for this topic"))
        }
        return Self.checkStreamID(id)
    }

    /// Accepts an id that is non-empty, at most ``maxStreamIDBytes`` bytes, without `+`, `#`, NUL or other
    /// control characters.
    public static func checkStreamID(_ id: String) -> Result<String, Rejection> {
        if id.isEmpty { return .failure(Rejection(.invalidStreamID, "stream id is empty")) }
        if id.utf8.count > maxStreamIDBytes {
            return .failure(
                Rejection(.invalidStreamID, "stream id is \(id.utf8.count) bytes, over \(maxStreamIDBytes)"))
        }
        var previous: UInt8 = 0
        for byte in id.utf8 {
            if byte == UInt8(ascii: "+") || byte == UInt8(ascii: "#") {
                return .failure(Rejection(.invalidStreamID, "stream id contains a wildcard character"))
            }
            // C0 controls and DEL, and C1 controls (U+0080–U+009F, encoded C2 80–C2 9F).
            if byte < 0x20 || byte == 0x7F || (previous == 0xC2 && (0x80...0x9F).contains(byte)) {
                return .failure(Rejection(.invalidStreamID, "stream id contains NUL or a control character"))
            }
            previous = byte
        }
        return .success(id)
    }
}
