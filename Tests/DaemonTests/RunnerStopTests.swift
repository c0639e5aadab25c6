import Configuration
import Daemon
import Foundation
import Logging
import MQTT
import MQTTTestKit
import StorageTestKit
import Testing

/// `DaemonRunner.requestStop()` stops an embedded daemon the way SIGTERM does, also for a second runner in the same
/// process (where a self-sent SIGTERM was not delivered: daemon-bench hung on it).
@Suite struct RunnerStopTests {
    @Test(.timeLimit(.minutes(2)))
    func requestStopEndsRunForConsecutiveRunnersInOneProcess() async throws {
        let broker = try MosquittoBroker()
        defer { broker.stop() }
        let folder = try TemporaryDatabase(prefix: "barnnd-runtime")
        defer { folder.remove() }
        let database = folder.path
        var configuration = DaemonConfiguration()
        configuration.mqtt.port = broker.port
        configuration.mqtt.clientID = "runner-stop"
        configuration.storage.path = database
        configuration = try configuration.validated()
        for round in 0..<2 {
            let runner = DaemonRunner(configuration: configuration, options: .init(), logger: .quiet)
            runner.requestStop()  // not running yet: nothing happens
            let run = Task { try await runner.run() }
            try await Self.waitForStatus("online", broker: broker, topic: configuration.mqtt.statusTopic)
            runner.requestStop()
            try await run.value
            // The orderly stop published the retained offline status.
            try await Self.waitForStatus("offline", broker: broker, topic: configuration.mqtt.statusTopic)
            #expect(FileManager.default.fileExists(atPath: database), "round \(round)")
        }
    }

    /// A stop while start-up waits for an unreachable broker ends that wait: the daemon stops in order instead of
    /// waiting out the connect timeout (10 s by default; here 10 min, past the test's limit).
    @Test(.timeLimit(.minutes(2)))
    func aStopWhileWaitingForTheBrokerDoesNotWaitOutTheConnectTimeout() async throws {
        var configuration = DaemonConfiguration()
        configuration.mqtt.port = try MosquittoBroker.freePort()
        configuration.mqtt.clientID = "runner-stop-unreachable"
        let folder = try TemporaryDatabase(prefix: "barnnd-runtime")
        defer { folder.remove() }
        configuration.storage.path = folder.path
        configuration = try configuration.validated()
        var options = DaemonRunner.Options()
        options.connectTimeout = .seconds(600)
        let runner = DaemonRunner(configuration: configuration, options: options, logger: .quiet)
        let run = Task { try await runner.run() }
        // Asked until run() has taken it (a request before run() installs its handlers does nothing).
        let asking = Task {
            while !Task.isCancelled {
                runner.requestStop()
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        try await run.value
        asking.cancel()
    }

    /// Polls the retained status until it reads `payload`.
    static func waitForStatus(_ payload: String, broker: MosquittoBroker, topic: String) async throws {
        let deadline = ContinuousClock.now.advanced(by: .seconds(30))
        while ContinuousClock.now < deadline {
            var settings = broker.configuration(
                clientID: "runner-stop-sub-\(UUID().uuidString.prefix(8))",
                subscriptions: [.init(try TopicFilter(topic))])
            settings.session = .clean
            let client = try MosquittoClient(configuration: settings, logger: .quiet)
            client.start()
            try await client.waitUntilConnected(timeout: .seconds(10))
            let messages = await client.messages.collect(1, timeout: .milliseconds(500))
            await client.close()
            if messages.first?.payloadString == payload { return }
        }
        Issue.record("status never became \(payload)")
    }
}
