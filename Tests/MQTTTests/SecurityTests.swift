import Foundation
import MQTT
import MQTTTestKit
import Testing

@Suite struct SecurityTests {
    private func passwordFile(_ password: String, in broker: MosquittoBroker) throws -> String {
        let path = broker.directory.appendingPathComponent("client-password-\(UUID().uuidString)").path
        try (password + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test(arguments: [MQTTConfiguration.ProtocolVersion.v5, .v311])
    func correctPasswordIsAccepted(version: MQTTConfiguration.ProtocolVersion) async throws {
        var options = MosquittoBroker.Options()
        options.users = ["barnnd": "s3cret pass"]
        let broker = try MosquittoBroker(options: options)
        var configuration = broker.configuration(clientID: "auth-ok")
        configuration.protocolVersion = version
        configuration.credentials = .init(username: "barnnd", passwordFile: try passwordFile("s3cret pass", in: broker))
        let client = try MosquittoClient(configuration: configuration, logger: .quiet)
        client.start()
        try await client.waitUntilConnected(timeout: .seconds(10))
        #expect(client.state == .connected)
        await client.close()
    }

    @Test(arguments: [MQTTConfiguration.ProtocolVersion.v5, .v311])
    func wrongPasswordIsRejectedAsNotAuthorized(version: MQTTConfiguration.ProtocolVersion) async throws {
        var options = MosquittoBroker.Options()
        options.users = ["barnnd": "s3cret"]
        let broker = try MosquittoBroker(options: options)
        var configuration = broker.configuration(clientID: "auth-bad")
        configuration.protocolVersion = version
        configuration.credentials = .init(username: "barnnd", passwordFile: try passwordFile("guess", in: broker))
        let client = try MosquittoClient(configuration: configuration, logger: .quiet)
        client.start()
        let error = await #expect(throws: MQTTError.self) { try await client.waitUntilConnected(timeout: .seconds(10)) }
        #expect(error?.code == .notAuthorized)
        #expect(error?.reasonCode != nil)
        #expect(error.map { "\($0)".contains("guess") } == false)
        await client.close()
    }

    @Test func unreadablePasswordFileIsReported() async throws {
        let broker = try MosquittoBroker()
        var configuration = broker.configuration(clientID: "auth-nofile")
        configuration.credentials = .init(username: "barnnd", passwordFile: "/nonexistent/barnnd-password")
        let client = try MosquittoClient(configuration: configuration, logger: .quiet)
        client.start()
        let error = await #expect(throws: MQTTError.self) { try await client.waitUntilConnected(timeout: .seconds(10)) }
        #expect(error?.code == .passwordFileUnreadable)
        await client.close()
    }

    private func tlsConfiguration(_ broker: MosquittoBroker, host: String, clientID: String) throws -> MQTTConfiguration
    {
        let certificates = try #require(broker.certificates)
        var configuration = broker.configuration(clientID: clientID)
        configuration.host = host
        configuration.port = try #require(broker.tlsPort)
        configuration.tls = .init(caFile: certificates.caFile)
        return configuration
    }

    @Test func tlsWithTheTestCAConnectsAndCarriesMessages() async throws {
        var options = MosquittoBroker.Options()
        options.tls = true
        let broker = try MosquittoBroker(options: options)
        var configuration = try tlsConfiguration(broker, host: "127.0.0.1", clientID: "tls-ok")
        configuration.subscriptions = [.init(try TopicFilter("tls/#"))]
        let client = try MosquittoClient(configuration: configuration, logger: .quiet)
        client.start()
        try await client.waitUntilConnected(timeout: .seconds(10))
        try await waitForSubscription(client)
        try client.publish(topic: "tls/echo", payload: Array("over tls".utf8))
        let received = await client.messages.collect(1, timeout: .seconds(10))
        #expect(received.map(\.payloadString) == ["over tls"])
        await client.close()
    }

    @Test func hostNameMismatchIsRefused() async throws {
        var options = MosquittoBroker.Options()
        options.tls = true
        let broker = try MosquittoBroker(options: options)
        // The certificate names only IP 127.0.0.1; "localhost" reaches the same listener but does not match.
        let configuration = try tlsConfiguration(broker, host: "localhost", clientID: "tls-mismatch")
        let client = try MosquittoClient(configuration: configuration, logger: .quiet)
        client.start()
        let error = await #expect(throws: MQTTError.self) { try await client.waitUntilConnected(timeout: .seconds(10)) }
        #expect(error?.code == .tlsFailure)
        await client.close()
    }

    @Test func insecureSwitchSkipsTheHostNameCheck() async throws {
        var options = MosquittoBroker.Options()
        options.tls = true
        let broker = try MosquittoBroker(options: options)
        var configuration = try tlsConfiguration(broker, host: "localhost", clientID: "tls-insecure")
        configuration.tls?.insecure = true
        let client = try MosquittoClient(configuration: configuration, logger: .quiet)
        client.start()
        try await client.waitUntilConnected(timeout: .seconds(10))
        await client.close()
    }

    @Test func untrustedCAIsRefused() async throws {
        var options = MosquittoBroker.Options()
        options.tls = true
        let broker = try MosquittoBroker(options: options)
        let other = try TestCertificates(directory: broker.directory.appendingPathComponent("other"))
        var configuration = try tlsConfiguration(broker, host: "127.0.0.1", clientID: "tls-untrusted")
        configuration.tls = .init(caFile: other.caFile)
        let client = try MosquittoClient(configuration: configuration, logger: .quiet)
        client.start()
        let error = await #expect(throws: MQTTError.self) { try await client.waitUntilConnected(timeout: .seconds(10)) }
        #expect(error?.code == .tlsFailure)
        await client.close()
    }
}
