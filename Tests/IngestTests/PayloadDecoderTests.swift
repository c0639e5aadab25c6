import Configuration
import Ingest
import Testing

@Suite struct PayloadDecoderTests {
    static let arrival = 1_767_225_600.0  // 2026-01-01T00:00:00Z

    func decoder(
        _ format: DaemonConfiguration.PayloadFormat, value: String? = nil, time: String? = nil,
        unit: DaemonConfiguration.TimeUnit = .s
    ) throws -> PayloadDecoder {
        var settings = DaemonConfiguration.PayloadSettings()
        settings.format = format
        settings.valuePath = value
        settings.timePath = time
        settings.timeUnit = unit
        return try PayloadDecoder(settings)
    }

    func decode(_ decoder: PayloadDecoder, _ text: String) -> PayloadDecoder.Output {
        decoder.decode(Array(text.utf8), arrivalTime: Self.arrival)
    }

    @Test(arguments: [
        ("21.5", 21.5), (" -3e2\n", -300), ("+7", 7), (".5", 0.5), ("5.", 5), ("0", 0), ("\t1E-3\r\n", 0.001),
    ])
    func numberAcceptsDecimalText(text: String, expected: Double) throws {
        let output = decode(try decoder(.number), text)
        #expect(output.readings == [Reading(value: expected)])
        #expect(output.rejections.isEmpty)
    }

    @Test(arguments: [
        ("abc", RejectReason.nonNumeric), ("", .nonNumeric), ("  ", .nonNumeric), ("0x1p3", .nonNumeric),
        ("1,5", .nonNumeric), ("21.5 C", .nonNumeric), ("1e", .nonNumeric), ("--1", .nonNumeric),
        ("NaN", .nonFinite), ("nan", .nonFinite), ("inf", .nonFinite), ("-Infinity", .nonFinite),
        ("1e999", .nonFinite), ("{\"v\":1}", .nonNumeric),
    ])
    func numberRejectsEverythingElse(text: String, reason: RejectReason) throws {
        let output = decode(try decoder(.number), text)
        #expect(output.readings.isEmpty)
        #expect(output.rejections.map(\.reason) == [reason])
    }

    @Test func numberRejectsInvalidUTF8() throws {
        let output = try decoder(.number).decode([0x32, 0xFF, 0x31], arrivalTime: Self.arrival)
        #expect(output.rejections.map(\.reason) == [.nonNumeric])
    }

    @Test func jsonValuePathWalksObjectsAndArrays() throws {
        let json = try decoder(.json, value: "a.b[1].c")
        #expect(decode(json, #"{"a":{"b":[{"c":1},{"c":-2.5}]}}"#).readings == [Reading(value: -2.5)])
        let rooted = try decoder(.json, value: "[0].v")
        #expect(decode(rooted, #"[{"v":3}]"#).readings == [Reading(value: 3)])
    }

    @Test func jsonBooleansReadAsOneAndZero() throws {
        let json = try decoder(.json, value: "on")
        #expect(decode(json, #"{"on":true}"#).readings == [Reading(value: 1)])
        #expect(decode(json, #"{"on":false}"#).readings == [Reading(value: 0)])
    }

