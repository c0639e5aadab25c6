import MQTT
import MQTTTestKit
import Synchronization
import Testing

@Suite struct BeforeAcknowledgeTests {
    struct HookFailure: Error {}

    /// The hook sees every message, in order, before the consumer can take it; a throwing hook is counted and
    /// the message is still delivered.
    @Test(.timeLimit(.minutes(1)))
    func hookRunsBeforeEveryMessageIsQueuedAndItsFailuresAreCounted() async throws {
        let broker = try MosquittoBroker()
        let seen = Mutex<[String]>([])
        var configuration = broker.configuration(
            clientID: "hook-sub", subscriptions: [.init(try TopicFilter("hook/#"), qos: .atLeastOnce)])
        configuration.beforeAcknowledge = { message in
            let count = seen.withLock { seen in
                seen.append(message.payloadString)
                return seen.count
            }
            if count % 10 == 0 { throw HookFailure() }
        }
        let subscriber = try MosquittoClient(configuration: configuration, logger: .quiet)
        subscriber.start()
        try await subscriber.waitUntilConnected(timeout: .seconds(10))
        try await waitForSubscription(subscriber)

        let publisher = try MosquittoClient(configuration: broker.configuration(clientID: "hook-pub"), logger: .quiet)
        publisher.start()
        try await publisher.waitUntilConnected(timeout: .seconds(10))
        let total = 50
        for index in 0..<total { try publisher.publish(topic: "hook/x", payload: Array(String(index).utf8)) }

        var received: [String] = []
        for await message in subscriber.messages {
            // The hook ran for this message before it could be taken from the queue.
            let hooked = seen.withLock { $0.count }
            #expect(hooked >= received.count + 1)
            received.append(message.payloadString)
            if received.count == total { break }
        }
        #expect(received == (0..<total).map(String.init))
        #expect(seen.withLock { $0 } == received)
        #expect(subscriber.counters.beforeAcknowledgeFailures == UInt64(total / 10))
        #expect(subscriber.counters.messagesDropped == 0)
        await publisher.close()
        await subscriber.close()
    }
}
