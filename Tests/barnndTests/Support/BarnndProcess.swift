import Foundation

/// Runs the built `barnnd` binary as an operator would and captures what it prints.
enum BarnndProcess {
    struct Result {
        var status: Int32
        var standardOutput: String
        var standardError: String
    }

    /// The `barnnd` executable next to this test bundle (SwiftPM builds it because the test target depends on it).
    static let binary = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        .appendingPathComponent("barnnd")

    /// The repository root.
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// Runs `barnnd arguments…` with `BARNND_NOW` fixed (2026-05-01T12:00:00Z unless given) and no other
    /// `BARNND_*` variables from the test's environment.
    static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> Result {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("BARNND_") }
            .merging(["BARNND_NOW": "2026-05-01T12:00:00Z", "BARNND_CONFIG": "/nonexistent/barnnd.toml"]) { $1 }
            .merging(environment) { $1 }
        // Output goes to files, not pipes: a blocking pipe read in the test process can be interrupted by a
        // signal (EINTR), which Foundation's FileHandle turns into a trap.
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "barnnd-run-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let outURL = directory.appendingPathComponent("stdout")
        let errURL = directory.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let output = try FileHandle(forWritingTo: outURL)
        let error = try FileHandle(forWritingTo: errURL)
        defer {
            try? output.close()
            try? error.close()
        }
        process.standardOutput = output
        process.standardError = error
        try process.run()
        process.waitUntilExit()
        let outData = try Data(contentsOf: outURL)
        let errData = try Data(contentsOf: errURL)
        return Result(
            status: process.terminationStatus, standardOutput: String(decoding: outData, as: UTF8.self),
            standardError: String(decoding: errData, as: UTF8.self))
    }
}
