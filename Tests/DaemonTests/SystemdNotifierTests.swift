import Daemon
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite struct SystemdNotifierTests {
    /// A datagram socket bound in a fresh temporary directory, standing in for systemd's notify socket.
    final class NotifySocket {
        let directory: URL
        let path: String
        let fd: Int32

        init() throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("notify-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            path = directory.appendingPathComponent("sock").path
            fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
            let result = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
                }
            }
            #expect(result == 0)
            var timeout = timeval(tv_sec: 5, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        }

        func receive() -> String? {
            var buffer = [UInt8](repeating: 0, count: 4096)
            let count = recv(fd, &buffer, buffer.count, 0)
            return count > 0 ? String(decoding: buffer[..<count], as: UTF8.self) : nil
        }

        deinit {
            close(fd)
            try? FileManager.default.removeItem(at: directory)
        }
    }

    @Test func readyAndStatusArriveAsOneDatagram() throws {
        let socket = try NotifySocket()
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": socket.path])
        #expect(notifier.isEnabled)
        try notifier.ready(status: "serving 3 streams")
        #expect(socket.receive() == "READY=1\nSTATUS=serving 3 streams")
        try notifier.watchdog()
        #expect(socket.receive() == "WATCHDOG=1")
    }

    @Test func newlinesInStatusCannotInjectAssignments() throws {
        let socket = try NotifySocket()
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": socket.path])
        try notifier.status("bad\nREADY=1")
        #expect(socket.receive() == "STATUS=bad READY=1")
    }

    @Test func withoutNotifySocketEverythingIsANoOp() throws {
        let notifier = SystemdNotifier(environment: [:])
        #expect(!notifier.isEnabled)
        try notifier.ready()
        #expect(notifier.watchdogPingInterval == nil)
    }

    @Test func watchdogPingsAtHalfTheIntervalOnlyForTheNamedProcess() {
        let mine = SystemdNotifier(environment: ["WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "42"], processID: 42)
        #expect(mine.watchdogPingInterval == .seconds(15))
        let other = SystemdNotifier(environment: ["WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "7"], processID: 42)
        #expect(other.watchdogInterval == nil)
    }

    @Test func unreachableSocketIsAnErrorNotATrap() {
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": "/nonexistent/dir/notify"])
        #expect(throws: SystemdNotifier.Failure.self) { try notifier.ready() }
    }
}
