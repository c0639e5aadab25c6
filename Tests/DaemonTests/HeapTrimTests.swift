import Configuration
import Foundation
import Logging
import MQTT
import MQTTTestKit
import StorageTestKit
import Testing

@testable import Daemon

/// Freed heap pages go back to the system: glibc keeps pages freed between live blocks resident until
/// `malloc_trim`, which the engine thread calls every `heapTrimInterval`.
@Suite struct HeapTrimTests {
    /// This process's resident set in bytes (VmRSS).
    private static func residentBytes() throws -> Int {
        let status = try String(contentsOfFile: "/proc/self/status", encoding: .utf8)
        let line = try #require(status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") })
        let kilobytes = try #require(Int(line.split(separator: " ", omittingEmptySubsequences: true)[1]))
        return kilobytes * 1024
    }

    /// 64 MB of 2 KB blocks, every 32nd kept, so the freed ones lie between live ones where glibc cannot shrink
    /// the heap by itself: trimming hands at least a quarter of them back.
    @Test func trimmingHandsFreedPagesBetweenLiveBlocksBack() throws {
        let trimmer = HeapTrimmer()
        #expect(trimmer.isAvailable)
        let size = 2048
        var kept: [UnsafeMutableRawPointer] = []
        var freed: [UnsafeMutableRawPointer] = []
        for index in 0..<32_768 {
            let block = try #require(malloc(size))
            memset(block, 1, size)
            if index % 32 == 0 { kept.append(block) } else { freed.append(block) }
        }
        defer { kept.forEach { free($0) } }
        freed.forEach { free($0) }
        let before = try Self.residentBytes()
        #expect(trimmer.trim())
        let after = try Self.residentBytes()
        #expect(before - after > 16 << 20, "RSS \(before >> 20) → \(after >> 20) MB")
    }

    /// The running daemon trims on its interval and counts it in the health report's runtime section.
    @Test(.timeLimit(.minutes(2)))
    func theEngineThreadTrimsAndCountsIt() async throws {
        let broker = try MosquittoBroker()
        defer { broker.stop() }
        var configuration = DaemonConfiguration()
        configuration.mqtt.port = broker.port
        configuration.mqtt.clientID = "heap-trim"
        let folder = try TemporaryDatabase(prefix: "barnnd-runtime")
        defer { folder.remove() }
        configuration.storage.path = folder.path
        configuration.publish.healthInterval = .seconds(1)
        configuration = try configuration.validated()
        var options = DaemonRunner.Options()
        options.heapTrimInterval = .milliseconds(100)
        var settings = broker.configuration(
            clientID: "heap-trim-sub",
            subscriptions: [.init(try TopicFilter(configuration.mqtt.statusTopic + "/health"))])
        settings.session = .clean
        let subscriber = try MosquittoClient(configuration: settings, logger: .quiet)
        subscriber.start()
        try await subscriber.waitUntilConnected(timeout: .seconds(10))
        let runner = DaemonRunner(configuration: configuration, options: options, logger: .quiet)
        let run = Task { try await runner.run() }
        var trims = 0
        for await message in subscriber.messages {
            let report = try JSONSerialization.jsonObject(with: Data(message.payload)) as? [String: Any]
            trims = ((report?["runtime"] as? [String: Any])?["heap_trims"] as? Int) ?? 0
            if trims > 0 { break }
        }
        runner.requestStop()
        try await run.value
        await subscriber.close()
        #expect(trims > 0)
    }
}
