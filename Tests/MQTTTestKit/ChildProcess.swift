import Glibc

/// A child process started with `posix_spawn`, a clean signal mask and default signal dispositions.
///
/// `Foundation.Process` passes on the spawning thread's blocked-signal mask; test runner threads block
/// SIGTERM, and mosquitto, which only unblocks signals inside its own `epoll_pwait` using the inherited
/// mask, would then never see SIGTERM. Spawning with an explicit empty mask avoids that.
public final class ChildProcess: @unchecked Sendable {
    // @unchecked Sendable: `exited` is written only by wait(), which callers do not race (one owner per child).

    /// Process id.
    public let pid: Int32
    private var exited = false

    /// Starts `executable` with `arguments`; stdin is /dev/null, stdout goes to `stdout` (a file
    /// descriptor, or /dev/null when `nil`), stderr to /dev/null.
    public init(_ executable: String, _ arguments: [String], stdout: Int32? = nil) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
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
            throw BrokerError(message: "posix_spawn \(executable): \(String(cString: strerror(result)))")
        }
        self.pid = pid
    }

    deinit {
        if !exited {
            kill(pid, SIGKILL)
            _ = wait()
        }
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
}
