import Dispatch
import Synchronization
import Testing

@testable import MQTT

@Suite struct MessageQueueTests {
    private func message(_ index: Int) -> Message {
        Message(topic: "q/\(index)", payload: [UInt8(truncatingIfNeeded: index)], receivedAt: 0)
    }

    @Test func fullQueueBlocksTheProducerAndLosesNothing() async {
        let queue = MessageQueue(capacity: 4)
        let stalls = Atomic<Int>(0)
        let count = 2000
        let producer = DispatchQueue(label: "producer")
        producer.async {
            for index in 0..<count {
                queue.push(message(index)) { _ = stalls.add(1, ordering: .relaxed) }
            }
            queue.close()
        }
        var topics: [String] = []
        for await received in MessageStream(queue: queue) {
            topics.append(received.topic)
            if topics.count % 100 == 0 { try? await Task.sleep(for: .milliseconds(1)) }
        }
        #expect(topics == (0..<count).map { "q/\($0)" })
        #expect(stalls.load(ordering: .relaxed) > 0)
    }

    @Test func droppedIteratorGivesUnconsumedMessagesBack() async {
        let queue = MessageQueue(capacity: 16)
        for index in 0..<10 { queue.push(message(index)) {} }
        do {
            var iterator = MessageStream(queue: queue).makeAsyncIterator()
            #expect(await iterator.next()?.topic == "q/0")
            #expect(await iterator.next()?.topic == "q/1")
        }
        queue.push(message(10)) {}
        queue.close()
        var rest: [String] = []
        for await received in MessageStream(queue: queue) { rest.append(received.topic) }
        #expect(rest == (2...10).map { "q/\($0)" })
    }

    @Test func closedQueueDrainsThenEnds() async {
        let queue = MessageQueue(capacity: 2)
        queue.push(message(0)) {}
        queue.push(message(1)) {}
        queue.close()
        queue.push(message(2)) {}  // past capacity after close: accepted, not dropped
        var iterator = MessageStream(queue: queue).makeAsyncIterator()
        #expect(await iterator.next()?.topic == "q/0")
        #expect(await iterator.next()?.topic == "q/1")
        #expect(await iterator.next()?.topic == "q/2")
        #expect(await iterator.next() == nil)
    }

    @Test func cancellingAWaitingConsumerEndsItsIteration() async {
        let queue = MessageQueue(capacity: 2)
        let task = Task {
            var iterator = MessageStream(queue: queue).makeAsyncIterator()
            return await iterator.next()
        }
        task.cancel()
        #expect(await task.value == nil)
    }
}
