import Configuration
import Foundation
import Sampling
import Testing

/// Mutated configuration files never crash the loader: each loads or fails with at least one located problem.
@Suite struct ConfigurationRobustnessTests {
    @Test func mutatedBundledFilesLoadOrListProblems() throws {
        let source = Array(try String(contentsOfFile: ConfigurationTOMLTests.bundledPath, encoding: .utf8).utf8)
        let alphabet = Array(#"[]{}=".,#\'5h_-+ \n"#.utf8)
        var generator = SplitMix64(seed: 7)
        var refused = 0
        for _ in 0..<400 {
            var bytes = source
            for _ in 0..<Int.random(in: 1...3, using: &generator) {
                let index = Int.random(in: 0..<bytes.count, using: &generator)
                switch Int.random(in: 0..<3, using: &generator) {
                case 0: bytes[index] = alphabet.randomElement(using: &generator)!
                case 1: bytes.remove(at: index)
                default: bytes.insert(alphabet.randomElement(using: &generator)!, at: index)
                }
            }
            do {
                _ = try DaemonConfiguration(tomlBytes: bytes)
            } catch {
                refused += 1
                #expect(!error.problems.isEmpty)
                let lineCount = bytes.count { $0 == UInt8(ascii: "\n") } + 1
                for problem in error.problems {
                    #expect(problem.line.map { (1...lineCount).contains($0) } ?? true, "\(problem)")
                }
            }
        }
        // Most mutations land in comments; about a fifth break the file (84 of 400 with the file of issue #15), enough
        // to exercise the error paths. 400 files keep that share well clear of the bound as comments grow.
        #expect(refused > 60)
    }
}

/// Headers that aborted the process inside toml++ (the former parser): now syntax errors on their own line.
@Suite struct MalformedTableHeaderTests {
    @Test(arguments: ["[,models.default]", "[[ .rules]]", "[=]", "  [#x]", "[\u{7F}a]", "[", "[[  "])
    func malformedTableHeadersAreSyntaxErrorsNotCrashes(header: String) throws {
        let source = "[mqtt]\nhost = \"localhost\"\n\n\(header)\nseed = 1\n"
        let error = #expect(throws: ConfigurationError.self) { try DaemonConfiguration(toml: source) }
        #expect(error?.problems.first?.line == 4)
        #expect(error?.problems.first?.code == .syntax)
    }

    @Test func bracketsInsideMultilineStringsAreNotHeaders() throws {
        let source = "[mqtt]\nhost = \"\"\"\n[,not a header]\n\"\"\"\n"
        let configuration = try DaemonConfiguration(toml: source)
        #expect(configuration.mqtt.host == "[,not a header]\n")
    }
}

/// A `}` where an array element belongs aborted toml++; it is a syntax error on the line of the brace.
@Suite struct MisplacedBraceTests {
    @Test func braceWhereAnArrayElementBelongsIsASyntaxError() throws {
        let source = "[models.default]\nquantiles = [0.05,\n  }0.5, 0.95]\n"
        let error = #expect(throws: ConfigurationError.self) { try DaemonConfiguration(toml: source) }
        #expect(error?.problems.first?.line == 3)
        #expect(error?.problems.first?.code == .syntax)
    }

    @Test func bracesInsideStringsAndCommentsAreFine() throws {
        let source = """
            # a comment with [, } in it
            [mqtt]
            client_id = "a, }b"
            status_topic = 'x/[}'
            """
        let configuration = try DaemonConfiguration(toml: source)
        #expect(configuration.mqtt.clientID == "a, }b")
    }
}
