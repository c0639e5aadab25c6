// mqtt-bench: messages/s received by barnnd's Swift subscriber next to `mosquitto_sub`, same broker, same run.
//
//   swift run -c release mqtt-bench [messages]
//
// Starts its own mosquitto on a free loopback port. For QoS 0 and QoS 1, two persistent sessions (one per
// subscriber, same filter, same receive maximum 20 = libmosquitto's default) are created, then:
//   backlog: a publisher floods N messages (64-byte payloads, numbered) while the subscribers are offline, so
//            the broker queues N for each; each subscriber then drains its queue alone. Rate = N / drain time.
//            This isolates the receiving client, the known bottleneck. A third session is drained by a silent
//            mosquitto_sub (no output, so no write + fflush per message) as the strictest reference.
//   live:    both subscribers are online while the publisher floods N; rate = N / (time from flood start to the
//            subscriber's last message).
// Every line also reports lost (never received) and duplicate message counts. JSON lines on stdout.
import BenchmarkSupport
import Foundation
import Logging
import MQTT
import MQTTTestKit
import ProcessTestKit

beginBenchmark()

let arguments = CommandLine.arguments
let messageCount = arguments.count > 1 ? Int(arguments[1]) ?? 100_000 : 100_000
let payloadBytes = 64
let receiveMaximum = 20
let logger = Logger(label: "mqtt-bench") { _ in SwiftLogNoOpLogHandler() }

func payload(_ index: Int) -> [UInt8] {
    var bytes = Array(String(index).utf8)
    bytes += Array(repeating: UInt8(ascii: "."), count: payloadBytes - bytes.count)
    return bytes
}

func index(of payload: some Collection<UInt8>) -> Int? {
    Int(String(decoding: payload.prefix { $0 != UInt8(ascii: ".") }, as: UTF8.self))
}

struct Tally {
    var seen: [Bool]
    var unique = 0
    var duplicates = 0

    init(count: Int) { seen = Array(repeating: false, count: count) }

    mutating func note(_ index: Int?) {
        guard let index, index >= 0, index < seen.count else { return }
        if seen[index] { duplicates += 1 } else { seen[index] = true; unique += 1 }
    }

    var lost: Int { seen.count - unique }
}

func swiftConfiguration(_ broker: MosquittoBroker, qos: QoS) throws -> MQTTConfiguration {
    var configuration = broker.configuration(
        clientID: "bench-swift-q\(qos.rawValue)", subscriptions: [.init(try TopicFilter("bench/#"), qos: qos)])
    configuration.receiveMaximum = receiveMaximum
    configuration.incomingQueueCapacity = 8192
    return configuration
}

func waitUntil(_ timeout: Duration = .seconds(30), _ condition: () -> Bool) async throws {
    let clock = ContinuousClock()
    let deadline = clock.now.advanced(by: timeout)
    while !condition() {
        guard clock.now < deadline else { throw BrokerError(message: "bench: condition not met in \(timeout)") }
        try await Task.sleep(for: .milliseconds(2))
    }
}

/// Starts the Swift subscriber and counts until every message arrived or nothing came for 5 s.
func drainSwift(
    _ broker: MosquittoBroker, qos: QoS, expecting count: Int
) async throws -> (Tally, ContinuousClock.Instant) {
    let client = try MosquittoClient(configuration: try swiftConfiguration(broker, qos: qos), logger: logger)
    client.start()
    let tally = try await consume(client, count: count)
    await client.close()
    return tally
}

func consume(_ client: MosquittoClient, count: Int) async throws -> (Tally, ContinuousClock.Instant) {
    let clock = ContinuousClock()
    let consumer = Task {
        var tally = Tally(count: count)
        var last = clock.now
        for await message in client.messages {
            tally.note(index(of: message.payload))
            last = clock.now
            if tally.unique == count { break }
        }
        return (tally, last)
    }
    // Stop waiting when the flow stops for 5 s (messages were lost).
    var previous: UInt64 = 0
    var lastProgress = clock.now
    while client.counters.messagesReceived < UInt64(count) {
        try await Task.sleep(for: .milliseconds(100))
        let received = client.counters.messagesReceived
        if received != previous {
            previous = received
            lastProgress = clock.now
        } else if clock.now - lastProgress > .seconds(5) {
            consumer.cancel()
            break
        }
    }
    return await consumer.value
}

