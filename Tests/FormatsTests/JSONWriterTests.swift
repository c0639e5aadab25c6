import Formats
import Foundation
import Testing

/// The one JSON writer: what it escapes and how it spells numbers, checked against Foundation's parser.
@Suite struct JSONWriterTests {
    static func parsed(_ writer: JSONWriter) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(writer.bytes), options: [.fragmentsAllowed])
    }

    @Test(arguments: [
        "plain", "quote \" backslash \\ slash /", "new\nline\rreturn\ttab", "\u{0}\u{1}\u{8}\u{C}\u{1F}\u{7F}",
        "non-ASCII: é ß 温度 🌡️", "",
    ])
    func stringsReadBackExactly(_ text: String) throws {
        var writer = JSONWriter()
        writer.string(text)
        #expect(try Self.parsed(writer) as? String == text)
    }

    @Test func controlCharactersUseShortOrUnicodeEscapes() {
        var writer = JSONWriter()
        writer.string("\"\\\n\r\t\u{1}\u{1F}é")
        #expect(writer.text == #""\"\\\n\r\t\u0001\u001fé""#)
    }

    @Test func nonFiniteNumbersAreNull() throws {
        var writer = JSONWriter()
        writer.array { array in
            array.number(Double.nan)
            array.number(Double.infinity)
            array.number(-Float.infinity)
            array.number(Double?.none)
        }
        #expect(writer.text == "[null,null,null,null]")
        #expect((try Self.parsed(writer) as? [Any])?.allSatisfy { $0 is NSNull } == true)
    }

    @Test func numberStyles() throws {
        let values = [12.0, 0.25, -3, 1e-5, 1e300]
        var compact = JSONWriter(numberStyle: .compact)
        compact.array { array in values.forEach { array.number($0) } }
        var swift = JSONWriter(numberStyle: .swift)
        swift.array { array in values.forEach { array.number($0) } }
        #expect(compact.text == "[12,0.25,-3,1e-05,1e+300]")
        #expect(swift.text == "[12.0,0.25,-3.0,1e-05,1e+300]")
        #expect(try Self.parsed(compact) as? [Double] == values)
        #expect(try Self.parsed(swift) as? [Double] == values)
        var floats = JSONWriter(numberStyle: .swift)
        floats.array { array in [Float(0.1), 2].forEach { array.number($0) } }
        #expect(floats.text == "[0.1,2.0]")
    }

    @Test func containersSeparateTheirValues() throws {
        var writer = JSONWriter()
        writer.object { object in
            object.key("a\"b")
            object.integer(1)
            object.key("list")
            object.array { array in
                array.bool(true)
                array.null()
                array.object { _ in }
                array.array { $0.string("x") }
            }
            object.key("empty")
            object.array { _ in }
        }
        #expect(writer.text == #"{"a\"b":1,"list":[true,null,{},["x"]],"empty":[]}"#)
        let object = try #require(try Self.parsed(writer) as? [String: Any])
        #expect(object["a\"b"] as? Int == 1)
        #expect((object["list"] as? [Any])?.count == 4)
    }
}
