/// The messages a ``MosquittoClient`` receives, in arrival order, as an `AsyncSequence`.
///
/// Ends after ``MosquittoClient/close(timeout:)`` once every message received before it was consumed, or when
/// the consuming task is cancelled. Meant for one consumer at a time; an iterator that is dropped gives the
/// messages it had taken but not returned back to the front of the queue, so nothing is lost between
/// iterators.
public struct MessageStream: AsyncSequence, Sendable {
    public typealias Element = Message
    public typealias Failure = Never

    let queue: MessageQueue

    public func makeAsyncIterator() -> Iterator { Iterator(queue: queue) }

    /// Hands out a locally held batch, refilling it from the queue in one step.
    public struct Iterator: AsyncIteratorProtocol {
        private let batch: Batch

        init(queue: MessageQueue) { batch = Batch(queue: queue) }

        public mutating func next(isolation actor: isolated (any Actor)? = #isolation) async -> Message? {
            await batch.next(isolation: actor)
        }

        public mutating func next() async -> Message? { await batch.next(isolation: nil) }
    }

    /// The iterator's batch; a class so that its deinit can return unconsumed messages to the queue.
    final class Batch {
        let queue: MessageQueue
        var messages: [Message] = []
        var index = 0

        init(queue: MessageQueue) { self.queue = queue }

        deinit {
            if index < messages.count { queue.giveBack(messages[index...]) }
        }

        func next(isolation actor: isolated (any Actor)?) async -> Message? {
            if index == messages.count {
                await queue.take(into: &messages)
                index = 0
                if messages.isEmpty { return nil }
            }
            defer { index += 1 }
            return messages[index]
        }
    }
}
