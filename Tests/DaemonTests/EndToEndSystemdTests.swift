import Foundation
import MQTTTestKit
import ProcessTestKit
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The daemon speaks systemd's notify protocol: READY once running, WATCHDOG at half of `WATCHDOG_USEC`, STATUS
/// lines with the health summary, STOPPING at SIGTERM.
@Suite(.serialized) struct EndToEndSystemdTests {
    /// A datagram socket standing in for systemd's `$NOTIFY_SOCKET`.
    final class NotifySocket {
        let path: String
        let fd: Int32

        init(directory: URL) throws {
            path = directory.appendingPathComponent("notify.sock").path
            fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8) + [0]) }
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
                }
            }
            guard fd >= 0, bound == 0 else { throw HarnessError(message: "notify socket: errno \(errno)") }
        }

        deinit { close(fd) }

        /// Reads datagrams until one contains `assignment` or `timeout` passes; returns every line seen.
        func waitFor(_ assignment: String, timeout: Duration, seen: inout [String]) -> Bool {
            let clock = ContinuousClock()
            let deadline = clock.now.advanced(by: timeout)
            var buffer = [UInt8](repeating: 0, count: 4096)
            while clock.now < deadline {
                // Non-blocking read polled every 5 ms, so the deadline is honoured.
                let count = recv(fd, &buffer, buffer.count, Int32(MSG_DONTWAIT))
                guard count > 0 else {
                    usleep(5_000)
                    continue
                }
                let lines = String(decoding: buffer[..<count], as: UTF8.self).split(separator: "\n").map(String.init)
                seen += lines
                if lines.contains(where: { $0.hasPrefix(assignment) }) { return true }
            }
            return false
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func notifiesReadyWatchdogStatusAndStopping() async throws {
        let harness = try EndToEndHarness()
        let notify = try NotifySocket(directory: harness.directory)
        try await harness.startDaemon(environment: ["NOTIFY_SOCKET": notify.path, "WATCHDOG_USEC": "1000000"])
        var seen: [String] = []
        #expect(notify.waitFor("READY=1", timeout: .seconds(30), seen: &seen), "\(seen)")
        #expect(notify.waitFor("WATCHDOG=1", timeout: .seconds(10), seen: &seen), "\(seen)")
        #expect(notify.waitFor("STATUS=", timeout: .seconds(10), seen: &seen), "\(seen)")
        #expect(seen.contains { $0.hasPrefix("STATUS=") && $0.contains("streams") })
        harness.daemon?.signal(SIGTERM)
        #expect(notify.waitFor("STOPPING=1", timeout: .seconds(30), seen: &seen), "\(seen)")
        #expect(harness.stopDaemon(SIGTERM) == 0)
    }
}
