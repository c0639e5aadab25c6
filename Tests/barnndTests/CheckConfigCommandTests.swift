import Foundation
import Testing

/// Runs the built `barnnd` binary, as a user would.
@Suite struct CheckConfigCommandTests {
    struct Run {
        var status: Int32
        var standardOutput: String
        var standardError: String
    }

    /// The `barnnd` executable next to this test bundle (SwiftPM builds it because the test target depends on it).
    static let binary = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        .appendingPathComponent("barnnd")

    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    func run(_ arguments: [String], environment: [String: String] = [:]) throws -> Run {
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("BARNND_") }
            .merging(environment) { $1 }
        let output = Pipe()
        let error = Pipe()
        process.standardOutput = output
        process.standardError = error
        try process.run()
        let outData = output.fileHandleForReading.readDataToEndOfFile()
        let errData = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(
            status: process.terminationStatus, standardOutput: String(decoding: outData, as: UTF8.self),
            standardError: String(decoding: errData, as: UTF8.self))
    }

    func temporaryFile(_ contents: String) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("barnnd-\(UUID().uuidString).toml")
        try contents.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    @Test func bundledConfigurationIsOK() throws {
        let result = try run(["check-config", Self.repository.appendingPathComponent("config/barnnd.toml").path])
        #expect(result.status == 0)
        #expect(result.standardOutput == "ok: 2 rules, 1 model group\n")
        #expect(result.standardError.isEmpty)
    }

    @Test func everyProblemIsPrintedWithFileLineAndKey() throws {
        let path = try temporaryFile(
            """
            [mqtt]
            port = 70000
            protcol = "5"
            [[rules]]
            name = "a"
            topic = "x/+"
            stream = "{2}"
            """)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let result = try run(["check-config", path])
        #expect(result.status == 64)
        #expect(result.standardOutput.isEmpty)
        #expect(
            result.standardError.split(separator: "\n") == [
                "\(path):2: mqtt.port: 70000 is not in 1...65535",
                "\(path):3: mqtt.protcol: unknown key (did you mean 'protocol'?)",
                "\(path):7: rules[0].stream: placeholder {2} refers to wildcard 2 but the topic filter has 1",
            ])
    }

    @Test func configOptionAndEnvironmentChooseTheFile() throws {
        let path = try temporaryFile("[[rules]]\nname = \"r\"\ntopic = \"a/#\"\nstream = \"{1}\"\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try run(["check-config", "--config", path]).standardOutput == "ok: 1 rule, 1 model group\n")
        #expect(try run(["check-config"], environment: ["BARNND_CONFIG": path]).status == 0)
    }

    /// Two of issue #11's reproducers, which aborted the process (status 134) inside toml++.
    @Test(
        arguments: [
            (Array("a = 1\r\n[,x]\r\n".utf8), 2),
            ([0xEF, 0xBB, 0xBF] + Array("[,x]\n".utf8), 1),
        ] as [([UInt8], Int)])
    func malformedFileIsAUsageErrorNotAnAbort(bytes: [UInt8], line: Int) throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("barnnd-\(UUID().uuidString).toml")
        try Data(bytes).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let result = try run(["check-config", url.path])
        #expect(result.status == 64, "\(result.standardError)")
        #expect(result.standardError.hasPrefix("\(url.path):\(line): column "), "\(result.standardError)")
    }

    @Test func missingFileFailsWithTheReason() throws {
        let result = try run(["check-config", "/nonexistent/barnnd.toml"])
        #expect(result.status == 64)
        #expect(result.standardError == "/nonexistent/barnnd.toml: cannot read the file: No such file or directory\n")
    }

    @Test func badLogLevelIsAUsageError() throws {
        let result = try run(["check-config", "--log-level", "loud"])
        #expect(result.status == 64)
        #expect(result.standardError.contains("unknown log level 'loud'"))
    }
}
