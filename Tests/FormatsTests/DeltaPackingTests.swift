import Formats
import Foundation
import Testing

/// Columns of numbers pack as their bits' prediction errors, value by value or by byte plane, and come back bit for
/// bit.
@Suite struct DeltaPackingTests {
    /// Every kind of `Double` (NaN with a payload, infinities, −0, subnormals, extremes) comes back with its bits in
    /// every order and layout, as do `Float`s and 16-bit words; an empty column is its prefix alone.
    @Test func everyValueComesBackBitForBit() throws {
        let doubles: [Double] = [
            21.37, .nan, Double(bitPattern: 0x7FF8_0000_0000_1234), .infinity, -.infinity, -0.0, 0,
            .leastNonzeroMagnitude, -.greatestFiniteMagnitude, 1e300, 20.000000000000004, 19.999999999999996,
        ]
        for order in DeltaPacking.orders {
            for layout in DeltaPacking.Layout.allCases {
                let text = DeltaPacking.pack(doubles, order: order, layout: layout)
                let back = try #require(DeltaPacking.unpack(text, as: Double.self))
                #expect(back.map(\.bitPattern) == doubles.map(\.bitPattern))
            }
        }
        let back = try #require(DeltaPacking.unpack(DeltaPacking.pack(doubles), as: Double.self))
        #expect(back.map(\.bitPattern) == doubles.map(\.bitPattern))
        let floats: [Float] = [1, -2.5, .nan, .infinity, 0x1p-149, 3.4e38]
        let floatsBack = try #require(DeltaPacking.unpack(DeltaPacking.pack(floats), as: Float.self))
        #expect(floatsBack.map(\.bitPattern) == floats.map(\.bitPattern))
        let words: [UInt16] = [0, 0xFFFF, 1, 0x8000, 7]
        #expect(DeltaPacking.unpack(DeltaPacking.pack(words), as: UInt16.self) == words)
        #expect(DeltaPacking.pack([Double]()) == "0i")
        #expect(DeltaPacking.unpack("0p", as: Double.self) == [])
    }

    /// The layout the saved format promises: the prediction errors, value by value or plane p of value i at byte
    /// p·count + i.
    @Test func theBytesArePredictionErrorsInTheirLayout() throws {
        let words: [UInt16] = [0x0102, 0x0105, 0x0001]
        func bytes(order: Int, _ layout: DeltaPacking.Layout) throws -> [UInt8] {
            let text = DeltaPacking.pack(words, order: order, layout: layout)
            #expect(text.prefix(2) == "\(order)\(layout.rawValue)")
            return try #require(ScalarPacking.unpack(String(text.dropFirst(2)), as: UInt8.self))
        }
        #expect(try bytes(order: 0, .interleaved) == [0x02, 0x01, 0x05, 0x01, 0x01, 0x00])
        #expect(try bytes(order: 0, .planes) == [0x02, 0x05, 0x01, 0x01, 0x01, 0x00])
        // Differences 0x0102, 0x0003, 0xFEFC (0x0001 − 0x0105, wrapping).
        #expect(try bytes(order: 1, .planes) == [0x02, 0x03, 0xFC, 0x01, 0x00, 0xFE])
        #expect(try bytes(order: 1, .interleaved) == [0x02, 0x01, 0x03, 0x00, 0xFC, 0xFE])
        // The third against 2·0x0105 − 0x0102 = 0x0108: 0x0001 − 0x0108 = 0xFEF9.
        #expect(try bytes(order: 2, .planes) == [0x02, 0x03, 0xF9, 0x01, 0x00, 0xFE])
    }

