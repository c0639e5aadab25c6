import ArgumentParser
import Backtest
import Foundation
import Logging
import MQTT

/// `barnnd replay --csv FILE`: publishes a recorded `timestamp,stream,value` CSV as sensor messages.
struct Replay: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Publish a timestamp,stream,value CSV as sensor messages (for demos and tests).",
        discussion: """
            Rows go out in time order, spaced by their time differences divided by --speed (or back to back with \
            --as-fast-as-possible). With --format json or senml each message carries its reading's time; with \
            number the broker's arrival time becomes the reading's time.
            """
    )

    @Option(help: "The CSV file (header naming timestamp, stream and value).")
    var csv: String

    @Option(help: "Broker host.")
    var host = "localhost"

    @Option(help: "Broker port.")
    var port = 1883

    @Option(help: "Topic template; {stream} is the stream name (a / in it makes topic levels).")
    var topic = "sensors/{stream}"

    @Option(
        help: "Payload format: number, json or senml.",
        transform: { text in
            guard let format = ReplayPayloadFormat(rawValue: text) else {
                throw ValidationError("unknown format '\(text)'; use number, json or senml")
            }
            return format
        })
    var format: ReplayPayloadFormat = .number

    @Option(help: "Data seconds per wall-clock second.")
    var speed: Double = 60

    @Flag(help: "Publish without pauses (overrides --speed).")
    var asFastAsPossible = false

    @Option(help: "QoS of the messages: 0, 1 or 2.")
    var qos: Int32 = 1

    @Option(help: "Client id (default barnnd-replay-PID).")
    var clientID: String?

    func validate() throws {
        guard QoS(rawValue: qos) != nil else { throw ValidationError("--qos must be 0, 1 or 2") }
        guard speed > 0, speed.isFinite else { throw ValidationError("--speed must be a positive number") }
        guard (1...65535).contains(port) else { throw ValidationError("--port must be 1-65535") }
    }

    func run() async throws {
        let recording = try RecordingFile.load(csv)
        var configuration = MQTTConfiguration(
            host: host, port: port, clientID: clientID ?? "barnnd-replay-\(ProcessInfo.processInfo.processIdentifier)")
        configuration.session = .clean
        configuration.reconnect = .init(initial: .milliseconds(100), maximum: .seconds(2))
        let client = try MosquittoClient(configuration: configuration, logger: Logger(label: "barnnd.replay"))
        client.start()
        do {
            try await client.waitUntilConnected(timeout: .seconds(10))
        } catch {
            await client.close()
            FileHandle.standardError.write(Data("replay: cannot connect to \(host):\(port): \(error)\n".utf8))
            throw ExitCode.failure
        }
        let qos = QoS(rawValue: qos)!
        let rate = asFastAsPossible ? Double.infinity : speed
        let clock = ContinuousClock()
        let start = clock.now
        var published = 0
        for row in recording.rows where row.value != nil {
            let due = start.advanced(by: .seconds(recording.wallOffset(of: row, speed: rate)))
            if due > clock.now { try await Task.sleep(until: due, clock: clock) }
            let message = format.payload(for: row)
            let target = ReplayPayloadFormat.topic(template: topic, stream: row.stream)
            while true {
                do {
                    try client.publish(topic: target, payload: message, qos: qos)
                    break
                } catch let error as MQTTError where error.code == .outgoingQueueFull {
                    try await Task.sleep(for: .milliseconds(2))
                }
            }
            published += 1
        }
        while client.pendingPublishes > 0 { try await Task.sleep(for: .milliseconds(5)) }
        await client.close()
        let seconds = start.duration(to: clock.now)
        print("published \(published) messages for \(recording.streams.count) streams in \(seconds)")
    }
}
