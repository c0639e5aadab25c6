/// The one excerpt policy for payloads quoted in logs, reject details and the `rejects` table: printable, bounded
/// whatever the payload's size, and never the whole of a large payload.
public enum PayloadExcerpt {
    /// A bounded, printable excerpt of `payload`.
    ///
    /// Valid UTF-8 characters are kept except control characters, which become `.` as do invalid bytes; the result
    /// is at most `limit` UTF-8 bytes, ending in `...` when the payload was cut. Never logs a whole payload.
    public static func make(of payload: some Collection<UInt8>, limit: Int) -> String {
        precondition(limit >= 3, "an excerpt limit of \(limit) bytes cannot hold the '...' marker")
        var pieces: [String] = []
        var total = 0
        var complete = false
        var iterator = payload.makeIterator()
        var decoder = UTF8()
        // Reads at most about `limit` characters, whatever the payload's size.
        decoding: while total <= limit {
            let piece: String
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar):
                piece = scalar.properties.generalCategory == .control ? "." : String(Character(scalar))
            case .error: piece = "."
            case .emptyInput:
                complete = true
                break decoding
            }
            pieces.append(piece)
            total += piece.utf8.count
        }
        if complete { return pieces.joined() }
        while total > limit - 3, let last = pieces.popLast() { total -= last.utf8.count }
        return pieces.joined() + "..."
    }
}
