extension StringProtocol {
    /// The text without leading and trailing whitespace (spaces, tabs, newlines).
    package func trimmingWhitespace() -> Substring {
        let text = Substring(self)
        guard let start = text.firstIndex(where: { !$0.isWhitespace }) else { return text[text.endIndex...] }
        let end = text.lastIndex(where: { !$0.isWhitespace })!
        return text[start...end]
    }
}
