import MQTT
import MQTTTestKit
import Synchronization
import Testing

@Suite struct BeforeAcknowledgeTests {
    struct HookFailure: Error {}

    /// The hook sees every message, in order, before the consumer can take it; a throwing hook is retried until it
    /// succeeds and each failure is counted. Every message is delivered once, in order.
    @Test(.timeLimit(.minutes(1)))
    func aFailingHookIsRetriedUntilItSucceedsBeforeTheMessageIsQueued() async throws {
        let broker = try MosquittoBroker()
        let seen = Mutex<[String]>([])
        var configuration = broker.configuration(
            clientID: "hook-sub", subscriptions: [.init(try TopicFilter("hook/#"), qos: .atLeastOnce)])
        configuration.beforeAcknowledge = { message in
            let payload = message.payloadString
            let attempts = seen.withLock { seen in
                seen.append(payload)
                return seen.count { $0 == payload }
            }
            // Every tenth message fails twice before it is made durable.
            if Int(payload)! % 10 == 9, attempts <= 2 { throw HookFailure() }
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
            // The hook succeeded for this message before it could be taken from the queue.
            let hooked = seen.withLock { $0 }
            #expect(hooked.contains(message.payloadString))
            received.append(message.payloadString)
            if received.count == total { break }
        }
        #expect(received == (0..<total).map(String.init))
        #expect(seen.withLock { $0.count } == total + 2 * total / 10)
        #expect(subscriber.counters.beforeAcknowledgeFailures == UInt64(2 * total / 10))
        #expect(subscriber.counters.messagesDropped == 0)
        await publisher.close()
        await subscriber.close()
    }

    /// A message whose hook never succeeds is never acknowledged: after the client stops, the broker still holds
    /// it and hands it to the next session, whose hook works.
    @Test(.timeLimit(.minutes(1)))
    func aMessageThatCannotBeMadeDurableIsNotAcknowledgedAndComesBack() async throws {
        let broker = try MosquittoBroker()
        let filter = MQTTConfiguration.Subscription(try TopicFilter("durable/#"), qos: .atLeastOnce)
        var failing = broker.configuration(clientID: "durable-sub", subscriptions: [filter])
        failing.session = .persistent(expiry: .seconds(600))
        let attempts = Mutex(0)
        failing.beforeAcknowledge = { _ in
            attempts.withLock { $0 += 1 }
            throw HookFailure()
        }
        let first = try MosquittoClient(configuration: failing, logger: .quiet)
        first.start()
        try await first.waitUntilConnected(timeout: .seconds(10))
        try await waitForSubscription(first)

        let publisher = try MosquittoClient(
            configuration: broker.configuration(clientID: "durable-pub"), logger: .quiet)
        publisher.start()
        try await publisher.waitUntilConnected(timeout: .seconds(10))
        try publisher.publish(topic: "durable/x", payload: Array("kept".utf8), qos: .atLeastOnce)
        try await waitUntil { attempts.withLock { $0 } >= 3 }
        await first.close(timeout: .seconds(5))
        #expect(first.counters.acknowledgementsWithheld == 1)
        #expect(first.counters.beforeAcknowledgeFailures >= 3)

        var working = failing
        working.beforeAcknowledge = { _ in }
        let second = try MosquittoClient(configuration: working, logger: .quiet)
        second.start()
        let redelivered = await second.messages.collect(1, timeout: .seconds(10))
        #expect(redelivered.map(\.payloadString) == ["kept"])
        await publisher.close()
        await second.close()
    }
}
