/// The messages a ``MosquittoClient`` receives, in arrival order, as an `AsyncSequence`.
///
/// Ends after ``MosquittoClient/close(timeout:)`` once every message received before it was consumed, or when
/// the consuming task is cancelled. Meant for one consumer; several iterators split the messages between them.
public struct MessageStream: AsyncSequence, Sendable {
    public typealias Element = Message
    public typealias Failure = Never

    let queue: MessageQueue

    public func makeAsyncIterator() -> Iterator { Iterator(queue: queue) }

    /// Hands out a locally held batch, refilling it from the queue in one step.
    public struct Iterator: AsyncIteratorProtocol {
        let queue: MessageQueue
        var batch: [Message] = []
        var index = 0

        init(queue: MessageQueue) { self.queue = queue }

        public mutating func next(isolation actor: isolated (any Actor)? = #isolation) async -> Message? {
            if index == batch.count {
                await queue.take(into: &batch)
                index = 0
                if batch.isEmpty { return nil }
            }
            defer { index += 1 }
            return batch[index]
        }

        public mutating func next() async -> Message? { await next(isolation: nil) }
    }
}
