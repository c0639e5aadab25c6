import Dispatch
import Synchronization

/// The bounded hand-off between libmosquitto's thread (one producer) and the consumer task.
///
/// The producer blocks while the queue is full instead of dropping; that stall is the backpressure
/// ``MosquittoClient`` documents. The consumer takes everything queued in one lock round-trip and recycles its
/// spent buffer, so a steady stream costs one lock per batch on the consumer side and no allocation growth.
/// Memory is bounded by twice ``capacity`` messages (the queue plus the consumer's current batch).
final class MessageQueue: Sendable {
    private struct State {
        var items: [Message] = []
        var spare: [Message] = []
        var consumers: [UInt64: CheckedContinuation<Void, Never>] = [:]
        var nextConsumerID: UInt64 = 0
        var producerWaiting = false
        var closed = false
    }

    /// Most messages queued before the producer waits.
    let capacity: Int
    private let state: Mutex<State>
    /// Signalled when a consumer frees space while the producer waits; timed waits re-check `closed`.
    private let space = DispatchSemaphore(value: 0)

    init(capacity: Int) {
        precondition(capacity > 0, "queue capacity must be positive, got \(capacity)")
        self.capacity = capacity
        var initial = State()
        initial.items.reserveCapacity(min(capacity, 4096))
        self.state = Mutex(initial)
    }

    var count: Int { state.withLock { $0.items.count } }

    /// Appends `message`, waiting while the queue is full; `onStall` runs once if it had to wait.
    ///
    /// After ``close()`` the message is appended even past capacity: the producer must return so the network
    /// thread can stop, and the consumer drains what is left before the stream ends, so nothing is lost.
    func push(_ message: Message, onStall: () -> Void) {
        var stalled = false
        while true {
            let (pushed, consumer) = state.withLock { state -> (Bool, CheckedContinuation<Void, Never>?) in
                guard state.items.count < capacity || state.closed else {
                    state.producerWaiting = true
                    return (false, nil)
                }
                state.items.append(message)
                guard let id = state.consumers.keys.first else { return (true, nil) }
                return (true, state.consumers.removeValue(forKey: id))
            }
            if pushed {
                consumer?.resume()
                return
            }
            if !stalled {
                stalled = true
                onStall()
            }
            _ = space.wait(timeout: .now() + .milliseconds(50))
        }
    }

    /// Ends the queue: pushes no longer wait, and consumers get `[]` once it is empty.
    func close() {
        let consumers = state.withLock { state in
            state.closed = true
            defer { state.consumers = [:] }
            return Array(state.consumers.values)
        }
        for consumer in consumers { consumer.resume() }
        space.signal()
    }

    /// Replaces `batch` (which must be consumed) with every queued message; waits while none is queued.
    /// Leaves `batch` empty only when the queue is closed and drained, or the task is cancelled.
    func take(into batch: inout [Message]) async {
        batch.removeAll(keepingCapacity: true)
        while true {
            var recycled: [Message] = []
            swap(&recycled, &batch)
            let (got, ended, wakeProducer) = state.withLock { state -> ([Message], Bool, Bool) in
                guard !state.items.isEmpty else {
                    state.spare = recycled.capacity > state.spare.capacity ? recycled : state.spare
                    return ([], state.closed, false)
                }
                var taken = state.spare.capacity >= recycled.capacity ? state.spare : recycled
                state.spare = []
                swap(&taken, &state.items)
                let wake = state.producerWaiting
                state.producerWaiting = false
                return (taken, state.closed, wake)
            }
            if wakeProducer { space.signal() }
            if !got.isEmpty {
                batch = got
                return
            }
            if ended || Task.isCancelled { return }
            await waitForMessages()
        }
    }

    private func waitForMessages() async {
        let id = state.withLock { state in
            defer { state.nextConsumerID &+= 1 }
            return state.nextConsumerID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state in
                    // Checked under the lock so a cancellation racing with registration is never missed.
                    if !state.items.isEmpty || state.closed || Task.isCancelled { return true }
                    state.consumers[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.consumers.removeValue(forKey: id) }?.resume()
        }
    }

    /// Puts messages an abandoned iterator had taken back at the front, ahead of newer ones.
    func giveBack(_ messages: ArraySlice<Message>) {
        state.withLock { $0.items.insert(contentsOf: messages, at: 0) }
    }

    /// Empties the queue and returns how many messages were thrown away.
    func discardAll() -> Int {
        state.withLock { state in
            defer { state.items.removeAll() }
            return state.items.count
        }
    }
}
