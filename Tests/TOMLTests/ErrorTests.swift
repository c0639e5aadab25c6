import TOML
import Testing

@Suite struct ErrorTests {
    func failure(_ text: String) -> TOMLSyntaxError? {
        failure(Array(text.utf8))
    }

    func failure(_ bytes: [UInt8]) -> TOMLSyntaxError? {
        do {
            _ = try TOMLParser.parse(bytes)
            return nil
        } catch {
            return error
        }
    }

    @Test func missingEqualsSign() throws {
        let error = try #require(failure("a = 1\nb = 2\nkey   7\n"))
        #expect(error.line == 3 && error.column == 7)
        #expect(error.message.hasPrefix("expected '=' after a key"))
        #expect(error.description.hasPrefix("line 3, column 7: expected '=' after a key"))
    }

    @Test(
        arguments: [
            ("a = 1\na = 2\n", 2, 1, "defined more than once"),
            ("[t]\n[t]\n", 2, 1, "defined more than once"),
            ("a.b.c = 1\n[a.b]\n", 2, 1, "dotted keys"),
            ("a.b = 1\n[a.b]\n", 2, 1, "already defined as an integer"),
            ("[a]\nb = 1\n[a.b.c]\n", 3, 4, "integer"),
            ("a = [1]\n[[a]]\n", 2, 1, "static array"),
            ("a = {b = 1}\na.c = 2\n", 2, 1, "inline table"),
            ("[a.b.c]\n[a]\nb.d = 1\nb = 2\n", 4, 1, "defined more than once"),
            ("[a.b]\n[a]\nb.c = 1\n", 3, 1, "defined by a header"),
            ("x = 99999999999999999999\n", 1, 5, "64 bits"),
            ("x = 1979-02-29\n", 1, 5, "no day 29"),
            ("x = \"\\uD800\"\n", 1, 6, "surrogate"),
            ("x = 1\ry = 2\n", 1, 6, "carriage return"),
            ("# bell \u{07}\n", 1, 8, "control character U+0007"),
            ("x = { a = 1,\n b = 2 }\n", 1, 13, "single line"),
            ("x = { a = 1, }\n", 1, 14, "trailing comma"),
        ] as [(String, Int, Int, String)])
    func handCases(text: String, line: Int, column: Int, fragment: String) throws {
        let error = try #require(failure(text))
        #expect(error.line == line && error.column == column, "\(error)")
        #expect(error.message.contains(fragment), "\(error)")
    }

    @Test func invalidUTF8IsRefused() throws {
        let error = try #require(failure([0x61, 0x20, 0x3D, 0x20, 0x22, 0xC3, 0x28, 0x22, 0x0A]))
        #expect(error.line == 1 && error.column == 6)
        #expect(failure([0x23, 0xED, 0xA0, 0x80, 0x0A]) != nil)  // encoded surrogate in a comment
        #expect(failure([0x61, 0x3D, 0x22, 0xF0, 0x9F, 0x22]) != nil)  // truncated sequence
        #expect(failure([0x61, 0x3D, 0x31, 0x00]) != nil)
    }

    @Test func depthIsCapped() throws {
        let deepArray = "a = " + String(repeating: "[", count: 200) + String(repeating: "]", count: 200) + "\n"
        let arrayError = try #require(failure(deepArray))
        #expect(arrayError.message.contains("nested more than 128"))
        let deepInline = "a = " + String(repeating: "{b=", count: 200) + "1" + String(repeating: "}", count: 200)
        #expect(try #require(failure(deepInline)).message.contains("nested more than 128"))
        let deepKey = Array(repeating: "k", count: 200).joined(separator: ".") + " = 1\n"
        #expect(failure(deepKey) != nil)
        let deepHeader = "[" + Array(repeating: "k", count: 200).joined(separator: ".") + "]\n"
        #expect(failure(deepHeader) != nil)
        // Dotted keys under a deep table add up instead of each staying below the cap.
        let split =
            "[" + Array(repeating: "k", count: 100).joined(separator: ".") + "]\n"
            + Array(repeating: "k", count: 100).joined(separator: ".") + " = 1\n"
        #expect(try #require(failure(split)).message.contains("128"))
        let mixed = "a = " + String(repeating: "[{b=", count: 64) + "1" + String(repeating: "}]", count: 64) + "\n"
        #expect(failure(mixed) == nil)
        let tooMixed = "a = " + String(repeating: "[{b=", count: 65) + "1" + String(repeating: "}]", count: 65) + "\n"
        #expect(failure(tooMixed) != nil)
        let shallow = "a = " + String(repeating: "[", count: 100) + String(repeating: "]", count: 100) + "\n"
        #expect(failure(shallow) == nil)
        #expect(throws: TOMLSyntaxError.self) { try TOMLParser.parse(shallow, maximumDepth: 10) }
    }

