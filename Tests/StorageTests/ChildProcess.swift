import Foundation

/// `storage-crash-writer` run as a child process, with its stdout read line by line.
final class ChildProcess {
    let process = Process()
    private let output = Pipe()
    private let input = Pipe()
    private var pending = Data()

    /// The helper executable, built next to the test binary (`.build/<triple>/debug`).
    static var executable: URL {
        let binary = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        let directory =
            FileManager.default.fileExists(atPath: binary.path)
            ? binary.deletingLastPathComponent()
            : URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        return directory.appendingPathComponent("storage-crash-writer")
    }

    init(_ arguments: [String]) throws {
        process.executableURL = Self.executable
        process.arguments = arguments
        process.standardOutput = output
        process.standardInput = input
        try process.run()
    }

    /// The next line of stdout, or `nil` at EOF (the child exited). Blocks until a line arrives.
    func nextLine() -> String? {
        while true {
            if let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: pending[pending.startIndex..<newline], as: UTF8.self)
                pending = Data(pending[pending.index(after: newline)...])
                return line
            }
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { return nil }
            pending.append(chunk)
        }
    }

    /// Closes the child's stdin (the lock holder releases its lock then) and waits for it to exit.
    func finish() {
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
    }

    /// Kills the child with SIGKILL, as a crash or `kill -9` would, and reaps it.
    func killHard() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}
