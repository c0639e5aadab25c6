import Glibc

/// A child process started with `posix_spawn`, a clean signal mask and default signal dispositions.
///
/// `Foundation.Process` passes on the spawning thread's blocked-signal mask; test runner threads block
/// SIGTERM, and mosquitto, which only unblocks signals inside its own `epoll_pwait` using the inherited
/// mask, would then never see SIGTERM. Spawning with an explicit empty mask avoids that.
public final class ChildProcess: @unchecked Sendable {
    // @unchecked Sendable: `exited`, `pending` and the pipe ends change only in calls made by the child's one owner.

    /// Process id.
    public let pid: Int32
    private var exited = false
    /// Our end of the child's stdin when started with ``piped(_:_:)``, else -1.
    private var stdinWriter: Int32 = -1
    /// Our end of the child's stdout when started with ``piped(_:_:)``, else -1.
    private var stdoutReader: Int32 = -1
    private var pending: [UInt8] = []

    /// Starts `executable` with `arguments`; stdin is /dev/null, stdout goes to `stdout` (a file
    /// descriptor, or /dev/null when `nil`), stderr to /dev/null.
    public convenience init(_ executable: String, _ arguments: [String], stdout: Int32? = nil) throws {
        try self.init(executable, arguments, stdin: nil, stdout: stdout)
    }

    /// Starts `executable` with `arguments` and pipes to its stdin and from its stdout, for helpers that report
    /// progress line by line (``nextLine()``) and wait for their stdin to close (``finish()``).
    public static func piped(_ executable: String, _ arguments: [String]) throws -> ChildProcess {
        var input: [Int32] = [-1, -1]
        var output: [Int32] = [-1, -1]
        guard pipe(&input) == 0 else { throw ChildProcessError(message: "pipe: \(errno)") }
        guard pipe(&output) == 0 else {
            close(input[0])
            close(input[1])
            throw ChildProcessError(message: "pipe: \(errno)")
        }
        // Our ends must not leak into this or any other child, or its stdin never reaches EOF.
        _ = fcntl(input[1], F_SETFD, FD_CLOEXEC)
        _ = fcntl(output[0], F_SETFD, FD_CLOEXEC)
        defer {
            close(input[0])
            close(output[1])
        }
        let child: ChildProcess
        do {
            child = try ChildProcess(executable, arguments, stdin: input[0], stdout: output[1])
        } catch {
            close(input[1])
            close(output[0])
            throw error
        }
        child.stdinWriter = input[1]
        child.stdoutReader = output[0]
        return child
    }

    /// Starts `executable` with `arguments`, stdio as ``init(_:_:stdout:)``, and each of our `descriptors` values
    /// open in the child as its key (e.g. `[3: readEnd, 4: writeEnd]` for Chromium's `--remote-debugging-pipe`).
    public convenience init(_ executable: String, _ arguments: [String], descriptors: [Int32: Int32]) throws {
        try self.init(executable, arguments, stdin: nil, stdout: nil, descriptors: descriptors)
    }

    private init(
        _ executable: String, _ arguments: [String], stdin: Int32?, stdout: Int32?, descriptors: [Int32: Int32] = [:]
    ) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for (child, ours) in descriptors.sorted(by: { $0.key < $1.key }) {
            posix_spawn_file_actions_adddup2(&actions, ours, child)
        }
        if let stdin {
            posix_spawn_file_actions_adddup2(&actions, stdin, 0)
        } else {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        }
        if let stdout {
            posix_spawn_file_actions_adddup2(&actions, stdout, 1)
        } else {
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        }
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        var all = sigset_t()
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid = pid_t()
        let result = posix_spawn(&pid, executable, &actions, &attributes, argv, environ)
        guard result == 0 else {
            throw ChildProcessError(message: "posix_spawn \(executable): \(String(cString: strerror(result)))")
        }
        self.pid = pid
    }

    deinit {
        closeStdin()
        if stdoutReader >= 0 { close(stdoutReader) }
        if !exited {
            kill(pid, SIGKILL)
            _ = wait()
        }
    }

    /// The path of `name`, an executable the build puts next to the running test binary (a declared dependency).
    public static func sibling(_ name: String) throws -> String {
        guard let resolved = realpath("/proc/self/exe", nil) else {
            throw ChildProcessError(message: "cannot resolve /proc/self/exe: \(errno)")
        }
        defer { free(resolved) }
        let binary = String(cString: resolved)
        let path = String(binary[..<(binary.lastIndex(of: "/") ?? binary.startIndex)]) + "/" + name
        guard access(path, X_OK) == 0 else {
            throw ChildProcessError(message: "\(path) is missing; declare \(name) as a dependency of the test target")
        }
        return path
    }

    /// Whether the process still runs (reaps it if it exited).
    public var isRunning: Bool {
        guard !exited else { return false }
        var status: CInt = 0
        if waitpid(pid, &status, WNOHANG) == pid {
            exited = true
            return false
        }
        return true
    }

    /// Sends `signal`.
    public func signal(_ signal: Int32) { kill(pid, signal) }

    /// Waits at most `timeout` for the process to exit: its raw wait status, or `nil` if it still runs.
    public func wait(timeout: Duration) -> Int32? {
        guard !exited else { return 0 }
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        var status: CInt = 0
        while clock.now < deadline {
            let reaped = waitpid(pid, &status, WNOHANG)
            if reaped == pid || (reaped == -1 && errno != EINTR) {
                exited = true
                return status
            }
            usleep(2000)
        }
        return nil
    }

    /// Waits for the process to exit and returns its raw wait status.
    @discardableResult
    public func wait() -> Int32 {
        guard !exited else { return 0 }
        var status: CInt = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        exited = true
        return status
    }

    /// The signal that ended a process with raw wait status `status`, or `nil` if it exited normally.
    public static func terminatingSignal(_ status: Int32) -> Int32? {
        let signal = status & 0x7f
        return signal != 0 && signal != 0x7f ? signal : nil
    }

    /// The next line the child wrote to stdout (started with pipes), or `nil` at EOF. Blocks until a line arrives.
    public func nextLine() -> String? {
        precondition(stdoutReader >= 0, "start the child with pipes to read its output")
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            if let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: pending[..<newline], as: UTF8.self)
                pending.removeSubrange(...newline)
                return line
            }
            let count = chunk.withUnsafeMutableBytes { read(stdoutReader, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { return nil }
            pending.append(contentsOf: chunk[..<count])
        }
    }

    /// Closes the child's stdin (started with pipes), which helpers take as the signal to finish.
    public func closeStdin() {
        if stdinWriter >= 0 {
            close(stdinWriter)
            stdinWriter = -1
        }
    }

    /// Closes the child's stdin and waits for it to exit; its raw wait status.
    @discardableResult
    public func finish() -> Int32 {
        closeStdin()
        return wait()
    }
}

/// A child process could not be started.
public struct ChildProcessError: Error, CustomStringConvertible {
    /// What failed.
    public let message: String
    public var description: String { message }

    /// An error with `message`.
    public init(message: String) { self.message = message }
}
