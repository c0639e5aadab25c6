import Sampling

/// A seeded, vectorised random number generator: 16 independent xoshiro128+ lanes (Blackman & Vigna)
/// stepped together in `SIMD16<UInt32>`.
///
/// The same `(seed, stream)` always produces the same sequence, bit for bit, on every machine with the
/// same `Float` semantics. Substreams (`substream(_:)`) are derived by hashing, so callers can give each
/// stream, batch or thread its own reproducible sequence without coordinating.
public struct SeededRNG: RandomNumberGenerator, Sendable {
    @usableFromInline var s0: SIMD16<UInt32>
    @usableFromInline var s1: SIMD16<UInt32>
    @usableFromInline var s2: SIMD16<UInt32>
    @usableFromInline var s3: SIMD16<UInt32>
    /// The seed this generator was created from.
    public let seed: UInt64
    /// The substream index this generator was created with.
    public let stream: UInt64

    /// Creates a generator for `seed` and substream `stream` (expanded to the lane states by splitmix64).
    public init(seed: UInt64, stream: UInt64 = 0) {
        self.seed = seed
        self.stream = stream
        var sm = SeededRNG.splitmix(seed) ^ SeededRNG.splitmix(stream &+ 0x632B_E59B_D9B4_E019)
        var words = [UInt32](repeating: 0, count: 64)
        for i in stride(from: 0, to: 64, by: 2) {
            sm = sm &+ SplitMix64.increment
            let v = SeededRNG.splitmix(sm)
            words[i] = UInt32(truncatingIfNeeded: v)
            words[i + 1] = UInt32(truncatingIfNeeded: v >> 32) | 1  // never an all-zero lane
        }
        func lanes(_ k: Int) -> SIMD16<UInt32> {
            var v = SIMD16<UInt32>()
            for j in 0..<16 { v[j] = words[k * 16 + j] }
            return v
        }
        s0 = lanes(0)
        s1 = lanes(1)
        s2 = lanes(2)
        s3 = lanes(3)
    }

    /// A generator for substream `index` of this one, independent of how much this one has been used.
    public func substream(_ index: UInt64) -> SeededRNG {
        SeededRNG(seed: SeededRNG.splitmix(seed ^ SeededRNG.splitmix(stream)), stream: index)
    }

    /// The first draw of `SplitMix64(seed: x)`, which hashes seeds and stream indices into lane states.
    @usableFromInline static func splitmix(_ x: UInt64) -> UInt64 { SplitMix64.mix(x &+ SplitMix64.increment) }

    /// Advances all 16 lanes once and returns their outputs.
    @inlinable @inline(__always)
    public mutating func nextLanes() -> SIMD16<UInt32> {
        let result = s0 &+ s3
        let t = s1 &<< 9
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = (s3 &<< 11) | (s3 &>> 21)
        return result
    }

    /// 64 random bits (combines two lanes; for occasional scalar draws such as picking windows).
    public mutating func next() -> UInt64 {
        let v = nextLanes()
        return UInt64(v[0]) << 32 | UInt64(v[1])
    }

    /// Fills `buffer` with independent standard normal draws (vectorised Box–Muller, 16 per lane step).
    ///
    /// - Complexity: O(count); allocates nothing.
    @inlinable
    public mutating func fillNormal(_ buffer: UnsafeMutableBufferPointer<Float>) {
        guard let base = buffer.baseAddress else { return }
        let count = buffer.count
        let raw = UnsafeMutableRawPointer(base)
        var i = 0
        while i + 16 <= count {
            let (a, b) = nextNormals()
            raw.storeBytes(of: a, toByteOffset: i * 4, as: SIMD8<Float>.self)
            raw.storeBytes(of: b, toByteOffset: i * 4 + 32, as: SIMD8<Float>.self)
            i += 16
        }
        if i < count {
            let (a, b) = nextNormals()
            var j = 0
            while i < count {
                base[i] = j < 8 ? a[j] : b[j - 8]
                i += 1
                j += 1
            }
        }
    }

    /// Fills `buffer` with uniform draws in [0, 1).
    public mutating func fillUniform(_ buffer: UnsafeMutableBufferPointer<Float>) {
        var i = 0
        while i < buffer.count {
            let bits = nextLanes()
            for j in 0..<16 where i + j < buffer.count {
                buffer[i + j] = Float(bits[j] >> 8) * 0x1p-24
            }
            i += 16
        }
    }

    /// Sixteen standard normals from one lane step: the low 8 lanes give radii, the high 8 give angles.
    @inlinable @inline(__always)
    mutating func nextNormals() -> (SIMD8<Float>, SIMD8<Float>) {
        let bits = nextLanes()
        let one = SIMD8<UInt32>(repeating: 0x3F80_0000)
        // Mantissa trick: [1, 2) from the top 23 bits; u1 = 2 - f lies in (0, 1], so log(u1) is finite.
        let f1 = unsafeBitCast((bits.lowHalf &>> 9) | one, to: SIMD8<Float>.self)
        let u1 = 2 - f1
        let radius = FastMath.sqrt(-2 * FastMath.log(u1))
        // Angle 2π·u2: the top 2 bits pick the quadrant, the next 23 give φ in [0, π/2) (no rounding needed).
        let high = bits.highHalf
        let quadrant = high &>> 30
        let fraction = unsafeBitCast(((high &<< 2) &>> 9) | one, to: SIMD8<Float>.self)
        let phi = (fraction - 1) * (Float.pi / 2)
        let p2 = phi * phi
        var s = SIMD8<Float>(repeating: -2.505_210_8e-8)
        s = FastMath.fma(s, p2, 2.755_731_9e-6)
        s = FastMath.fma(s, p2, -1.984_127e-4)
        s = FastMath.fma(s, p2, 8.333_333_3e-3)
        s = FastMath.fma(s, p2, -1.666_666_7e-1)
        s = (s * p2 + 1) * phi
        var c = SIMD8<Float>(repeating: 2.087_675_7e-9)
        c = FastMath.fma(c, p2, -2.755_731_9e-7)
        c = FastMath.fma(c, p2, 2.480_158_7e-5)
        c = FastMath.fma(c, p2, -1.388_888_9e-3)
        c = FastMath.fma(c, p2, 4.166_666_7e-2)
        c = FastMath.fma(c, p2, -0.5)
        c = FastMath.fma(c, p2, 1)
        // Rotate (c, s) by quadrant·90°: q=1 → (-s, c), q=2 → (-c, -s), q=3 → (s, -c); swaps and sign flips
        // are done on the bit patterns.
        let oddMask = SIMD8<UInt32>(repeating: 0) &- (quadrant & 1)
        let cBits = unsafeBitCast(c, to: SIMD8<UInt32>.self), sBits = unsafeBitCast(s, to: SIMD8<UInt32>.self)
        let xBits = (cBits & ~oddMask) | (sBits & oddMask)
        let yBits = (sBits & ~oddMask) | (cBits & oddMask)
        let negX = ((quadrant ^ (quadrant &>> 1)) & 1) &<< 31
        let negY = (quadrant &>> 1) &<< 31
        let x = unsafeBitCast(xBits ^ negX, to: SIMD8<Float>.self)
        let y = unsafeBitCast(yBits ^ negY, to: SIMD8<Float>.self)
        return (radius * x, radius * y)
    }
}
