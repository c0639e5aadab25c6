/// SplitMix64 (Steele, Lea & Flood 2014, "Fast splittable pseudorandom number generators"): a small, fast, seedable
/// generator for backoff jitter, test data and the seeding of wider generators, so a seed always gives the same draws.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    /// The Weyl-sequence increment (2⁶⁴/φ, odd) the state advances by on every draw.
    public static let increment: UInt64 = 0x9E37_79B9_7F4A_7C15

    @usableFromInline var state: UInt64

    /// A generator whose first draw is `mix(seed &+ increment)`.
    @inlinable
    public init(seed: UInt64) { state = seed }

    /// The next 64 pseudorandom bits.
    @inlinable
    public mutating func next() -> UInt64 {
        state &+= Self.increment
        return Self.mix(state)
    }

    /// SplitMix64's output function (Stafford's "Mix13" finaliser): a bijection that scatters every input bit over
    /// the output, public so generators seeded from a single word expand it the same way.
    @inlinable
    public static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
