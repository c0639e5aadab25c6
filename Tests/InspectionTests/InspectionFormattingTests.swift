import Foundation
import Inspection
import Testing

/// Time expressions, tables, CSV and JSON as the inspection commands print them.
@Suite struct InspectionFormattingTests {
    /// 2026-05-01T12:34:56Z.
    let now: Int64 = 1_777_638_896_000_000

    @Test func relativeTimesCountFromTheInjectedNow() throws {
        #expect(try TimeExpression.parse("now", nowUs: now) == now)
        #expect(try TimeExpression.parse("-2h", nowUs: now) == now - 7_200_000_000)
        #expect(try TimeExpression.parse("-30m", nowUs: now) == now - 1_800_000_000)
        #expect(try TimeExpression.parse("+90s", nowUs: now) == now + 90_000_000)
        #expect(try TimeExpression.parse("-1.5d", nowUs: now) == now - 129_600_000_000)
        #expect(try TimeExpression.parse("-1w", nowUs: now) == now - 604_800_000_000)
        #expect(try TimeExpression.parse("2h ago", nowUs: now) == now - 7_200_000_000)
        #expect(try TimeExpression.parse(" -2H ", nowUs: now) == now - 7_200_000_000)
    }

    @Test func namedDaysAreMidnightUTC() throws {
        #expect(try TimeExpression.parse("today", nowUs: now) == 1_777_593_600_000_000)
        #expect(try TimeExpression.parse("yesterday", nowUs: now) == 1_777_507_200_000_000)
        #expect(try TimeExpression.parse("Yesterday", nowUs: now) == 1_777_507_200_000_000)
    }

    @Test func isoTimesIgnoreNow() throws {
        #expect(try TimeExpression.parse("2026-05-01T00:00:00Z", nowUs: 0) == 1_777_593_600_000_000)
        #expect(try TimeExpression.parse("2026-05-01", nowUs: 0) == 1_777_593_600_000_000)
        #expect(try TimeExpression.parse("2026-05-01T02:00:00+02:00", nowUs: 0) == 1_777_593_600_000_000)
        #expect(try TimeExpression.parse("2026-05-01 00:00:00.250", nowUs: 0) == 1_777_593_600_250_000)
    }

    @Test(arguments: ["", "-", "-2", "-2x", "2h", "soon", "2026-13-01", "2026-05-01T25:00", "-h", "--2h"])
    func unreadableTimesNameTheAcceptedForms(_ text: String) {
        let error = #expect(throws: InspectionError.self) { try TimeExpression.parse(text, nowUs: 0) }
        #expect(error?.code == .invalidArgument)
        #expect(error?.message.hasPrefix("cannot read time '\(text)'") == true)
        #expect(error?.message.contains("-2h") == true)
    }

    @Test func tableAlignsNumbersRightAndFitsTheWidth() {
        var table = TextTable([.init("NAME"), .init("VALUE", rightAligned: true), .init("NOTE")])
        table.append(["a", "1.000", "x"])
        table.append(["a-very-long-stream-name/with/levels/that/goes/on/and/on/and/on", "12345.678", "short"])
        let lines = table.render(width: 40).split(separator: "\n")
        #expect(lines.allSatisfy { $0.count <= 40 })
        #expect(lines[0].hasPrefix("NAME"))
        #expect(lines[1].contains("      1.000  x"))
        #expect(lines[2].contains("…"))
    }

    @Test func csvQuotesOnlyWhatNeedsIt() {
        let text = CSVText.render(header: ["a", "b"], rows: [["1", "x,y"], ["say \"hi\"", "line\nbreak"]])
        #expect(text == "a,b\n1,\"x,y\"\n\"say \"\"hi\"\"\",\"line\nbreak\"\n")
    }

    @Test func jsonKeepsKeyOrderAndEscapes() throws {
        let document = JSONOutput.object([
            ("z", .integer(3)), ("a", .number(0.1)), ("nan", .number(.nan)), ("whole", .number(20)),
            ("text", .string("q\"\\\n\u{1}")), ("none", .null),
            ("rows", .array([.object([("t", .string("x")), ("q", .object([("0.5", .number(1.25))]))])])),
        ])
        #expect(
            document.rendered() == """
                {
                  "z": 3,
                  "a": 0.1,
                  "nan": null,
                  "whole": 20,
                  "text": "q\\"\\\\\\n\\u0001",
                  "none": null,
                  "rows": [
                    {"t": "x", "q": {"0.5": 1.25}}
                  ]
                }

                """)
        #expect(try JSONSerialization.jsonObject(with: Data(document.rendered().utf8)) is [String: Any])
    }

    @Test func valuesPrintWithFixedDecimals() {
        #expect(ValueText.table(21.4) == "21.400")
        #expect(ValueText.table(nil) == "-")
        #expect(ValueText.table(123_456.7) == "1.235e+05")
        #expect(ValueText.csv(21.4) == "21.4")
        #expect(ValueText.csv(nil) == "")
        #expect(ValueText.level(0.05) == "0.05")
        #expect(ValueText.percent(0.975) == "97.5%")
        #expect(ValueText.double(Float(20.9)) == 20.9)
        #expect(ValueText.shortTime(1_777_593_600_000_000) == "2026-05-01 00:00")
        #expect(ValueText.shortTime(1_777_593_645_984_375) == "2026-05-01 00:00:45.984375")
        #expect(ValueText.time(1_777_593_645_500_000) == "2026-05-01T00:00:45.5Z")
    }

    @Test func unknownStreamsSuggestCloseNames() {
        let known = ["lab/t1", "lab/t2", "lab/humidity", "garage/door"]
        #expect(
            InspectionError.unknownStream("lab/t3", known: known).message
                == "unknown stream 'lab/t3'; did you mean 'lab/t1', 'lab/t2'?")
        #expect(
            InspectionError.unknownStream("humidity", known: known).message
                == "unknown stream 'humidity'; did you mean 'lab/humidity'?")
        #expect(
            InspectionError.unknownStream("kitchen/oven", known: known).message
                == "unknown stream 'kitchen/oven' (4 streams stored; list them with `barnnd streams`)")
        #expect(
            InspectionError.unknownStream("x", known: []).message
                == "unknown stream 'x': the database holds no streams yet")
    }
}