    @Test(arguments: [
        Array("a = 1\r\n[,x]\r\n".utf8),
        [0xEF, 0xBB, 0xBF] + Array("[,x]\n".utf8),
        Array("a = \"'''\"\n[,x]\n".utf8),
        Array("# \"\"\"\n[,x]\n".utf8),
        Array("a = [1,".utf8) + [0xE2, 0x80, 0xA8] + Array("}2]\n".utf8),
        Array("a = [1,".utf8) + [0xC2, 0x85] + Array("}2]\n".utf8),
        Array("a = 1979-05-27T:\n".utf8),
        Array("a = }\n".utf8),
    ])
    func barnndReproducersAreRefused(bytes: [UInt8]) throws {
        let error = try #require(failure(bytes))
        #expect(error.line >= 1 && error.column >= 1)
    }

    @Test func extremeIntegersAndFloats() throws {
        let root = try TOMLParser.parse(
            """
            min = -9223372036854775808
            max = 9223372036854775807
            hex = 0x7FFF_FFFF_FFFF_FFFF
            neg = -inf
            big = 1e999
            """
        )
        #expect(root["min"] == .integer(.min))
        #expect(root["max"] == .integer(.max))
        #expect(root["hex"] == .integer(.max))
        #expect(root["neg"] == .float(-.infinity))
        #expect(root["big"]?.floatValue?.isInfinite == true)
        #expect(failure("x = 0x8000000000000000\n") != nil)
        #expect(failure("x = -9223372036854775809\n") != nil)
        #expect(failure("x = 1__0\n") != nil)
        #expect(failure("x = 01\n") != nil)
        #expect(failure("x = 1.\n") != nil)
        #expect(failure("x = +0x1\n") != nil)
    }

    @Test func dateTimeDescriptions() throws {
        let root = try TOMLParser.parse(
            """
            a = 1979-05-27t07:32:00.5z
            b = 1979-05-27 07:32:00.123456789123-07:30
            c = 2000-02-29
            d = 23:59:60
            """
        )
        #expect(root["a"].map { "\($0)" } != nil)
        guard case .offsetDateTime(let a) = root["a"], case .offsetDateTime(let b) = root["b"],
            case .localDate(let c) = root["c"], case .localTime(let d) = root["d"]
        else {
            Issue.record("wrong date-time kinds: \(root)")
            return
        }
        #expect(a.description == "1979-05-27T07:32:00.5Z")
        #expect(b.description == "1979-05-27T07:32:00.123456789-07:30")
        #expect(b.offsetMinutes == -450 && b.time.nanosecond == 123_456_789)
        #expect(c.description == "2000-02-29")
        #expect(d.description == "23:59:60")
        #expect(failure("x = 1900-02-29\n") != nil)
        #expect(failure("x = 07:32\n") != nil)
    }

    @Test func comparatorDetectsMismatches() {
        // Guards the corpus test against a comparator that accepts everything.
        #expect(JSONComparator.mismatch(.integer(1), ["type": "integer", "value": "2"], path: "") != nil)
        #expect(JSONComparator.mismatch(.string("e\u{301}"), ["type": "string", "value": "\u{E9}"], path: "") != nil)
        #expect(JSONComparator.mismatch(.float(.nan), ["type": "float", "value": "nan"], path: "") == nil)
        #expect(
            JSONComparator.mismatch(.table(TOMLTable()), ["a": ["type": "bool", "value": "true"]], path: "") != nil)
    }
}
