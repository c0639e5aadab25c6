import Formats
import Foundation
import Sampling
import Testing

@testable import Forecasting

/// Ring buffers of numbers encode as base64 of their little-endian bytes: bit-exact, and states saved as lists of
/// numbers still decode.
@Suite struct PackedScalarsTests {
    @Test(arguments: 0..<12)
    func packingIsFoundationsBase64OfTheLittleEndianBytes(count: Int) {
        var generator = SplitMix64(seed: UInt64(count))
        let doubles = (0..<count).map { _ in Double.random(in: -1e6...1e6, using: &generator) }
        var bytes: [UInt8] = []
        for value in doubles { withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
        #expect(ScalarPacking.pack(doubles) == Data(bytes).base64EncodedString())
        let shorts = (0..<count).map { _ in UInt16.random(in: 0...UInt16.max, using: &generator) }
        var shortBytes: [UInt8] = []
        for value in shorts { withUnsafeBytes(of: value.littleEndian) { shortBytes.append(contentsOf: $0) } }
        #expect(ScalarPacking.pack(shorts) == Data(shortBytes).base64EncodedString())
        #expect(ScalarPacking.unpack(ScalarPacking.pack(shorts), as: UInt16.self) == shorts)
    }

    @Test func doublesAndFloatsRoundTripBitExactly() throws {
        let specials: [Double] = [
            0, -0.0, .nan, .infinity, -.infinity, .leastNonzeroMagnitude, .greatestFiniteMagnitude, 1 / 3,
        ]
        var buffer = RingBuffer<Double>(capacity: 5)
        for value in specials { buffer.append(value) }  // wraps: keeps the last five
        let data = try JSONEncoder().encode(buffer)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(object["elements"] is String)
        let decoded = try JSONDecoder().decode(RingBuffer<Double>.self, from: data)
        #expect(decoded.capacity == 5)
        #expect(decoded.map(\.bitPattern) == specials.suffix(5).map(\.bitPattern))

        var floats = RingBuffer<Float>(capacity: 3)
        for value: Float in [-0.0, .nan, 2.5] { floats.append(value) }
        let decodedFloats = try JSONDecoder().decode(RingBuffer<Float>.self, from: try JSONEncoder().encode(floats))
        #expect(decodedFloats.map(\.bitPattern) == floats.map(\.bitPattern))
    }

    @Test func listsOfNumbersSavedBeforePackingStillDecode() throws {
        let legacy = #"{"capacity":4,"elements":[1.5,-2,3]}"#
        let decoded = try JSONDecoder().decode(RingBuffer<Double>.self, from: Data(legacy.utf8))
        #expect(Array(decoded) == [1.5, -2, 3])
        #expect(decoded.capacity == 4)
    }

    @Test(arguments: ["AAAA", "AAAAAAA=", "A===", "AA=A", "AAA*", "AAAAAAAAAAA"])
    func damagedPackingIsADecodingError(text: String) {
        // "AAAA" is 3 bytes: not a whole Double; the others are not padded base64.
        let json = #"{"capacity":4,"elements":"\#(text)"}"#
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(RingBuffer<Double>.self, from: Data(json.utf8))
        }
    }

    @Test func otherElementsStayLists() throws {
        var buffer = RingBuffer<Int>(capacity: 3)
        buffer.append(7)
        let object = try #require(
            try JSONSerialization.jsonObject(with: try JSONEncoder().encode(buffer)) as? [String: Any])
        #expect(object["elements"] as? [Int] == [7])
    }
}