    /// The chosen layout is the one whose first values deflate smallest, and for a slow drift, a noisy sensor and a
    /// bucket's means the text deflates smaller than the plain column; a seeded generator's bits (nothing to
    /// predict) are not predicted.
    @Test func theSmallestLayoutIsChosen() throws {
        var state: UInt64 = 7
        func uniform() -> Double {
            // SplitMix64's output: an LCG's low bits would be predictable.
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = (state ^ (state >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Double(z ^ (z >> 31)) / 0x1p64
        }
        let drift: [Double] = (0..<262).map { (step: Int) -> Double in 20 + 2 * sin(Double(step) / 200) }
        let noisy: [Double] = (0..<262).map { (step: Int) -> Double in
            let wave: Double = 20 + 2 * sin(Double(step) / 40)
            return wave + 0.1 * uniform()
        }
        // A bucket's means of two-decimal readings: repeating binary fractions.
        let means: [Double] = (0..<262).map { (step: Int) -> Double in
            let first = Double(2000 + step % 17) / 100
            let second = Double(2100 - step % 5) / 100
            return (first + 2 * second) / 3
        }
        for column in [drift, noisy, means] {
            let text = DeltaPacking.pack(column)
            let sample = Array(column.prefix(DeltaPacking.gaugedValues))
            var best = (order: 0, layout: DeltaPacking.Layout.interleaved, size: Int.max)
            for order in DeltaPacking.orders {
                for layout in DeltaPacking.Layout.allCases {
                    let fixed = DeltaPacking.pack(sample, order: order, layout: layout)
                    let size = Deflate.gaugedSize(
                        try #require(ScalarPacking.unpack(String(fixed.dropFirst(2)), as: UInt8.self)))
                    if size < best.size { best = (order, layout, size) }
                }
            }
            #expect(text.prefix(2) == "\(best.order)\(best.layout.rawValue)")
            // As a saved state holds it: text, deflated with the rest of its part.
            let plain = Deflate.compress(Array(ScalarPacking.pack(column).utf8)).count
            #expect(Deflate.compress(Array(text.utf8)).count < plain)
        }
        let noise = (0..<262).map { _ in Double(bitPattern: UInt64(uniform() * 0x1p64)) }
        #expect(DeltaPacking.pack(noise).first == "0")
    }

    /// A memo packs with the choice it gauged until it has served ``DeltaPacking/Memo/regaugeInterval`` packings, then
    /// gauges again; whatever it chose, the text comes back bit for bit.
    @Test func aMemoKeepsItsChoiceUntilItGaugesAgain() throws {
        let drift: [Double] = (0..<262).map { 20 + 2 * sin(Double($0) / 200) }
        let noise: [Double] = (0..<262).map { Double(bitPattern: 0x4034_0000_0000_0000 ^ UInt64($0 &* 0x9E37_79B9)) }
        let driftChoice = DeltaPacking.gauge(drift), noiseChoice = DeltaPacking.gauge(noise)
        try #require(driftChoice != noiseChoice)
        #expect(DeltaPacking.pack(drift).prefix(2) == "\(driftChoice.order)\(driftChoice.layout.rawValue)")
        var memo = DeltaPacking.Memo()
        #expect(memo.pack(drift) == DeltaPacking.pack(drift))
        for _ in 1..<DeltaPacking.Memo.regaugeInterval {
            // The column changed kind, but the kept choice still serves.
            let text = memo.pack(noise)
            #expect(text.prefix(2) == "\(driftChoice.order)\(driftChoice.layout.rawValue)")
            let back = try #require(DeltaPacking.unpack(text, as: Double.self))
            #expect(back.map(\.bitPattern) == noise.map(\.bitPattern))
        }
        #expect(memo.pack(noise) == DeltaPacking.pack(noise))
        #expect(memo.pack(drift).prefix(2) == "\(noiseChoice.order)\(noiseChoice.layout.rawValue)")
        // A young column's choice is gauged again once the column offers the gauge twice the values.
        let earlyChoice = DeltaPacking.gauge(noise.prefix(40))
        try #require(earlyChoice != driftChoice)
        var young = DeltaPacking.Memo()
        #expect(young.pack(noise.prefix(40)) == DeltaPacking.pack(noise.prefix(40)))
        #expect(young.pack(drift.prefix(79)).prefix(2) == "\(earlyChoice.order)\(earlyChoice.layout.rawValue)")
        #expect(young.pack(drift) == DeltaPacking.pack(drift))
        #expect(young.pack(noise).prefix(2) == "\(driftChoice.order)\(driftChoice.layout.rawValue)")
    }

    /// Text that is not base64 of a whole number of values, or names no order or layout, is refused, not misread.
    @Test func damagedTextIsRefused() {
        #expect(DeltaPacking.unpack("1pAAAA", as: Double.self) == nil)  // 3 bytes
        #expect(DeltaPacking.unpack("1pAAA", as: UInt16.self) == nil)  // not padded base64
        #expect(DeltaPacking.unpack("0iA*==", as: UInt8.self) == nil)
        #expect(DeltaPacking.unpack("3pAAAAAAAAAAA", as: Double.self) == nil)  // no such order
        #expect(DeltaPacking.unpack("1xAAAAAAAAAAA", as: Double.self) == nil)  // no such layout
        #expect(DeltaPacking.unpack("²pAAAAAAAAAAA", as: Double.self) == nil)  // not an ASCII digit
        #expect(DeltaPacking.unpack("AAAAAAAAAAAA", as: Double.self) == nil)  // no prefix
        #expect(DeltaPacking.unpack("", as: Double.self) == nil)
    }
}
