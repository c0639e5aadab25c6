public import Storage

/// Checks that a stream is stored before a command reads it, so a typo gets suggestions instead of an empty answer.
public enum StreamLookup {
    /// Returns every stored stream name, sorted.
    public static func names(in store: Store) throws(InspectionError) -> [String] {
        try InspectionStore.reading(store) { () throws(StorageError) in try store.streams().map(\.name) }
    }

    /// Throws ``InspectionError`` `.unknownStream` with close matches when `stream` is not stored.
    public static func require(_ stream: String, in store: Store) throws(InspectionError) {
        let known = try names(in: store)
        guard known.contains(stream) else { throw InspectionError.unknownStream(stream, known: known) }
    }
}
