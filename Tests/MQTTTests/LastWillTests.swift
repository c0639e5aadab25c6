import Foundation
import MQTT
import MQTTTestKit
import ProcessTestKit
import Testing

@Suite struct LastWillTests {
    @Test func killedClientLeavesARetainedOfflineStatus() async throws {
        let broker = try MosquittoBroker()
        let statusTopic = "barnnd/will-test/status"
        let observer = try MosquittoClient(
            configuration: broker.configuration(
                clientID: "will-observer", subscriptions: [.init(try TopicFilter(statusTopic))]),
            logger: .quiet)
        observer.start()
        try await observer.waitUntilConnected(timeout: .seconds(10))
        try await waitForSubscription(observer)

        var pipe: [Int32] = [0, 0]
        #expect(Foundation.pipe(&pipe) == 0)
        let child = try ChildProcess(
            try ChildProcess.sibling("mqtt-will-client"), [String(broker.port), "will-client", statusTopic],
            stdout: pipe[1])
        close(pipe[1])
        let output = FileHandle(fileDescriptor: pipe[0], closeOnDealloc: true)
        let line = String(decoding: output.availableData, as: UTF8.self)
        #expect(line == "connected\n")

        let online = await observer.messages.collect(1, timeout: .seconds(10))
        #expect(online.map(\.payloadString) == ["online"])

        child.signal(SIGKILL)
        child.wait()
        let offline = await observer.messages.collect(1, timeout: .seconds(10))
        #expect(offline.map(\.payloadString) == ["offline"])

        // A subscriber arriving later is told the status by the retained message.
        let latecomer = try MosquittoClient(
            configuration: broker.configuration(
                clientID: "will-latecomer", subscriptions: [.init(try TopicFilter(statusTopic))]),
            logger: .quiet)
        latecomer.start()
        let retained = await latecomer.messages.collect(1, timeout: .seconds(10))
        #expect(retained.map(\.payloadString) == ["offline"])
        #expect(retained.first?.retain == true)
        await latecomer.close()
        await observer.close()
    }

    @Test func orderlyCloseAnnouncesOfflineAndReconnectAnnouncesOnline() async throws {
        let broker = try MosquittoBroker()
        let statusTopic = "barnnd/close-test/status"
        let observer = try MosquittoClient(
            configuration: broker.configuration(
                clientID: "status-observer", subscriptions: [.init(try TopicFilter(statusTopic))]),
            logger: .quiet)
        observer.start()
        try await observer.waitUntilConnected(timeout: .seconds(10))
        try await waitForSubscription(observer)

        var configuration = broker.configuration(clientID: "status-client")
        configuration.status = .init(topic: statusTopic)
        let client = try MosquittoClient(configuration: configuration, logger: .quiet)
        client.start()
        try await client.waitUntilConnected(timeout: .seconds(10))
        #expect(await observer.messages.collect(1, timeout: .seconds(10)).map(\.payloadString) == ["online"])

        // The broker may publish the will for the connection it lost while restarting; the client must then
        // announce itself online again after its reconnect.
        try broker.restart()
        var afterRestart: [String] = []
        while afterRestart.last != "online", afterRestart.count < 3 {
            let next = await observer.messages.collect(1, timeout: .seconds(10))
            if next.isEmpty { break }
            afterRestart += next.map(\.payloadString)
        }
        #expect(afterRestart.last == "online")

        await client.close()
        #expect(await observer.messages.collect(1, timeout: .seconds(10)).map(\.payloadString) == ["offline"])
        await observer.close()
    }
}
