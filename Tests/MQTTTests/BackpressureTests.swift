import MQTT
import MQTTTestKit
import Testing

@Suite struct BackpressureTests {
    /// A consumer far slower than the broker: the network thread stalls on the full queue, the broker stops at
    /// receive-maximum and queues, and every message still arrives in order.
    @Test(.timeLimit(.minutes(1)))
    func slowConsumerStallsTheBrokerInsteadOfLosingMessages() async throws {
        let broker = try MosquittoBroker()
        var configuration = broker.configuration(
            clientID: "slow-sub", subscriptions: [.init(try TopicFilter("bp/#"), qos: .atLeastOnce)])
        configuration.incomingQueueCapacity = 8
        configuration.receiveMaximum = 10
        let subscriber = try MosquittoClient(configuration: configuration, logger: .quiet)
        subscriber.start()
        try await subscriber.waitUntilConnected(timeout: .seconds(10))
        try await waitForSubscription(subscriber)

        let publisher = try MosquittoClient(configuration: broker.configuration(clientID: "fast-pub"), logger: .quiet)
        publisher.start()
        try await publisher.waitUntilConnected(timeout: .seconds(10))
        let total = 2_000
        for index in 0..<total { try publisher.publish(topic: "bp/x", payload: Array(String(index).utf8)) }

        var received: [Int] = []
        for await message in subscriber.messages {
            received.append(Int(message.payloadString) ?? -1)
            if received.count % 200 == 0 { try await Task.sleep(for: .milliseconds(20)) }
            if received.count == total { break }
        }
        #expect(received == Array(0..<total))
        #expect(subscriber.counters.consumerStalls > 0)
        #expect(subscriber.counters.messagesDropped == 0)
        await publisher.close()
        await subscriber.close()
    }

    /// A consumer stuck for longer than 1.5 × keepalive: the broker drops the silent connection, the client
    /// reconnects, and the unacknowledged messages come again. Duplicates are allowed; loss is not.
    @Test(.timeLimit(.minutes(1)))
    func consumerStuckPastKeepaliveGetsRedeliveryNotLoss() async throws {
        let broker = try MosquittoBroker()
        var configuration = broker.configuration(
            clientID: "stuck-sub", subscriptions: [.init(try TopicFilter("stuck/#"), qos: .atLeastOnce)])
        configuration.keepAlive = 5
        configuration.incomingQueueCapacity = 4
        configuration.receiveMaximum = 10
        let subscriber = try MosquittoClient(configuration: configuration, logger: .quiet)
        subscriber.start()
        try await subscriber.waitUntilConnected(timeout: .seconds(10))
        try await waitForSubscription(subscriber)

        let publisher = try MosquittoClient(configuration: broker.configuration(clientID: "stuck-pub"), logger: .quiet)
        publisher.start()
        try await publisher.waitUntilConnected(timeout: .seconds(10))
        let total = 50
        for index in 0..<total { try publisher.publish(topic: "stuck/x", payload: Array(String(index).utf8)) }

        // Stay stuck until the broker gives up on the silent connection (keepalive × 1.5, checked every 5 s).
        try await waitUntil(timeout: .seconds(30)) { subscriber.counters.consumerStalls > 0 }
        try await waitUntil(timeout: .seconds(30)) {
            broker.logTail().contains("Client stuck-sub has exceeded timeout, disconnecting.")
        }

        var seen = Set<Int>()
        var deliveries = 0
        for await message in subscriber.messages {
            deliveries += 1
            seen.insert(Int(message.payloadString) ?? -1)
            if seen.count == total { break }
        }
        #expect(seen == Set(0..<total))
        #expect(subscriber.counters.reconnects >= 1)
        #expect(deliveries > total, "the messages whose PUBACK never left are delivered again")
        await publisher.close()
        await subscriber.close()
    }
}
