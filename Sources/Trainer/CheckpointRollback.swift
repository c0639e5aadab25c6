public import Storage

/// `barnnd rollback MODEL VERSION`: re-activates a stored checkpoint. The Store's activation is the switch; a
/// running engine notices within `ForecastEngine.controlPollInterval`, swaps the model in, re-warms the group's
/// streams and writes a `model_activated` event.
public enum CheckpointRollback {
    /// Activates `version` of `model` and records a `checkpoint_activated` event (`{"version","previous","by"}`)
    /// through `writer` (the CLI's own, on `store`).
    /// - Returns: the version that was active before (0 for none).
    /// - Throws: ``StorageError`` `.notFound` when the version is not stored (pruned beyond `keep_last`).
    @discardableResult
    public static func activate(
        store: Store, writer: StoreWriter, model: String, version: Int, timeUs: Int64
    ) async throws(StorageError) -> Int {
        let previous = try store.checkpoints(model: model).first(where: \.isActive)?.version ?? 0
        try store.activateCheckpoint(model: model, version: version)
        _ = writer.enqueue(
            [
                .event(
                    EventRecord(
                        timeUs: timeUs, model: model,
                        detail: .checkpointActivated(.init(version: version, previous: previous, by: "cli"))))
            ], overflow: .block(timeout: .seconds(10)))
        try await writer.flush()
        return previous
    }
}
