import TOML
import Testing

@Suite struct PositionTests {
    let document = """
        title = "x"
        [server]
        host = "h"
          port.number = 8080
        [[job]]
        name = "a"
        [[job]]
          name = "b"
          limits = { cpu = 2, mem.max = 3 }
        """

    @Test func keysUnderHeadersAndDottedKeys() throws {
        let root = try TOMLParser.parse(document)
        #expect(root.keys == ["title", "server", "job"])
        #expect(root.position(of: "title") == TOMLPosition(line: 1, column: 1))
        #expect(root.position(of: "server") == TOMLPosition(line: 2, column: 1))
        let server = try #require(root["server"]?.tableValue)
        #expect(server.position == TOMLPosition(line: 2, column: 1))
        #expect(server.position(of: "host") == TOMLPosition(line: 3, column: 1))
        #expect(server.position(of: "port") == TOMLPosition(line: 4, column: 3))
        let port = try #require(server["port"]?.tableValue)
        #expect(port.position(of: "number") == TOMLPosition(line: 4, column: 8))
        #expect(root[path: ["server", "port", "number"]] == .integer(8080))
    }

    @Test func arrayOfTablesElementsKnowTheirHeaders() throws {
        let root = try TOMLParser.parse(document)
        #expect(root.position(of: "job") == TOMLPosition(line: 5, column: 1))
        let jobs = try #require(root["job"]?.arrayValue)
        #expect(jobs.count == 2)
        let first = try #require(jobs[0].tableValue)
        let second = try #require(jobs[1].tableValue)
        #expect(first.position == TOMLPosition(line: 5, column: 1))
        #expect(second.position == TOMLPosition(line: 7, column: 1))
        #expect(second.position(of: "name") == TOMLPosition(line: 8, column: 3))
    }

    @Test func inlineTableKeys() throws {
        let root = try TOMLParser.parse(document)
        let limits = try #require(root[path: ["job"]]?.arrayValue?[1].tableValue?["limits"]?.tableValue)
        #expect(limits.position == TOMLPosition(line: 9, column: 12))
        #expect(limits.position(of: "cpu") == TOMLPosition(line: 9, column: 14))
        #expect(limits.position(of: "mem") == TOMLPosition(line: 9, column: 23))
        #expect(limits[path: ["mem", "max"]] == .integer(3))
    }

    @Test func implicitTableTakesTheExplicitHeaderPosition() throws {
        let root = try TOMLParser.parse("[a.b]\nx = 1\n\n[a]\ny = 2\n")
        #expect(root.position(of: "a") == TOMLPosition(line: 4, column: 1))
        #expect(root["a"]?.tableValue?.position(of: "b") == TOMLPosition(line: 1, column: 1))
    }

    @Test func columnsCountScalarsAndSkipTheBOM() throws {
        let root = try TOMLParser.parse([0xEF, 0xBB, 0xBF] + Array("\"é\" = 1\nk = \"日本\" # ü\nz = 2\n".utf8))
        #expect(root.position(of: "é") == TOMLPosition(line: 1, column: 1))
        #expect(root.position(of: "z") == TOMLPosition(line: 3, column: 1))
        do {
            _ = try TOMLParser.parse("k = \"日本\" x\n")
            Issue.record("trailing garbage was accepted")
        } catch {
            #expect(error.line == 1 && error.column == 10)
        }
    }

    @Test func keysAreNotUnicodeNormalised() throws {
        // "é" precomposed and decomposed are different TOML keys even though Swift strings compare equal.
        let root = try TOMLParser.parse("\"\u{E9}\" = 1\n\"e\u{301}\" = 2\n")
        #expect(root.count == 2)
        #expect(root["\u{E9}"] == .integer(1))
        #expect(root["e\u{301}"] == .integer(2))
    }

    @Test func columnsStayRightPastManyMultibyteCharacters() throws {
        let prefix = "k = \"" + String(repeating: "é日", count: 100) + "\", "
        let root = try TOMLParser.parse("t = { " + prefix + "z = 1 }\n")
        let table = try #require(root["t"]?.tableValue)
        #expect(table.position(of: "z") == TOMLPosition(line: 1, column: 7 + prefix.unicodeScalars.count))
    }

    @Test func longSingleLineInlineTableIsLinear() throws {
        // Positions used to be counted from the line start, which made this quadratic.
        let pairs = (0..<20_000).map { "k\($0) = \($0)" }.joined(separator: ", ")
        let clock = ContinuousClock()
        let elapsed = try clock.measure {
            let root = try TOMLParser.parse("t = { " + pairs + " }\n")
            #expect(root["t"]?.tableValue?.count == 20_000)
        }
        #expect(elapsed < .seconds(10))
    }
}
