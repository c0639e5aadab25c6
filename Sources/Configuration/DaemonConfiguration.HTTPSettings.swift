import Foundation

extension DaemonConfiguration {
    /// The embedded HTTP server (`[http]`): `/metrics` for Prometheus, `/healthz` and the web view.
    public struct HTTPSettings: Sendable, Equatable {
        /// `HOST:PORT` to listen on (`[::1]:PORT` for IPv6); empty disables the server. The default is
        /// `127.0.0.1:9464`, reachable from this machine only.
        public var listen = "127.0.0.1:9464"
        /// The basic-auth user name; requests without it get 401. `nil` (the default) leaves the server open.
        public var username: String?
        /// A file whose first line is the basic-auth password, kept out of the configuration like
        /// `mqtt.password_file`. Required with ``username``.
        public var passwordFile: String?
        /// Streams exported with per-stream coverage and CRPS on `/metrics`: the most recently active ones, so
        /// 10 000 streams do not become 10 000 series per level. 0 turns them off. The default is 50.
        public var streamMetrics = 50

        /// Creates the defaults.
        public init() {}

        /// Whether the server runs at all.
        public var isEnabled: Bool { !listen.isEmpty }

        /// ``listen`` split into host and port, or `nil` when it is not `HOST:PORT` with a port in 0–65535.
        public var listenAddress: (host: String, port: Int)? {
            guard let colon = listen.lastIndex(of: ":") else { return nil }
            var host = String(listen[..<colon])
            let portText = listen[listen.index(after: colon)...]
            guard let port = Int(portText), (0...65535).contains(port), portText.allSatisfy(\.isASCII) else {
                return nil
            }
            if host.hasPrefix("[") && host.hasSuffix("]") {
                host = String(host.dropFirst().dropLast())
            } else if host.contains(":") {
                // A bare IPv6 address is ambiguous with its port; the brackets say where the port starts.
                return nil
            }
            guard !host.isEmpty, !host.contains(where: { $0.isWhitespace || $0 == "/" }) else { return nil }
            return (host, port)
        }
    }
}

extension DaemonConfiguration {
    /// The `[http]` problems: an address the server could not listen on, credentials that do not pair up, a
    /// password file that cannot be read (found now rather than at the first request).
    func validateHTTP(into problems: inout [ConfigurationError.Problem]) {
        if http.isEnabled && http.listenAddress == nil {
            problems.append(
                .init(
                    .invalidValue, "http.listen",
                    "\"\(http.listen)\" is not HOST:PORT (e.g. 127.0.0.1:9464, [::1]:9464, 0.0.0.0:9464; \"\" disables)"
                ))
        }
        if http.username != nil && http.passwordFile == nil {
            problems.append(.init(.missingKey, "http.password_file", "username is set, so password_file is required"))
        }
        if http.passwordFile != nil && http.username == nil {
            problems.append(.init(.missingKey, "http.username", "password_file is set, so username is required"))
        }
        if let file = http.passwordFile, http.username != nil {
            if file.isEmpty || !FileManager.default.isReadableFile(atPath: file) {
                problems.append(.init(.invalidValue, "http.password_file", "cannot read \"\(file)\""))
            } else if HTTPCredentials.password(fromFileAt: file)?.isEmpty != false {
                problems.append(.init(.invalidValue, "http.password_file", "\"\(file)\" holds no password"))
            }
        }
        if !(0...10_000).contains(http.streamMetrics) {
            problems.append(
                .init(.outOfRange, "http.stream_metrics", "\(http.streamMetrics) is not in 0...10000"))
        }
    }
}

/// The basic-auth password kept in a file, read the same way by validation and by the server.
public enum HTTPCredentials {
    /// The file's first line without its line ending, or `nil` when it cannot be read.
    public static func password(fromFileAt path: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        let text = String(decoding: data, as: UTF8.self)
        return String(text.prefix { $0 != "\n" && $0 != "\r\n" && $0 != "\r" })
    }
}
