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
        let output = Pipe()
        let error = Pipe()
        process.standardOutput = output
        process.standardError = error
        try process.run()
        let outData = output.fileHandleForReading.readDataToEndOfFile()
        let errData = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus, standardOutput: String(decoding: outData, as: UTF8.self),
            standardError: String(decoding: errData, as: UTF8.self))
    }
}
