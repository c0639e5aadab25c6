public import Storage

/// `barnnd rollback MODEL VERSION`: re-activates a stored checkpoint. The Store's activation is the switch; a
/// running engine notices within `ForecastEngine.controlPollInterval`, swaps the model in, re-warms the group's
/// streams and writes a `model_activated` event.
public enum CheckpointRollback {
    /// Activates `version` of `model` and records a `checkpoint_activated` event (`{"version","previous","by"}`).
    /// `store` must not have a writer yet (this makes its one writer and closes it): the CLI opens its own.
    /// - Returns: the version that was active before (0 for none).
    /// - Throws: ``StorageError`` `.notFound` when the version is not stored (pruned beyond `keep_last`).
    @discardableResult
    public static func activate(
        store: Store, model: String, version: Int, timeMs: Int64
    ) async throws(StorageError) -> Int {
        let previous = try store.checkpoints(model: model).first(where: \.isActive)?.version ?? 0
        try store.activateCheckpoint(model: model, version: version)
        let writer = store.makeWriter()
        _ = writer.enqueue(
            [
                .event(
                    EventRecord(
                        timeMs: timeMs, kind: "checkpoint_activated", model: model,
                        detailJSON: "{\"version\":\(version),\"previous\":\(previous),\"by\":\"cli\"}"))
            ], overflow: .block(timeout: .seconds(10)))
        do {
            try await writer.flush()
        } catch {
            await writer.close()
            throw error
        }
        await writer.close()
        return previous
    }
}
