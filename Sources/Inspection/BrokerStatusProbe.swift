public import Configuration
import Foundation
import Logging
import MQTT

/// What the broker holds for barnnd's status topics, read with a short-lived clean-session client.
public struct BrokerStatus: Sendable, Equatable {
    /// `host:port` as asked.
    public var address: String
    /// The status topic read.
    public var topic: String
    /// Why the broker could not be read, or `nil` when it was.
    public var failure: String?
    /// The retained status payload (`online`/`offline`), if one is retained.
    public var status: String?
    /// The retained health summary on `<status topic>/health`, as published.
    public var health: String?

    /// Creates a result.
    public init(address: String, topic: String, failure: String?, status: String?, health: String?) {
        self.address = address
        self.topic = topic
        self.failure = failure
        self.status = status
        self.health = health
    }
}

/// Reads the retained status and health messages of a running barnnd from the broker.
public enum BrokerStatusProbe {
    /// Connects to the broker of `settings` with a clean session, subscribes to the status topic and
    /// `<status topic>/health`, and returns the retained payloads that arrive within `timeout`.
    ///
    /// Never throws: an unreachable broker, refused credentials or a timeout come back as ``BrokerStatus/failure``.
    public static func read(
        _ settings: DaemonConfiguration.MQTTSettings, timeout: Duration = .seconds(2)
    ) async -> BrokerStatus {
        let address = "\(settings.host):\(settings.port)"
        let statusTopic = settings.statusTopic
        let healthTopic = statusTopic + "/health"
        var result = BrokerStatus(address: address, topic: statusTopic, failure: nil, status: nil, health: nil)
        var configuration = settings.connectionConfiguration(
            clientID: "barnnd-cli-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        configuration.session = .clean
        configuration.keepAlive = 10
        do {
            configuration.subscriptions = [
                .init(try TopicFilter(statusTopic), qos: .atMostOnce),
                .init(try TopicFilter(healthTopic), qos: .atMostOnce),
            ]
        } catch {
            result.failure = "invalid status topic '\(statusTopic)': \(error)"
            return result
        }
        var logger = Logger(label: "barnnd.inspection.mqtt")
        logger.logLevel = .critical
        let client: MosquittoClient
        do {
            client = try MosquittoClient(configuration: configuration, logger: logger)
        } catch {
            result.failure = "\(error)"
            return result
        }
        client.start()
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        do {
            try await client.waitUntilConnected(timeout: timeout)
        } catch {
            await client.close(timeout: .zero)
            result.failure = "unreachable (\(error))"
            return result
        }
        // Retained messages follow the SUBACK at once; wait for both or until the deadline.
        let messages = client.messages
        let collector = Task { () -> [String: String] in
            var found: [String: String] = [:]
            for await message in messages {
                found[message.topic] = message.payloadString
                if found[statusTopic] != nil, found[healthTopic] != nil { break }
            }
            return found
        }
        let remaining = deadline - clock.now
        let watchdog = Task {
            try? await Task.sleep(for: max(.milliseconds(300), remaining))
            await client.close(timeout: .zero)
        }
        let found = await collector.value
        watchdog.cancel()
        await client.close(timeout: .zero)
        result.status = found[statusTopic]
        result.health = found[healthTopic]
        return result
    }
}
