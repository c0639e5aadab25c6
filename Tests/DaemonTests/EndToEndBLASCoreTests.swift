import BARNN
import Formats
import Foundation
import MQTT
import MQTTTestKit
import Testing

/// The daemon runs the OpenBLAS kernels `BLASCore.decide` picks for this machine and reports them in its health.
@Suite(.serialized) struct EndToEndBLASCoreTests {
    /// What the daemon's first health report says about its kernels.
    private func reportedCore(_ harness: EndToEndHarness) async throws -> String? {
        let health = try await harness.subscriber("barnnd/status/health")
        defer { Task { await health.close() } }
        for await message in health.messages {
            let object = try? JSONSerialization.jsonObject(with: Data(message.payload)) as? [String: Any]
            return object?["blas_core"] as? String
        }
        return nil
    }

    /// On a CPU with AVX2+FMA where Debian's OpenBLAS picks a generic SSE core (virtual CPUs that hide their model),
    /// `barnnd run` re-executes itself on the Haswell kernels and says which core OpenBLAS had chosen; elsewhere it
    /// keeps OpenBLAS's choice. The test process never corrects itself, so its own core is what OpenBLAS chooses
    /// for the daemon too.
    @Test(.timeLimit(.minutes(2)))
    func theDaemonRunsTheCorrectedKernelsAndSaysSo() async throws {
        let chosen = BLASCore.current
        let environment = ProcessInfo.processInfo.environment
        let expected =
            switch BLASCore.decide(current: chosen, features: .host, environment: environment) {
            case .keep: chosen
            case .reexecute(let core): "\(core) (OpenBLAS chose \(chosen))"
            }
        let harness = try EndToEndHarness()
        try await harness.startDaemon()
        #expect(try await reportedCore(harness) == expected, "\(harness.log())")
        // The whole log: health lines soon push the start-up line out of `log()`'s tail.
        let log = (try? String(contentsOfFile: harness.logPath, encoding: .utf8)) ?? ""
        #expect(log.contains("blas.core=\(expected)"), "the start-up log line names the kernels")
        #expect(harness.stopDaemon(SIGTERM) == 0)

        // BARNND_BLAS_CORE=off measures OpenBLAS's own choice (a new broker: no retained report of the first run).
        let uncorrected = try EndToEndHarness()
        try await uncorrected.startDaemon(environment: ["BARNND_BLAS_CORE": "off"])
        #expect(try await reportedCore(uncorrected) == chosen, "\(uncorrected.log())")
        #expect(uncorrected.stopDaemon(SIGTERM) == 0)
    }
}
