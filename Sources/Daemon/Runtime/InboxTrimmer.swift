import Logging
import Storage
import Synchronization

/// Deletes inbox rows once the Store has committed what the engine made of them: flush the writer, then delete up
/// to the watermark taken before the flush. One trim at a time, off the engine thread (a flush may take a while).
final class InboxTrimmer: Sendable {
    private let inbox: DurableInbox
    private let writer: StoreWriter
    private let logger: Logger
    private let inFlight = Atomic<Bool>(false)
    private let trimCount = Atomic<Int>(0)
    private let failureCount = Atomic<Int>(0)
    private let failingInARow = Atomic<Int>(0)

    init(inbox: DurableInbox, writer: StoreWriter, logger: Logger) {
        self.inbox = inbox
        self.writer = writer
        self.logger = logger
    }

    /// Trims completed so far.
    var trims: Int { trimCount.load(ordering: .relaxed) }
    /// Flushes or deletes that failed so far.
    var failures: Int { failureCount.load(ordering: .relaxed) }

    /// Starts a trim through `id` unless one is running. Every write queued before this call is flushed first,
    /// which covers the observations of every message up to `id` (the engine queued them before calling).
    func trim(through id: Int64) {
        guard inFlight.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged
        else { return }
        Task {
            defer { inFlight.store(false, ordering: .releasing) }
            await trimNow(through: id)
        }
    }

    /// Flushes the writer and deletes through `id`; used directly at shutdown.
    func trimNow(through id: Int64) async {
        do {
            try await writer.flush()
            try inbox.remove(through: id)
            trimCount.add(1, ordering: .relaxed)
            failingInARow.store(0, ordering: .relaxed)
        } catch {
            failureCount.add(1, ordering: .relaxed)
            // While storage fails every trim fails with it, every few seconds: say so once, then quietly.
            let metadata: Logger.Metadata = ["inbox.path": "\(inbox.path)", "error": "\(error)"]
            if failingInARow.add(1, ordering: .relaxed).newValue == 1 {
                logger.warning(
                    "inbox not trimmed; it keeps the messages until the store has committed them", metadata: metadata)
            } else {
                logger.debug("inbox not trimmed again", metadata: metadata)
            }
        }
    }
}
