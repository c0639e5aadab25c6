import MQTT
import MQTTTestKit
import Testing

@Suite struct SessionTests {
    @Test func resubscribesWhenARestartedBrokerForgotTheSession() async throws {
        var options = MosquittoBroker.Options()
        options.persistence = false
        let broker = try MosquittoBroker(options: options)
        let subscriber = try MosquittoClient(
            configuration: broker.configuration(clientID: "resub-sub", subscriptions: [.init(try TopicFilter("re/+"))]),
            logger: .quiet)
        subscriber.start()
        try await subscriber.waitUntilConnected(timeout: .seconds(10))
        try await waitForSubscription(subscriber)

        try broker.restart()
        try await waitUntil { subscriber.counters.connects == 2 && subscriber.state == .connected }
        try await waitForSubscription(subscriber)
        #expect(subscriber.counters.resubscribes == 2)
        #expect(subscriber.counters.reconnects >= 1)

        let publisher = try MosquittoClient(configuration: broker.configuration(clientID: "resub-pub"), logger: .quiet)
        publisher.start()
        try await publisher.waitUntilConnected(timeout: .seconds(10))
        try publisher.publish(topic: "re/after", payload: Array("1".utf8))
        let received = await subscriber.messages.collect(1, timeout: .seconds(10))
        #expect(received.map(\.topic) == ["re/after"])
        await publisher.close()
        await subscriber.close()
    }

    @Test func persistedSessionIsReusedWithoutResubscribing() async throws {
        let broker = try MosquittoBroker()
        let subscriber = try MosquittoClient(
            configuration: broker.configuration(
                clientID: "keep-sub", subscriptions: [.init(try TopicFilter("keep/#"))]),
            logger: .quiet)
        subscriber.start()
        try await subscriber.waitUntilConnected(timeout: .seconds(10))
        try await waitForSubscription(subscriber)

        try broker.restart()
        try await waitUntil { subscriber.counters.connects == 2 && subscriber.state == .connected }
        #expect(subscriber.counters.resubscribes == 1)

        let publisher = try MosquittoClient(configuration: broker.configuration(clientID: "keep-pub"), logger: .quiet)
        publisher.start()
        try await publisher.waitUntilConnected(timeout: .seconds(10))
        try publisher.publish(topic: "keep/x", payload: Array("1".utf8))
        #expect(await subscriber.messages.collect(1, timeout: .seconds(10)).map(\.topic) == ["keep/x"])
        await publisher.close()
        await subscriber.close()
    }

    /// 10 000 QoS 1 messages; the subscriber goes away for a third of them and the broker restarts in the
    /// middle. Every message must arrive (duplicates are allowed: at least once).
    @Test func noMessageIsLostAcrossBrokerRestartAndSubscriberDowntime() async throws {
        let broker = try MosquittoBroker()
        let total = 10_000
        let subscription = MQTTConfiguration.Subscription(try TopicFilter("loss/#"), qos: .atLeastOnce)
        var subscriberConfiguration = broker.configuration(clientID: "loss-sub", subscriptions: [subscription])
        subscriberConfiguration.incomingQueueCapacity = 256

        var seen = Set<Int>()
        func absorb(_ messages: [Message]) {
            for message in messages { if let index = Int(message.payloadString) { seen.insert(index) } }
        }

        let subscriber = try MosquittoClient(configuration: subscriberConfiguration, logger: .quiet)
        subscriber.start()
        try await subscriber.waitUntilConnected(timeout: .seconds(10))
        try await waitForSubscription(subscriber)

        var publisherConfiguration = broker.configuration(clientID: "loss-pub")
        publisherConfiguration.outgoingQueueCapacity = 2_000
        let publisher = try MosquittoClient(configuration: publisherConfiguration, logger: .quiet)
        publisher.start()
        try await publisher.waitUntilConnected(timeout: .seconds(10))

        func publish(_ range: Range<Int>) async throws {
            for index in range {
                while true {
                    do {
                        try publisher.publish(topic: "loss/\(index % 7)", payload: Array(String(index).utf8))
                        break
                    } catch let error as MQTTError where error.code == .outgoingQueueFull {
                        try await Task.sleep(for: .milliseconds(1))
                    }
                }
            }
        }

        // Phase 1: subscriber online, consuming concurrently.
        let firstThird = Task { await subscriber.messages.collect(3_000, timeout: .seconds(10)) }
        try await publish(0..<3_000)
        absorb(await firstThird.value)

        // Phase 2: subscriber gone (clean disconnect keeps the session), broker restarts mid-stream.
        await subscriber.close()
        absorb(await subscriber.messages.collect(total, timeout: .seconds(5)))
        try await publish(3_000..<6_000)
        try broker.restart()
        try await publish(6_000..<8_000)

        // Phase 3: subscriber back with the same client id; the rest is published while it drains.
        let returning = try MosquittoClient(configuration: subscriberConfiguration, logger: .quiet)
        returning.start()
        try await returning.waitUntilConnected(timeout: .seconds(10))
        let alreadySeen = seen
        let collector = Task {
            var batch: [Message] = []
            var indices = alreadySeen
            for await message in returning.messages {
                batch.append(message)
                if let index = Int(message.payloadString) { indices.insert(index) }
                if indices.count == total { break }
            }
            return batch
        }
        try await publish(8_000..<total)
        let waiter = Task {
            try await Task.sleep(for: .seconds(30))
            collector.cancel()
        }
        absorb(await collector.value)
        waiter.cancel()

        let missing = (0..<total).filter { !seen.contains($0) }
        #expect(missing.count == 0, "first missing: \(missing.prefix(10))")
        #expect(returning.counters.messagesDropped == 0)
        #expect(publisher.counters.publishFailures == 0)
        await publisher.close()
        await returning.close()
    }
}

/// Polls `condition` every 5 ms for up to `timeout`; fails the test if it never holds.
func waitUntil(timeout: Duration = .seconds(15), _ condition: () -> Bool) async throws {
    let clock = ContinuousClock()
    let deadline = clock.now.advanced(by: timeout)
    while !condition() {
        try #require(clock.now < deadline, "condition not met within \(timeout)")
        try await Task.sleep(for: .milliseconds(5))
    }
}
