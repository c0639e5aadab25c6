import Foundation
import Logging
import MQTT
import MQTTTestKit
import Testing

/// `barnnd status` reads the daemon's retained status and health from a real mosquitto, and says in one line when
/// the broker cannot be reached.
@Suite struct StatusBrokerTests {
    /// A health summary shaped like the daemon's: scalars, small sections, a list of models, big counter sections.
    static let health = """
        {"streams":3,"time":"2026-05-01T12:00:00.000Z","uptime_s":20.066298007965088,\
        "rates":{"forecasts":2.385968235615774,"messages":298.24602945197176},\
        "models":[{"kind":"barnn","name":"default","streams":3,"version":2}],\
        "engine":{"a":1,"b":2,"c":3,"d":4,"e":5,"f":6,"g":7},"writer":{"queued_rows":0,"nested":{"x":1}}}
        """

    func configuration(port: Int, in fixture: InspectionFixture) throws -> String {
        let path = fixture.directory + "/barnnd.toml"
        try """
        [mqtt]
        host = "127.0.0.1"
        port = \(port)
        status_topic = "lab/barnnd/status"
        [storage]
        path = "\(fixture.path)"
        [[rules]]
        name = "lab"
        topic = "sensors/#"
        stream = "{1}"
        """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func retainedStatusAndHealthAreShown() async throws {
        let fixture = try InspectionFixture()
        try await fixture.fill()
        let broker = try MosquittoBroker()
        defer { broker.stop() }
        let publisher = try MosquittoClient(
            configuration: broker.configuration(clientID: "status-publisher"), logger: .quiet)
        publisher.start()
        try await publisher.waitUntilConnected(timeout: .seconds(5))
        try publisher.publish(topic: "lab/barnnd/status", payload: Array("online".utf8), retain: true)
        try publisher.publish(topic: "lab/barnnd/status/health", payload: Array(Self.health.utf8), retain: true)
        await publisher.close()
        let config = try configuration(port: broker.port, in: fixture)
        let result = try BarnndProcess.run(["status", "--config", config, "--timeout", "5"])
        #expect(result.status == 0, "\(result.standardError)")
        let lines = result.standardOutput.split(separator: "\n")
        #expect(lines.first == "database  \(fixture.path) (read-only)")
        #expect(
            Array(lines.suffix(5)) == [
                "broker    127.0.0.1:\(broker.port): lab/barnnd/status = online",
                "  health  streams 3, time 2026-05-01T12:00:00.000Z, uptime_s 20.066",
                "          models: kind barnn, name default, streams 3, version 2",
                "          rates: forecasts 2.386, messages 298.246",
                "          also: engine, writer (see --format json)",
            ])
        #expect(lines.dropFirst().allSatisfy { $0.count <= 80 })
        let json = try BarnndProcess.run(["status", "--config", config, "--format", "json", "--timeout", "5"])
        let document = try #require(
            try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any])
        let brokerPart = try #require(document["broker"] as? [String: Any])
        #expect(brokerPart["reachable"] as? Bool == true)
        #expect(brokerPart["status"] as? String == "online")
        let health = try #require(brokerPart["health"] as? [String: Any])
        #expect(health["streams"] as? Int == 3)
        let messages = try #require((health["rates"] as? [String: Double])?["messages"])
        #expect(abs(messages - 298.24602945197176) < 1e-9)
    }

    @Test func anUnreachableBrokerIsOneLineAndTheDatabaseIsStillShown() async throws {
        let fixture = try InspectionFixture()
        try await fixture.fill()
        let port = try MosquittoBroker.freePort()
        let config = try configuration(port: port, in: fixture)
        let result = try BarnndProcess.run(["status", "--config", config, "--timeout", "1"])
        #expect(result.status == 0, "\(result.standardError)")
        let lines = result.standardOutput.split(separator: "\n")
        #expect(lines.first == "database  \(fixture.path) (read-only)")
        #expect(lines.contains("  default v2 (barnn), created 2026-05-01 03:00"))
        let last = try #require(lines.last)
        #expect(last.hasPrefix("broker    127.0.0.1:\(port): unreachable"))
        #expect(lines.filter { $0.hasPrefix("broker") }.count == 1)
    }
}
