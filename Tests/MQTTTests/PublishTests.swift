import Foundation
import MQTTTestKit
import ProcessTestKit
import Testing

@testable import MQTT

@Suite struct PublishTests {
    @Test func topicsWithWildcardsOrNulAreRefusedAndCounted() async throws {
        let broker = try MosquittoBroker()
        let client = try MosquittoClient(configuration: broker.configuration(clientID: "bad-topics"), logger: .quiet)
        for topic in ["forecast/+", "forecast/#", "a\u{0}b", ""] {
            let error = #expect(throws: MQTTError.self) { try client.publish(topic: topic, payload: [1]) }
            #expect(error?.code == .invalidTopic)
        }
        #expect(client.counters.publishFailures == 4)
        await client.close()
    }

    @Test func offlinePublishesAreBoundedAndSentAfterConnecting() async throws {
        let broker = try MosquittoBroker()
        let observer = try MosquittoClient(
            configuration: broker.configuration(
                clientID: "offline-observer", subscriptions: [.init(try TopicFilter("off/#"))]),
            logger: .quiet)
        observer.start()
        try await observer.waitUntilConnected(timeout: .seconds(10))
        try await waitForSubscription(observer)

        var configuration = broker.configuration(clientID: "offline-publisher")
        configuration.outgoingQueueCapacity = 3
        let client = try MosquittoClient(configuration: configuration, logger: .quiet)
        // Not started: everything is offline.
        for index in 0..<3 { try client.publish(topic: "off/\(index)", payload: [UInt8(index)], qos: .atLeastOnce) }
        let error = #expect(throws: MQTTError.self) { try client.publish(topic: "off/3", payload: [3]) }
        #expect(error?.code == .outgoingQueueFull)
        try client.publish(topic: "off/qos0", payload: [9], qos: .atMostOnce)
        #expect(client.counters.publishesDeferred == 3)
        #expect(client.counters.publishQueueFull == 1)
        #expect(client.counters.publishFailures == 1)

        client.start()
        let received = await observer.messages.collect(3, timeout: .seconds(10))
        #expect(received.map(\.topic) == ["off/0", "off/1", "off/2"])
        try await waitUntil { client.pendingPublishes == 0 }
        #expect(client.counters.messagesPublished == 3)
        await client.close()
        await observer.close()
    }

    @Test func retainedMessagesReachLateSubscribersAndV5PropertiesAreSent() async throws {
        let broker = try MosquittoBroker()
        let publisher = try MosquittoClient(configuration: broker.configuration(clientID: "retain-pub"), logger: .quiet)
        publisher.start()
        try await publisher.waitUntilConnected(timeout: .seconds(10))
        try publisher.publish(
            topic: "forecast/lab/t1", payload: Array("{\"mean\":21.4}".utf8), qos: .atLeastOnce, retain: true,
            properties: .init(contentType: "application/json", messageExpiry: .seconds(3600)))
        try await waitUntil { publisher.pendingPublishes == 0 }

        let subscriber = try MosquittoClient(
            configuration: broker.configuration(
                clientID: "retain-sub", subscriptions: [.init(try TopicFilter("forecast/+/+"))]),
            logger: .quiet)
        subscriber.start()
        let received = await subscriber.messages.collect(1, timeout: .seconds(10))
        #expect(received.first?.retain == true)
        #expect(received.first?.payloadString == "{\"mean\":21.4}")
        #expect(try TopicFilter("forecast/+/+").match(received.first?.topic ?? "") == ["lab", "t1"])

        // mosquitto_sub prints the properties the broker stored with the retained message.
        var pipe: [Int32] = [0, 0]
        #expect(Foundation.pipe(&pipe) == 0)
        let sub = try ChildProcess(
            try MosquittoBroker.find("mosquitto_sub"),
            [
                "-h", "127.0.0.1", "-p", String(broker.port), "-V", "5", "-t", "forecast/lab/t1", "-C", "1", "-W", "10",
                "-F", "%C|%E",
            ],
            stdout: pipe[1])
        close(pipe[1])
        let output = String(
            decoding: FileHandle(fileDescriptor: pipe[0], closeOnDealloc: true).readDataToEndOfFile(), as: UTF8.self)
        sub.wait()
        let fields = output.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "|")
        #expect(fields.first == "application/json")
        let expiry = fields.count == 2 ? Int(fields[1]) : nil
        #expect(expiry.map { $0 > 3500 && $0 <= 3600 } == true, "expiry field: \(output)")
        await subscriber.close()
        await publisher.close()
    }

    @Test func mqtt311RoundTripIgnoresV5Properties() async throws {
        let broker = try MosquittoBroker()
        var configuration = broker.configuration(
            clientID: "v311", subscriptions: [.init(try TopicFilter("v3/#"), qos: .exactlyOnce)])
        configuration.protocolVersion = .v311
        let client = try MosquittoClient(configuration: configuration, logger: .quiet)
        client.start()
        try await client.waitUntilConnected(timeout: .seconds(10))
        try await waitForSubscription(client)
        try client.publish(
            topic: "v3/x", payload: [42], qos: .exactlyOnce, properties: .init(contentType: "text/plain"))
        let received = await client.messages.collect(1, timeout: .seconds(10))
        #expect(received.map(\.payload) == [[42]])
        #expect(received.first?.qos == .exactlyOnce)
        await client.close()
    }
}

@Suite struct ConfigurationTests {
    @Test func outOfRangeValuesAreTypedErrors() {
        var configuration = MQTTConfiguration(host: "127.0.0.1", clientID: "cfg")
        configuration.keepAlive = 2
        let error = #expect(throws: MQTTError.self) {
            try MosquittoClient(configuration: configuration, logger: .quiet)
        }
        #expect(error?.code == .invalidConfiguration)
        #expect(error.map { "\($0)".contains("keepAlive") } == true)

        configuration.keepAlive = 30
        configuration.status = .init(topic: "status/#")
        #expect(throws: MQTTError.self) { try MosquittoClient(configuration: configuration, logger: .quiet) }
    }

    @Test func descriptionNamesTheUserButHoldsNoPassword() {
        var configuration = MQTTConfiguration(host: "broker.lan", port: 8883, clientID: "barnnd-1")
        configuration.credentials = .init(username: "barnnd", passwordFile: "/etc/barnnd/mqtt-password")
        configuration.tls = .init(caFile: "/etc/ssl/ca.pem")
        #expect(
            configuration.description == "mqtt://broker.lan:8883 client=barnnd-1 MQTT 5 keepalive=30s user=barnnd tls")
    }

    @Test func passwordFileLosesOnlyItsTrailingNewline() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("barnnd-password-\(UUID().uuidString)")
            .path
        try "  pass word \n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try MosquittoConnection.readPasswordFile(path) == "  pass word ")
    }
}
