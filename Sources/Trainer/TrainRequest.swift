import Foundation
public import Storage

/// A person's request to retrain a model group, carried by the database: `barnnd train` writes a
/// `train_requested` event with a fresh request id; the running engine reads it within a few seconds
/// (`ForecastEngine.controlPollInterval`) and echoes the id in its `training_started` event and in the outcome
/// event (`training_succeeded`, `training_rejected` or `training_failed`). No broker is needed, and every request
/// and answer stays in the `events` table.
public enum TrainRequest {
    /// Event kinds that end a request.
    public static let outcomeKinds: [EventKind] = [.trainingSucceeded, .trainingRejected, .trainingFailed]

    /// Writes a `train_requested` event for `model` at `timeUs` through `writer` (the CLI's own, on its own `Store`)
    /// and waits until it is committed.
    /// - Returns: the request id to wait on.
    /// - Throws: ``StorageError`` if the event could not be stored.
    public static func submit(writer: StoreWriter, model: String, timeUs: Int64) async throws(StorageError) -> String {
        let id = UUID().uuidString.lowercased()
        let detail = EventDetail.trainRequested(.init(request: id, by: "cli"))
        _ = writer.enqueue(
            [.event(EventRecord(timeUs: timeUs, model: model, detail: detail))],
            overflow: .block(timeout: .seconds(10)))
        try await writer.flush()
        return id
    }

    /// The outcome event of request `id`, if the engine has written it (events from `sinceUs` on are searched).
    public static func outcome(store: Store, id: String, sinceUs: Int64) throws(StorageError) -> EventRecord? {
        for kind in outcomeKinds {
            let events = try store.events(fromUs: sinceUs, kind: kind, limit: 1000)
            if let match = events.first(where: { $0.detail?.requestID == id }) { return match }
        }
        return nil
    }

    /// Whether the engine has started the training of request `id` (a `training_started` event names it).
    public static func isStarted(store: Store, id: String, sinceUs: Int64) throws(StorageError) -> Bool {
        try store.events(fromUs: sinceUs, kind: .trainingStarted, limit: 1000).contains { $0.detail?.requestID == id }
    }
}
