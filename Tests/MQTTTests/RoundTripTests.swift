import MQTT
import MQTTTestKit
import Testing

@Suite struct RoundTripTests {
    @Test(arguments: QoS.allCases)
    func messagesArriveIntactAtEveryQoS(qos: QoS) async throws {
        let broker = try MosquittoBroker()
        let filter = try TopicFilter("rt/#")
        let subscriber = try MosquittoClient(
            configuration: broker.configuration(
                clientID: "rt-sub-\(qos.rawValue)", subscriptions: [.init(filter, qos: qos)]),
            logger: .quiet)
        subscriber.start()
        try await subscriber.waitUntilConnected(timeout: .seconds(10))
        let publisher = try MosquittoClient(
            configuration: broker.configuration(clientID: "rt-pub-\(qos.rawValue)"), logger: .quiet)
        publisher.start()
        try await publisher.waitUntilConnected(timeout: .seconds(10))
        try await waitForSubscription(subscriber)

        let payloads: [[UInt8]] = [
            Array("21.5".utf8), [], Array(0...255).map(UInt8.init), Array(repeating: 0x41, count: 70_000),
        ]
        for (index, payload) in payloads.enumerated() {
            try publisher.publish(topic: "rt/sensor/\(index)", payload: payload, qos: qos)
        }
        let received = await subscriber.messages.collect(payloads.count, timeout: .seconds(10))
        #expect(received.map(\.topic) == (0..<payloads.count).map { "rt/sensor/\($0)" })
        #expect(received.map(\.payload) == payloads)
        #expect(received.allSatisfy { $0.qos == qos && !$0.retain })
        #expect(subscriber.counters.messagesReceived == UInt64(payloads.count))
        await publisher.close()
        await subscriber.close()
        #expect(publisher.counters.messagesPublished >= UInt64(payloads.count))
        #expect(publisher.counters.publishFailures == 0)
    }
}

/// Waits until the broker granted every filter of the client's latest (re)subscribe.
func waitForSubscription(_ client: MosquittoClient) async throws {
    let filters = UInt64(client.configuration.subscriptions.count)
    try await waitUntil {
        let counters = client.counters
        return counters.resubscribes > 0 && counters.subscriptionsGranted >= counters.resubscribes * filters
    }
}