    @Test(arguments: [
        (#"{"temp":"21.5"}"#, RejectReason.nonNumeric), (#"{"temp":null}"#, .nonNumeric),
        (#"{"temp":{"v":1}}"#, .nonNumeric), (#"{"temp":[1]}"#, .nonNumeric), (#"{"other":1}"#, .missingPath),
        (#"[1,2]"#, .missingPath), (#"{"temp":1"#, .invalidJSON), ("21.5 degrees", .invalidJSON),
        (#"{"temp":NaN}"#, .invalidJSON), ("", .invalidJSON),
    ])
    func jsonRejectsBadValues(text: String, reason: RejectReason) throws {
        let output = decode(try decoder(.json, value: "temp"), text)
        #expect(output.readings.isEmpty)
        #expect(output.rejections.map(\.reason) == [reason])
    }

    @Test func jsonHugeNumberIsNonFinite() throws {
        let output = decode(try decoder(.json, value: "v"), #"{"v":1e999}"#)
        #expect(output.readings.isEmpty)
        #expect(output.rejections.map(\.reason) == [.nonFinite])
    }

    @Test(arguments: [
        (#" { "v" : -0.5e+1 } "#, "v", -5.0), (#"{"a\"b":1}"#, #"a"b"#, 1), (#"{"k\u00e9y":2}"#, "kéy", 2),
        (#"{"\ud83d\ude00":3}"#, "😀", 3), (#"{"v":1,"v":4}"#, "v", 4), (#"{"x":[true,null,"s\n\t\/"],"v":0}"#, "v", 0),
        ("{\"v\":\r\n\t7}", "v", 7), (#"{"v":123456789012345678901234567890}"#, "v", 1.2345678901234568e29),
    ])
    func jsonParserAcceptsValidDocuments(text: String, path: String, expected: Double) throws {
        #expect(decode(try decoder(.json, value: path), text).readings == [Reading(value: expected)])
    }

    @Test(arguments: [
        #"{"v":1,}"#, #"{"v":01}"#, #"{"v":1.}"#, #"{"v":.5}"#, #"{"v":+1}"#, #"{v:1}"#, "{'v':1}", #"{"v":1} x"#,
        #"{"v":1}{}"#, #"{"v":"\ud800"}"#, "{\"v\":\"a\u{01}b\"}", #"{"v":tru}"#, #"{"v":-}"#, #"{"v":1e}"#,
        #"{"v" 1}"#, #"{"v":[1,]}"#, #"{"v":"\x"}"#, #"{"v":"\u12"}"#, #"["v"]]"#,
    ])
    func jsonParserRejectsInvalidDocuments(text: String) throws {
        #expect(decode(try decoder(.json, value: "v"), text).rejections.map(\.reason) == [.invalidJSON])
    }

    @Test func jsonParserRejectsInvalidUTF8InStrings() throws {
        let payload = Array(#"{"v":1,"s":""#.utf8) + [0xC3, 0x28] + Array(#""}"#.utf8)
        #expect(
            try decoder(.json, value: "v").decode(payload, arrivalTime: 0).rejections.map(\.reason) == [.invalidJSON])
    }

    @Test func jsonNestingUpToTheLimitIsAccepted() throws {
        let path = Array(repeating: "a", count: 63).joined(separator: ".") + ".v"
        let text = String(repeating: #"{"a":"#, count: 63) + #"{"v":9}"# + String(repeating: "}", count: 63)
        #expect(decode(try decoder(.json, value: path), text).readings == [Reading(value: 9)])
        let deeper = String(repeating: #"{"a":"#, count: 64) + #"{"v":9}"# + String(repeating: "}", count: 64)
        #expect(decode(try decoder(.json, value: path), deeper).rejections.map(\.reason) == [.invalidJSON])
    }

    @Test func jsonTimeAsEpochNumberInEachUnit() throws {
        let payload = #"{"v":1,"ts":1767225600123}"#
        let milliseconds = decode(try decoder(.json, value: "v", time: "ts", unit: .ms), payload)
        #expect(milliseconds.readings.first?.time == 1_767_225_600.123)
        let seconds = decode(try decoder(.json, value: "v", time: "ts"), #"{"v":1,"ts":1767225600.5}"#)
        #expect(seconds.readings.first?.time == 1_767_225_600.5)
        let nanoseconds = decode(
            try decoder(.json, value: "v", time: "t", unit: .ns), #"{"v":1,"t":1767225600000000000}"#)
        #expect(nanoseconds.readings.first?.time == 1_767_225_600)
    }

    @Test(arguments: [
        ("2026-01-01T00:00:00Z", 1_767_225_600.0), ("2026-01-01T02:00:00+02:00", 1_767_225_600),
        ("2025-12-31T19:00:00-0500", 1_767_225_600), ("2026-01-01 00:00:00.250Z", 1_767_225_600.25),
        ("2024-02-29T12:00:00Z", 1_709_208_000), ("1970-01-01T00:00:00Z", 0),
    ])
    func jsonTimeAsISO8601(text: String, expected: Double) throws {
        let output = decode(try decoder(.json, value: "v", time: "at"), #"{"v":1,"at":"\#(text)"}"#)
        #expect(output.readings.first?.time == expected)
    }

    @Test(arguments: [
        #""2026-01-01T00:00:00""#, #""2026-13-01T00:00:00Z""#, #""2025-02-29T00:00:00Z""#, #""yesterday""#,
        #""2026-01-01T00:00:00Zjunk""#, "true", "-5", "null", #""2026-01-01""#, #""2026-01-01T00:00Z""#,
        #""2026-01-01T00:00:00,5Z""#,
    ])
    func jsonRejectsBadTimes(time: String) throws {
        let output = decode(try decoder(.json, value: "v", time: "at"), #"{"v":1,"at":\#(time)}"#)
        #expect(output.rejections.map(\.reason) == [.invalidTimestamp])
    }

    @Test func jsonMissingTimeMeansArrivalTime() throws {
        let output = decode(try decoder(.json, value: "v", time: "at"), #"{"v":4}"#)
        #expect(output.readings == [Reading(time: nil, value: 4)])
    }

    @Test(arguments: ["", "a..b", ".a", "a.", "a[x]", "a[1", "a]b", "a[]", "[0]b"])
    func jsonPathRejectsMalformedPaths(path: String) {
        #expect(throws: JSONPath.ParseError.self) { try JSONPath(path) }
    }

    @Test func jsonPathAcceptsDocumentedForms() throws {
        for path in ["a", "a.b", "a.b[0].c", "[0]", "[0][1].x", "sensor-1.value_raw"] {
            #expect(try JSONPath(path).description == path)
        }
    }
}

@Suite struct HostilePayloadTests {
    func decode(_ format: DaemonConfiguration.PayloadFormat, _ bytes: [UInt8]) throws -> PayloadDecoder.Output {
        var settings = DaemonConfiguration.PayloadSettings()
        settings.format = format
        settings.valuePath = format == .json ? "v" : nil
        return try PayloadDecoder(settings).decode(bytes, arrivalTime: 0)
    }

    /// Runs on the cooperative pool's small stacks, as the daemon will: deep nesting must be refused, not recursed.
    @Test(arguments: [100, 511, 2000, 20000])
    func deeplyNestedJSONIsRejectedWithoutCrashing(depth: Int) async throws {
        let payload =
            Array(String(repeating: "[", count: depth).utf8) + Array(String(repeating: "]", count: depth).utf8)
        let json = try decode(.json, payload)
        #expect(json.readings.isEmpty && json.rejections.count == 1)
        let senml = try decode(.senml, payload)
        #expect(senml.readings.isEmpty && senml.rejections.count == 1)
    }
}
