import MQTT

extension TopicFilter {
    /// How many wildcard levels (`+` or `#`) the filter has: the highest `{n}` a stream template may use.
    package var wildcardCount: Int {
        levels.count { level in
            if case .literal = level { false } else { true }
        }
    }
}
