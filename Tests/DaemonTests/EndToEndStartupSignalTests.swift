import Foundation
import MQTTTestKit
import ProcessTestKit
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A stop signal that comes while `barnnd run` is still starting (the Swift runtime, argument parsing, the
/// configuration, the database, the engine) is an orderly stop with exit status 0, never a death by signal.
///
/// The process catches SIGTERM and SIGINT from an ELF constructor, which runs once the shared libraries are loaded;
/// before that no code of barnnd's exists to catch anything (systemd counts a death by SIGTERM as a clean stop).
/// So the test waits until the kernel reports the signal caught, then sends it at several delays that fall into the
/// later start-up phases, including the hand-over to the daemon's own signal sources.
@Suite(.serialized) struct EndToEndStartupSignalTests {
    /// Whether `/proc/PID/status` reports `signal` caught or ignored (no longer the default action).
    private static func handles(_ signal: Int32, pid: Int32) -> Bool {
        // The shell that execs barnnd may catch SIGINT itself: only barnnd's own dispositions count.
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/exe")) ?? ""
        guard executable.hasSuffix("/barnnd"),
            let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        else { return false }
        let bit = UInt64(1) << UInt64(signal - 1)
        for line in status.split(separator: "\n") where line.hasPrefix("SigCgt:") || line.hasPrefix("SigIgn:") {
            let hex = line.split(separator: "\t").last.map(String.init) ?? ""
            if let mask = UInt64(hex.trimmingCharacters(in: .whitespaces), radix: 16), mask & bit != 0 { return true }
        }
        return false
    }

    @Test(.timeLimit(.minutes(2)), arguments: [SIGTERM, SIGINT])
    func aStopSignalDuringStartUpIsAnOrderlyStop(signal: Int32) async throws {
        let harness = try EndToEndHarness()
        // 30 ms once lost a SIGINT in the hand-over from the start-up handler to dispatch sources (the daemon ran on);
        // 1 s reaches the running daemon.
        for delayMicroseconds: UInt32 in [0, 1000, 3000, 10_000, 20_000, 30_000, 50_000, 100_000, 300_000, 1_000_000] {
            let log = harness.directory.appendingPathComponent("early-\(signal)-\(delayMicroseconds).log").path
            let daemon = try ChildProcess(
                "/bin/sh", ["-c", "exec '\(EndToEndHarness.binary)' run --config '\(harness.configPath)' 2>'\(log)'"])
            let clock = ContinuousClock()
            let deadline = clock.now.advanced(by: .seconds(10))
            while !Self.handles(signal, pid: daemon.pid), daemon.isRunning, clock.now < deadline { usleep(200) }
            usleep(delayMicroseconds)
            daemon.signal(signal)
            // A lost signal leaves the daemon running: fail and kill it rather than block past the time limit.
            let stopped = daemon.wait(timeout: .seconds(20))
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            guard let status = stopped else {
                daemon.signal(SIGKILL)
                daemon.wait()
                Issue.record("signal \(signal) after \(delayMicroseconds) µs did not stop the daemon:\n\(text)")
                continue
            }
            // Killed by the signal shows in the low 7 bits; an exit carries its status in the next byte.
            #expect(status & 0x7f == 0, "killed by signal \(status & 0x7f) after \(delayMicroseconds) µs:\n\(text)")
            #expect((status >> 8) & 0xff == 0, "exit status \((status >> 8) & 0xff) after \(delayMicroseconds) µs")
        }
    }

    /// The re-execution that corrects OpenBLAS's kernels first blocks the stop signals in every thread, not only the
    /// one that execs: a signal the kernel hands to another thread (OpenBLAS's workers take them) is lost when the
    /// exec ends that thread before its handler has recorded it. The probe holds, sends itself SIGINT and re-executes.
    @Test(.timeLimit(.minutes(1))) func theReexecutionHoldsStopSignalsInEveryThread() throws {
        let probe = try ChildProcess.piped(try ChildProcess.sibling("early-signals-probe"), ["run"])
        #expect(probe.nextLine() == "unmasked 0")
        #expect(probe.nextLine() == "received \(SIGINT)")
        #expect(probe.finish() == 0)
    }
}