/// Runs `mosquitto_sub` against its persistent session until it printed `count` messages (or 5 s of silence).
/// `silent` prints 0.1% of messages (`--random-filter 0.1`, the minimum), sparing mosquitto_sub its per-message
/// write + fflush; its
/// loss check is then only its exit status (it exits after `count` messages, duplicates included).
func spawnMosquittoSub(
    _ broker: MosquittoBroker, qos: QoS, count: Int, output: String, exitOnSubscribe: Bool = false, silent: Bool = false
) throws -> ChildProcess {
    var arguments = [
        "-h", "127.0.0.1", "-p", String(broker.port), "-V", "5", "-q", String(qos.rawValue), "-t", "bench/#",
        "-c", "-i", "bench-sub\(silent ? "-silent" : "")-q\(qos.rawValue)", "-x", "3600",
    ]
    if exitOnSubscribe {
        arguments += ["-E"]
    } else {
        arguments += ["-C", String(count), "-W", "30"] + (silent ? ["--random-filter", "0.1"] : ["-F", "%p"])
    }
    let fd = open(output, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    defer { close(fd) }
    return try ChildProcess(try MosquittoBroker.find("mosquitto_sub"), arguments, stdout: fd)
}

func tallyFile(_ path: String, count: Int) throws -> Tally {
    var tally = Tally(count: count)
    let data = try Data(contentsOf: URL(fileURLWithPath: path))
    for line in data.split(separator: UInt8(ascii: "\n")) { tally.note(index(of: line)) }
    return tally
}

/// Publishes `count` messages as fast as the outgoing bound allows, then a QoS 1 marker whose PUBACK proves
/// the broker has routed everything before it.
func flood(_ publisher: MosquittoClient, qos: QoS, count: Int) async throws {
    func send(_ topic: String, _ payload: [UInt8], _ qos: QoS) async throws {
        while true {
            do {
                return try publisher.publish(topic: topic, payload: payload, qos: qos)
            } catch let error as MQTTError where error.code == .outgoingQueueFull {
                await Task.yield()
            }
        }
    }
    for index in 0..<count { try await send("bench/\(index % 16)", payload(index), qos) }
    try await send("marker", [], .atLeastOnce)
    try await waitUntil(.seconds(120)) { publisher.pendingPublishes == 0 }
}

func report(mode: String, qos: QoS, swift: (Tally, Double), sub: (Tally, Double), silentSub: (Bool, Double)? = nil) {
    let swiftRate = Double(messageCount) / swift.1
    let subRate = Double(messageCount) / sub.1
    var fields: [String: Any] = [
        "bench": "mqtt.receive", "mode": mode, "qos": Int(qos.rawValue), "messages": messageCount,
        "payload_bytes": payloadBytes, "receive_maximum": receiveMaximum, "swift_msgs_per_s": Int(swiftRate),
        "swift_lost": swift.0.lost, "swift_duplicates": swift.0.duplicates, "mosquitto_sub_msgs_per_s": Int(subRate),
        "mosquitto_sub_lost": sub.0.lost, "mosquitto_sub_duplicates": sub.0.duplicates,
        "swift_over_mosquitto_sub": rounded(swiftRate / subRate, 3),
    ]
    if let silentSub {
        let silentRate = Double(messageCount) / silentSub.1
        fields["mosquitto_sub_silent_msgs_per_s"] = Int(silentRate)
        fields["mosquitto_sub_silent_complete"] = silentSub.0
        fields["swift_over_mosquitto_sub_silent"] = rounded(swiftRate / silentRate, 3)
    }
    emit(fields)
}

/// The whole run; a function so that the broker is stopped and its folder removed when it returns.
func main() async throws {
    var options = MosquittoBroker.Options()
    options.queueQoS0Messages = true
    let broker = try MosquittoBroker(options: options)
    let clock = ContinuousClock()
    let publisher = try MosquittoClient(
        configuration: {
            var configuration = broker.configuration(clientID: "bench-pub")
            configuration.outgoingQueueCapacity = 1000
            return configuration
        }(), logger: logger)
    publisher.start()
    try await publisher.waitUntilConnected(timeout: .seconds(10))
    let subOutput = broker.directory.appendingPathComponent("mosquitto_sub.out").path

    for qos in [QoS.atMostOnce, .atLeastOnce] {
        // Create both persistent sessions (subscribe, then leave).
        let setup = try MosquittoClient(configuration: try swiftConfiguration(broker, qos: qos), logger: logger)
        setup.start()
        try await waitUntil { setup.counters.subscriptionsGranted > 0 }
        await setup.close()
        for silent in [false, true] {
            try spawnMosquittoSub(
                broker, qos: qos, count: 0, output: "/dev/null", exitOnSubscribe: true, silent: silent
            )
            .wait()
        }

        // Backlog: flood while both are offline, then drain one at a time.
        try await flood(publisher, qos: qos, count: messageCount)
        let swiftStart = clock.now
        let (swiftTally, swiftEnd) = try await drainSwift(broker, qos: qos, expecting: messageCount)
        let subStart = clock.now
        let sub = try spawnMosquittoSub(broker, qos: qos, count: messageCount, output: subOutput)
        sub.wait()
        let subElapsed = (clock.now - subStart).inSeconds
        let silentStart = clock.now
        let silentStatus = try spawnMosquittoSub(
            broker, qos: qos, count: messageCount, output: "/dev/null", silent: true
        ).wait()
        let silentElapsed = (clock.now - silentStart).inSeconds
        report(
            mode: "backlog", qos: qos, swift: (swiftTally, (swiftEnd - swiftStart).inSeconds),
            sub: (try tallyFile(subOutput, count: messageCount), subElapsed),
            silentSub: (silentStatus == 0, silentElapsed))

        // Live: both online while the publisher floods.
        let client = try MosquittoClient(configuration: try swiftConfiguration(broker, qos: qos), logger: logger)
        client.start()
        try await client.waitUntilConnected(timeout: .seconds(10))
        let liveSub = try spawnMosquittoSub(broker, qos: qos, count: messageCount, output: subOutput)
        let floodStart = clock.now
        let consumer = Task { try await consume(client, count: messageCount) }
        let subWaiter = Task.detached { () -> ContinuousClock.Instant in
            liveSub.wait()
            return ContinuousClock().now
        }
        try await flood(publisher, qos: qos, count: messageCount)
        let (liveTally, liveEnd) = try await consumer.value
        let subEnd = await subWaiter.value
        await client.close()
        report(
            mode: "live", qos: qos, swift: (liveTally, (liveEnd - floodStart).inSeconds),
            sub: (try tallyFile(subOutput, count: messageCount), (subEnd - floodStart).inSeconds))
    }
    await publisher.close()
}

try await main()
