import Foundation
import Glibc
import ProcessTestKit

/// A real headless Chromium (Debian's `chromium`) driven over the DevTools protocol on
/// `--remote-debugging-pipe`: requests go to the browser's fd 3, answers come back on its fd 4, each message a JSON
/// text ended by a NUL byte. A pipe needs no port and no WebSocket client, and the browser dies with its parent's
/// end of it. Started with a temporary profile, stopped by PID.
final class ChromiumSession: @unchecked Sendable {
    // @unchecked Sendable: one test owns the session and calls it from one task at a time.

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// The browser's executable: `CHROMIUM` when set, else Debian's `chromium` or `chromium-browser` on PATH.
    static func executable() -> String? {
        if let path = ProcessInfo.processInfo.environment["CHROMIUM"], !path.isEmpty { return path }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            for name in ["chromium", "chromium-browser"] {
                let candidate = "\(directory)/\(name)"
                if access(candidate, X_OK) == 0 { return candidate }
            }
        }
        return nil
    }

    let process: ChildProcess
    let profile: URL
    private let toBrowser: Int32
    private let fromBrowser: Int32
    private var nextID = 0
    private var pending: [UInt8] = []
    private var sessionID: String?

    /// Starts the browser with a `width`×`height` window and a fresh profile under `directory`.
    init(directory: URL, width: Int = 1280, height: Int = 900) throws {
        guard let executable = Self.executable() else {
            throw Failure(description: "chromium is not installed (Scripts/debian-packages.txt lists it)")
        }
        profile = directory.appendingPathComponent("chromium-profile-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: profile, withIntermediateDirectories: true)
        var commands: [Int32] = [-1, -1]
        var answers: [Int32] = [-1, -1]
        guard pipe(&commands) == 0, pipe(&answers) == 0 else { throw Failure(description: "pipe: \(errno)") }
        // Above 4, so placing them at the child's 3 and 4 cannot overwrite one another; close-on-exec, so no
        // other child inherits them.
        let ends = (commands + answers).map { fcntl($0, F_DUPFD_CLOEXEC, 10) }
        (commands + answers).forEach { close($0) }
        let arguments = [
            "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
            "--no-default-browser-check", "--disable-extensions", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--mute-audio", "--hide-scrollbars",
            "--remote-debugging-pipe", "--user-data-dir=\(profile.path)", "--window-size=\(width),\(height)",
            "about:blank",
        ]
        do {
            process = try ChildProcess(executable, arguments, descriptors: [3: ends[0], 4: ends[3]])
        } catch {
            ends.forEach { close($0) }
            throw error
        }
        close(ends[0])
        close(ends[3])
        toBrowser = ends[1]
        fromBrowser = ends[2]
        signal(SIGPIPE, SIG_IGN)
    }

    deinit {
        close(toBrowser)
        close(fromBrowser)
        process.signal(SIGTERM)
        if process.wait(timeout: .seconds(5)) == nil {
            process.signal(SIGKILL)
            process.wait()
        }
        try? FileManager.default.removeItem(at: profile)
    }

    /// Opens `url` in a new tab and attaches to it; later calls act on that tab.
    func open(_ url: String) throws {
        let created = try call("Target.createTarget", ["url": url], session: false)
        guard let target = created["targetId"] as? String else { throw Failure(description: "no target: \(created)") }
        let attached = try call("Target.attachToTarget", ["targetId": target, "flatten": true], session: false)
        guard let session = attached["sessionId"] as? String else {
            throw Failure(description: "no session: \(attached)")
        }
        sessionID = session
    }

    /// Evaluates `expression` in the page and returns its JSON value (strings, numbers, booleans, arrays).
    @discardableResult
    func evaluate(_ expression: String) throws -> Any? {
        let result = try call("Runtime.evaluate", ["expression": expression, "returnByValue": true])
        if let exception = result["exceptionDetails"] {
            throw Failure(description: "\(expression) threw: \(exception)")
        }
        return (result["result"] as? [String: Any])?["value"]
    }

    /// Polls `expression` until it evaluates to `true` (every 100 ms, at most `timeout`).
    func waitFor(_ expression: String, timeout: Duration = .seconds(30), _ what: String) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while clock.now < deadline {
            if try evaluate(expression) as? Bool == true { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        let body = (try? evaluate("document.body ? document.body.innerText.slice(0, 800) : ''")) ?? nil
        throw Failure(description: "timed out waiting for \(what); page text: \(body ?? "-")")
    }

    /// A PNG of the tab's viewport.
    func screenshot() throws -> Data {
        let result = try call("Page.captureScreenshot", ["format": "png"])
        guard let text = result["data"] as? String, let data = Data(base64Encoded: text) else {
            throw Failure(description: "no screenshot data")
        }
        return data
    }

    /// Sends one command and waits (at most 30 s) for its answer, skipping the events in between.
    @discardableResult
    func call(_ method: String, _ parameters: [String: Any] = [:], session: Bool = true) throws -> [String: Any] {
        nextID += 1
        var message: [String: Any] = ["id": nextID, "method": method, "params": parameters]
        if session {
            guard let sessionID else { throw Failure(description: "\(method) before open()") }
            message["sessionId"] = sessionID
        }
        var bytes = [UInt8](try JSONSerialization.data(withJSONObject: message))
        bytes.append(0)
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(toBrowser, $0.baseAddress, $0.count) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { throw Failure(description: "browser pipe closed (\(method))") }
            offset += written
        }
        let deadline = ContinuousClock.now.advanced(by: .seconds(30))
        while true {
            let reply = try nextMessage(until: deadline, method: method)
            guard reply["id"] as? Int == nextID else { continue }
            if let error = reply["error"] { throw Failure(description: "\(method): \(error)") }
            return reply["result"] as? [String: Any] ?? [:]
        }
    }

    private func nextMessage(until deadline: ContinuousClock.Instant, method: String) throws -> [String: Any] {
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            if let end = pending.firstIndex(of: 0) {
                let data = Data(pending[..<end])
                pending.removeSubrange(...end)
                return (try JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
            }
            let left = ContinuousClock.now.duration(to: deadline)
            guard left > .zero else { throw Failure(description: "no answer to \(method) within 30 s") }
            var descriptor = pollfd(fd: fromBrowser, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, Int32(min(left.components.seconds * 1000 + 1, 1000)))
            if ready < 0 && errno == EINTR { continue }
            guard ready > 0 else { continue }
            let count = chunk.withUnsafeMutableBytes { read(fromBrowser, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { throw Failure(description: "browser exited while waiting for \(method)") }
            pending.append(contentsOf: chunk[..<count])
        }
    }
}
