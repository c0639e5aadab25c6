public import MQTT

extension MessageStream {
    /// Collects messages until `count` arrived or `timeout` passed, whichever is first; returns what arrived.
    public func collect(_ count: Int, timeout: Duration) async -> [Message] {
        await withTaskGroup(of: [Message]?.self) { group in
            group.addTask {
                var messages: [Message] = []
                var iterator = self.makeAsyncIterator()
                while messages.count < count, let message = await iterator.next() {
                    messages.append(message)
                }
                return messages
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            var result: [Message] = []
            for await outcome in group {
                if let outcome {
                    result = outcome
                    group.cancelAll()
                } else {
                    group.cancelAll()
                }
            }
            return result
        }
    }
}
