import Configuration
import Daemon
import Foundation
import MQTT
import StorageTestKit
import Testing

@Suite struct RuntimeComponentTests {
    /// Appended messages survive an abandoned handle (as after SIGKILL), come back in order, byte for byte; trimming
    /// deletes up to the watermark and ids are never reused.
    @Test func inboxKeepsMessagesUntilTrimmedAndNeverReusesIDs() throws {
        let folder = try TemporaryDatabase(prefix: "barnnd-runtime")
        defer { folder.remove() }
        let path = folder.directory + "/db.inbox.sqlite"
        let messages = (0..<50).map { index in
            Message(
                topic: "sensors/a/\(index % 3)", payload: index == 7 ? [] : Array("\(index).5".utf8) + [0, 255],
                qos: .atLeastOnce, receivedAt: 1_700_000_000 + Double(index) / 8)
        }
        var inbox: DurableInbox? = try DurableInbox(path: path)
        for message in messages { try inbox!.append(message) }
        // The engine took the first 20: the watermark is the 20th id.
        let watermark = try #require(inbox!.consume(20))
        let reopened = try DurableInbox(path: path)
        let pending = try reopened.pending()
        #expect(pending.map(\.message) == messages)
        #expect(pending[19].id == watermark)
        try reopened.remove(through: watermark)
        #expect(try reopened.pending().map(\.message) == Array(messages[20...]))
        try reopened.remove(through: pending.last!.id)
        #expect(try reopened.count() == 0)
        try reopened.append(messages[0])
        #expect(try reopened.pending().first!.id > pending.last!.id)
        inbox = nil
    }

    /// Ids line up with the queue even when an append fails in between: `consume` skips the failed one.
    @Test func inboxConsumeCountsEveryAppendedMessage() throws {
        let folder = try TemporaryDatabase(prefix: "barnnd-runtime")
        defer { folder.remove() }
        let inbox = try DurableInbox(path: folder.directory + "/db.inbox.sqlite")
        for index in 0..<5 { try inbox.append(Message(topic: "t/\(index)", payload: [1], receivedAt: 0)) }
        let ids = try inbox.pending().map(\.id)
        #expect(inbox.consume(2) == ids[1])
        #expect(inbox.consume(0) == nil)
        #expect(inbox.consume(10) == ids[4])
        #expect(inbox.consume(1) == nil)
    }

    /// An unopenable path is a typed failure, not a trap.
    @Test func inboxInAMissingDirectoryFailsWithATypedError() {
        #expect(throws: DurableInbox.Failure.self) {
            try DurableInbox(path: "/nonexistent-barnnd-dir/x/inbox.sqlite")
        }
    }

    /// The first occurrence per key logs, repeats inside the interval are swallowed and counted in the next log.
    @Test func repeatedErrorsAreLoggedOncePerIntervalWithTheSuppressedCount() {
        var limiter = RepeatedErrorLimiter(interval: 60)
        #expect(limiter.record("parse|a", now: 0) == .log(suppressed: 0))
        #expect(limiter.record("parse|a", now: 1) == .suppress)
        #expect(limiter.record("parse|b", now: 2) == .log(suppressed: 0))
        #expect(limiter.record("parse|a", now: 59.9) == .suppress)
        #expect(limiter.record("parse|a", now: 60) == .log(suppressed: 2))
        #expect(limiter.record("parse|a", now: 61) == .suppress)
        var everything = RepeatedErrorLimiter(interval: 0)
        #expect(everything.record("x", now: 0) == .log(suppressed: 0))
        #expect(everything.record("x", now: 0) == .log(suppressed: 0))
    }

    /// The limiter's memory is bounded: past the key limit the stalest keys are forgotten.
    @Test func repeatedErrorLimiterForgetsTheStalestKeys() {
        var limiter = RepeatedErrorLimiter(interval: 60, maximumKeys: 4)
        for index in 0..<4 { _ = limiter.record("k\(index)", now: Double(index)) }
        _ = limiter.record("k4", now: 10)
        // k0 and k1 were the stalest half: they log again at once; k3 is still remembered.
        #expect(limiter.record("k0", now: 11) == .log(suppressed: 0))
        #expect(limiter.record("k3", now: 11) == .suppress)
    }

    /// The mailbox hands over everything in order, wakes a waiting engine thread, and holds the producer at capacity
    /// until the engine takes.
    @Test(.timeLimit(.minutes(1)))
    func mailboxIsBoundedAndKeepsOrder() async throws {
        let mailbox = EngineMailbox(capacity: 4)
        let producer = Task {
            for index in 0..<20 { await mailbox.push(Message(topic: "t", payload: [UInt8(index)], receivedAt: 0)) }
            mailbox.send(.stop)
        }
        var received: [UInt8] = []
        var stopped = false
        while !stopped {
            let (messages, commands) = mailbox.take(timeout: .milliseconds(50))
            #expect(messages.count <= 4)
            received += messages.map { $0.payload[0] }
            stopped = commands.contains { if case .stop = $0 { true } else { false } }
            await Task.yield()
        }
        await producer.value
        #expect(received == Array(0..<20))
    }

    /// `[mqtt]` and the rules map onto the client: one subscription per filter at the highest QoS asked, the status
    /// topic, session and keepalive limits.
    @Test func configurationMapsOntoTheMQTTClient() throws {
        var configuration = DaemonConfiguration()
        configuration.mqtt.host = "broker.example"
        configuration.mqtt.port = 8883
        configuration.mqtt.clientID = "edge-1"
        configuration.mqtt.keepalive = .seconds(0)
        configuration.mqtt.statusTopic = "site/barnnd"
        var second = DaemonConfiguration.Rule()
        second.name = "again"
        second.qos = 2
        var third = DaemonConfiguration.Rule()
        third.name = "other"
        third.topic = "other/#"
        third.qos = 0
        configuration.rules = [DaemonConfiguration.Rule(), second, third]
        let client = try configuration.mqttClientConfiguration()
        #expect(client.host == "broker.example" && client.port == 8883 && client.clientID == "edge-1")
        #expect(client.keepAlive == 65535)
        #expect(client.subscriptions.map(\.filter.description) == ["sensors/+/+", "other/#"])
        #expect(client.subscriptions.map(\.qos) == [.exactlyOnce, .atMostOnce])
        #expect(client.status?.topic == "site/barnnd")
        #expect(client.session == .persistent(expiry: .seconds(7 * 86400)))
        #expect(configuration.healthTopic == "site/barnnd/health")
        #expect(
            DaemonRunner.inboxPath(forDatabase: "/var/lib/barnnd/barnnd.sqlite")
                == "/var/lib/barnnd/barnnd.inbox.sqlite")
    }
}
