import Sampling
import Testing

@Suite struct SplitMix64Tests {
    /// The outputs of the reference implementation (Vigna's splitmix64.c) for seed 1234567, and for seed 0.
    @Test func drawsTheReferenceSequence() {
        var generator = SplitMix64(seed: 1_234_567)
        #expect(
            (0..<5).map { _ in generator.next() } == [
                6_457_827_717_110_365_317, 3_203_168_211_198_807_973, 9_817_491_932_198_370_423,
                4_593_380_528_125_082_431, 16_408_922_859_458_223_821,
            ])
        var zero = SplitMix64(seed: 0)
        #expect(
            (0..<3).map { _ in zero.next() } == [0xE220_A839_7B1D_CDAF, 0x6E78_9E6A_A1B9_65F4, 0x06C4_5D18_8009_454F])
    }

    /// `SeededRNG` seeds its lanes with `mix(x &+ increment)`, which must stay the first draw from seed `x`.
    @Test func mixOfTheAdvancedSeedIsTheFirstDraw() {
        for seed: UInt64 in [0, 1, 42, 0x632B_E59B_D9B4_E019, .max] {
            var generator = SplitMix64(seed: seed)
            #expect(generator.next() == SplitMix64.mix(seed &+ SplitMix64.increment))
        }
    }

    @Test func equalSeedsDrawEqualSequences() {
        var first = SplitMix64(seed: 7)
        var second = SplitMix64(seed: 7)
        #expect(
            (0..<100).map { _ in Int.random(in: 0..<1000, using: &first) }
                == (0..<100).map { _ in Int.random(in: 0..<1000, using: &second) })
    }
}
