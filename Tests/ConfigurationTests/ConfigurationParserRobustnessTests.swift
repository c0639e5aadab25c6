import Configuration
import Foundation
import Testing

/// Inputs that aborted barnnd inside toml++ (through TOMLKit) are now ordinary syntax errors with a line.
@Suite struct ConfigurationParserRobustnessTests {
    /// The reproducers from issue #11, each with the line its syntax error must point at.
    static let reproducers: [(bytes: [UInt8], line: Int)] = [
        (Array("a = 1\r\n[,x]\r\n".utf8), 2),
        ([0xEF, 0xBB, 0xBF] + Array("[,x]\n".utf8), 1),
        (Array("a = \"'''\"\n[,x]\n".utf8), 2),
        (Array("# \"\"\"\n[,x]\n".utf8), 2),
        (Array("a = [1,".utf8) + [0xE2, 0x80, 0xA8] + Array("}2]\n".utf8), 1),
        (Array("a = [1,".utf8) + [0xC2, 0x85] + Array("}2]\n".utf8), 1),
        (Array("a = 1979-05-27T:\n".utf8), 1),
        (Array("a = }\n".utf8), 1),
    ]

    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("TOMLTests/Corpus")

    /// The corpus cases named by the TOML 1.0 list whose path starts with `prefix`.
    static func corpusCases(_ prefix: String) throws -> [String] {
        let list = try String(contentsOf: corpus.appendingPathComponent("files-toml-1.0.0"), encoding: .utf8)
        return list.split(whereSeparator: \.isNewline).map(String.init).filter {
            $0.hasPrefix(prefix) && $0.hasSuffix(".toml")
        }
    }

    static func corpusBytes(_ path: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: corpus.appendingPathComponent(path)))
    }

    func syntaxProblem(_ bytes: [UInt8]) -> ConfigurationError.Problem? {
        do {
            _ = try DaemonConfiguration(tomlBytes: bytes)
            return nil
        } catch {
            return error.problems.first
        }
    }

    @Test(arguments: reproducers.indices)
    func reproducerIsASyntaxErrorWithItsLine(index: Int) throws {
        let (bytes, line) = Self.reproducers[index]
        let problem = try #require(syntaxProblem(bytes), "reproducer \(index) was accepted")
        #expect(problem.code == .syntax, "\(problem)")
        #expect(problem.line == line, "\(problem)")
        #expect(problem.message.hasPrefix("column "), "\(problem)")
    }

    @Test func reproducerFromAFileIsASyntaxError() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("barnnd-\(UUID().uuidString).toml")
        try Data(Self.reproducers[0].bytes).write(to: path)
        defer { try? FileManager.default.removeItem(at: path) }
        let error = #expect(throws: ConfigurationError.self) { try DaemonConfiguration.load(contentsOf: path.path) }
        #expect(error?.problems.map(\.code) == [.syntax])
        #expect(error?.problems.first?.line == 2)
    }

    @Test func invalidUTF8IsASyntaxErrorWithItsLine() throws {
        let problem = try #require(syntaxProblem(Array("[mqtt]\nhost = \"".utf8) + [0xC3, 0x28] + Array("\"\n".utf8)))
        #expect(problem.code == .syntax && problem.line == 2, "\(problem)")
    }

    @Test func everyInvalidCorpusDocumentIsRefusedAsASyntaxError() throws {
        let cases = try Self.corpusCases("invalid/")
        #expect(cases.count == 499)
        for path in cases {
            let problem = syntaxProblem(try Self.corpusBytes(path))
            #expect(problem?.code == .syntax, "\(path): \(problem.map(String.init(describing:)) ?? "accepted")")
            #expect((problem?.line ?? 0) >= 1, "\(path)")
        }
    }

    @Test func validCorpusDocumentsAreNeverSyntaxErrors() throws {
        let cases = try Self.corpusCases("valid/")
        #expect(cases.count == 210)
        for path in cases {
            // Their keys are not barnnd's, so most are refused, but only for what they mean.
            let problem = syntaxProblem(try Self.corpusBytes(path))
            #expect(problem?.code != .syntax, "\(path): \(problem.map(String.init(describing:)) ?? "")")
        }
    }

    @Test func extremeIntegersAreRangeProblemsWithTheirLines() {
        let found: [ConfigurationError.Problem]
        do {
            _ = try DaemonConfiguration(
                toml: "[mqtt]\nport = 9223372036854775807\n[models.default]\nseed = -9223372036854775808\n")
            found = []
        } catch {
            found = error.problems
        }
        let port = found.first { $0.keyPath == "mqtt.port" }
        #expect(port?.code == .outOfRange && port?.line == 2, "\(found)")
        let seed = found.first { $0.keyPath == "models.default.seed" }
        #expect(seed?.code == .outOfRange && seed?.line == 4, "\(found)")
    }
}
