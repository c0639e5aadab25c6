import Sampling
import TOML
import Testing

extension SplitMix64 {
    /// A draw in 0..<bound by modulo: its slight bias is harmless here, and it keeps the draws of every crash the
    /// mutations found reproducible.
    mutating func below(_ bound: Int) -> Int {
        bound <= 0 ? 0 : Int(next() % UInt64(bound))
    }
}

@Suite struct FuzzTests {
    /// Bytes that sit on the grammar's decision points, including the UTF-8 pieces of the barnnd reproducers.
    static let interesting: [UInt8] =
        Array("[]{}\"'=,.#\\\n\r\t +-_:eExob0179TZz".utf8)
        + [0x00, 0x7F, 0xC2, 0x85, 0xE2, 0x80, 0xA8, 0xEF, 0xBB, 0xBF, 0xF4, 0x90, 0xED, 0xA0]

    static func mutate(_ input: [UInt8], using random: inout SplitMix64) -> [UInt8] {
        var bytes = input
        for _ in 0...random.below(4) {
            switch random.below(6) {
            case 0 where !bytes.isEmpty:
                bytes[random.below(bytes.count)] = UInt8(truncatingIfNeeded: random.next())
            case 1 where !bytes.isEmpty:
                bytes[random.below(bytes.count)] = interesting[random.below(interesting.count)]
            case 2:
                bytes.removeSubrange(random.below(bytes.count + 1)...)
            case 3:
                let run = (0...random.below(3)).map { _ in interesting[random.below(interesting.count)] }
                bytes.insert(contentsOf: run, at: random.below(bytes.count + 1))
            case 4 where !bytes.isEmpty:
                let start = random.below(bytes.count)
                let end = min(bytes.count, start + 1 + random.below(16))
                bytes.insert(contentsOf: bytes[start..<end], at: random.below(bytes.count + 1))
            default:
                if !bytes.isEmpty {
                    bytes.remove(at: random.below(bytes.count))
                }
            }
        }
        return bytes
    }

    @Test func mutatedCorpusNeverCrashes() {
        let seeds = (Corpus.validCases + Corpus.invalidCases).compactMap(Corpus.bytes)
        #expect(!seeds.isEmpty)
        var random = SplitMix64(seed: 0x5EED_BA44_0D00_0001)
        var accepted = 0
        var refused = 0
        for round in 0..<20_000 {
            let input = Self.mutate(seeds[round % seeds.count], using: &random)
            // Only termination matters here: returning or throwing are both fine, trapping is not.
            do {
                _ = try TOMLParser.parse(input)
                accepted += 1
            } catch {
                #expect(error.line >= 1)
                refused += 1
            }
        }
        print("fuzz: \(accepted) accepted, \(refused) refused of \(accepted + refused)")
        #expect(accepted + refused == 20_000)
    }
}
