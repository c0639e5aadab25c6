#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Speaks systemd's notify protocol (`sd_notify(3)`) over `$NOTIFY_SOCKET` without linking libsystemd.
///
/// Every method is a no-op when the process was not started by systemd with `Type=notify`, so the daemon can
/// call them unconditionally. A datagram that cannot be sent is reported through the returned error, never a trap:
/// losing a STATUS line must not take the daemon down.
public struct SystemdNotifier: Sendable {
    /// Why a notification could not be delivered.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        /// The failing system call.
        public let function: String
        /// `errno` right after the call.
        public let errno: Int32
        public var description: String { "\(function) failed: \(String(cString: strerror(errno)))" }
    }

    /// The socket path from `$NOTIFY_SOCKET`; `nil` when not running under systemd's notify protocol.
    public let socketPath: String?
    /// The watchdog interval from `$WATCHDOG_USEC` (honouring `$WATCHDOG_PID`); `nil` when no watchdog is set.
    public let watchdogInterval: Duration?

    /// Reads `NOTIFY_SOCKET`, `WATCHDOG_USEC` and `WATCHDOG_PID` from `environment`; `processID` defaults to ours.
    public init(environment: [String: String], processID: Int32? = nil) {
        let processID = processID ?? getpid()
        let path = environment["NOTIFY_SOCKET"].flatMap { $0.isEmpty ? nil : $0 }
        socketPath = path
        if let usecText = environment["WATCHDOG_USEC"], let usec = UInt64(usecText), usec > 0,
            environment["WATCHDOG_PID"].map({ Int32($0) == processID }) ?? true
        {
            watchdogInterval = .microseconds(Int64(clamping: usec))
        } else {
            watchdogInterval = nil
        }
    }

    /// Whether notifications go anywhere.
    public var isEnabled: Bool { socketPath != nil }

    /// How often to send `WATCHDOG=1`: half the configured interval, as `sd_watchdog_enabled(3)` recommends.
    public var watchdogPingInterval: Duration? { watchdogInterval.map { $0 / 2 } }

    /// Tells systemd start-up is complete.
    public func ready(status: String? = nil) throws(Failure) {
        try send(["READY=1"] + (status.map { ["STATUS=\($0)"] } ?? []))
    }

    /// Updates the one-line status shown by `systemctl status`.
    public func status(_ text: String) throws(Failure) { try send(["STATUS=\(text)"]) }

    /// Keeps the watchdog from restarting the service.
    public func watchdog() throws(Failure) { try send(["WATCHDOG=1"]) }

    /// Announces a configuration reload (send `ready()` when done).
    public func reloading() throws(Failure) { try send(["RELOADING=1"]) }

    /// Announces an orderly shutdown.
    public func stopping() throws(Failure) { try send(["STOPPING=1"]) }

    /// Sends newline-separated `KEY=value` assignments in one datagram.
    public func send(_ assignments: [String]) throws(Failure) {
        guard let socketPath else { return }
        // A newline inside a value would start a new assignment: systemd would misread the rest.
        let message = assignments.map { $0.replacingNewlines() }.joined(separator: "\n")
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw Failure(function: "socket", errno: errno) }
        defer { close(fd) }

        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        // Abstract-namespace sockets are written with a leading '@' and sent with a leading NUL.
        var pathBytes = Array(socketPath.utf8)
        if pathBytes.first == UInt8(ascii: "@") { pathBytes[0] = 0 }
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard pathBytes.count < capacity else { throw Failure(function: "sockaddr_un", errno: ENAMETOOLONG) }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: pathBytes)
        }
        // The address length covers exactly the path: no trailing NUL for abstract names.
        let length = socklen_t(MemoryLayout<sa_family_t>.size + pathBytes.count)
        let sent = message.withCString { text in
            withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                    sendto(fd, text, strlen(text), Int32(MSG_NOSIGNAL), socketAddress, length)
                }
            }
        }
        guard sent >= 0 else { throw Failure(function: "sendto", errno: errno) }
    }
}

extension String {
    fileprivate func replacingNewlines() -> String {
        String(unicodeScalars.map { $0 == "\n" || $0 == "\r" ? " " : Character($0) })
    }
}
