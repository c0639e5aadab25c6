#if arch(x86_64)
    // Public because the inlinable kernels below call its FMA, reciprocal and square root instructions.
    public import _Builtin_intrinsics.intel
#endif

/// Vectorised single-precision transcendental kernels on `SIMD8<Float>` (AVX2 width).
///
/// `exp` uses a Cody–Waite range reduction to eighths of ln 2, a table of 2^(j/8) and a degree-4 polynomial
/// (relative error below 9e-8 on [-87, 88]); `tanh` and `sigmoid` are built from it. They exist because libm's
/// scalar `expf` would dominate a sampling step (hundreds of transcendental calls per path-step). Polynomials run
/// on FMA instructions (`fma`), since Swift never fuses `*` and `+`; with the reciprocal estimate and the square root
/// instruction that made a sampling step 15 % faster (`barnn-bench sample`).
public enum FastMath {
    @usableFromInline static let eighthsPerLn2: Float = 11.541_560_327_111_707  // 8 · log2(e)
    // ln 2 / 8 split in two (Cody–Waite): the high part has 9 significant bits, so n · high is exact for |n| ≤ 1016.
    @usableFromInline static let ln2EighthHi: Float = 0.086_669_921_875
    @usableFromInline static let ln2EighthLo: Float = -2.652_430_500_683_632e-5
    @usableFromInline static let roundMagic: Float = 12_582_912  // 1.5 · 2^23

    /// `e^x` per lane; below -87 it gives e^-87 (about 1.6e-38), above 88 e^88; NaN stays NaN.
    ///
    /// e^x = 2^(n/8) · e^r with n = round(8x / ln 2) and |r| ≤ ln 2 / 16: 2^(n/8) is 2^⌊n/8⌋ (added to the exponent
    /// bits) times a table entry picked by a lane permute, and e^r needs only a degree-4 polynomial on so short an
    /// interval (relative error below 9e-8, under one ulp). That is four fewer vector operations than a degree-6
    /// polynomial on |r| ≤ ln 2 / 2, in the function that sigmoid, tanh and α spend most of their time in.
    @inlinable @inline(__always)
    public static func exp(_ x: SIMD8<Float>) -> SIMD8<Float> {
        exp(unclamped: clamp(x, -87, 88))
    }

    /// `e^x` per lane for x already in [-87, 88] (what `exp` computes after its clamp).
    @inlinable @inline(__always)
    public static func exp(unclamped x: SIMD8<Float>) -> SIMD8<Float> {
        let t = fma(x, SIMD8(repeating: eighthsPerLn2), SIMD8(repeating: roundMagic))
        let n = t - roundMagic
        let r = fma(n, SIMD8(repeating: -ln2EighthLo), fma(n, SIMD8(repeating: -ln2EighthHi), x))
        let tBits = unsafeBitCast(t, to: SIMD8<Int32>.self)
        let entry = tablePowerOfTwo(tBits)
        var q = fma(SIMD8(repeating: 0.041_666_668), r, SIMD8(repeating: 0.166_666_67))
        q = fma(q, r, 0.5)
        q = fma(q, r, 1)
        let mantissa = fma(entry * r, q, entry)
        // t's bits are those of 1.5 · 2^23 plus n, and the magic's low 12 bits are zero, so (bits & ~7) << 20 is
        // ⌊n/8⌋ · 2^23: added to a float's bits it multiplies by 2^⌊n/8⌋ (the result stays a normal float on
        // [-87, 88]).
        let exponent = (tBits & ~7) &<< 20
        return unsafeBitCast(unsafeBitCast(mantissa, to: SIMD8<Int32>.self) &+ exponent, to: SIMD8<Float>.self)
    }

    /// 2^(j/8) per lane, j = the low three bits of `index`: one `vpermps` over a table of the eight powers.
    @inlinable @inline(__always)
    static func tablePowerOfTwo(_ index: SIMD8<Int32>) -> SIMD8<Float> {
        // A literal here, not a static: a static SIMD8 is initialised lazily, and its `swift_once` check inside
        // the loops cost more than the table saves.
        let table = SIMD8<Float>(
            1, 1.090_507_732_665_257_7, 1.189_207_115_002_721, 1.296_839_554_651_009_6, 1.414_213_562_373_095_1,
            1.542_210_825_407_940_7, 1.681_792_830_507_429, 1.834_008_086_409_342_4)
        #if arch(x86_64)
            return _mm256_permutevar8x32_ps(table, unsafeBitCast(index, to: SIMD4<Int64>.self))
        #else
            var v = SIMD8<Float>()
            for j in 0..<8 { v[j] = table[Int(index[j] & 7)] }
            return v
        #endif
    }

    /// `min(max(x, lo), hi)` per lane; a NaN lane stays NaN.
    @inlinable @inline(__always)
    public static func clamp(_ x: SIMD8<Float>, _ lo: Float, _ hi: Float) -> SIMD8<Float> {
        let low = SIMD8<Float>(repeating: lo), high = SIMD8<Float>(repeating: hi)
        #if arch(x86_64)
            // vmaxps/vminps return their second operand when either is NaN, so x goes second: two instructions, where
            // the mask form compiles to three.
            return _mm256_min_ps(high, _mm256_max_ps(low, x))
        #else
            return x.replacing(with: low, where: x .< low).replacing(with: high, where: x .> high)
        #endif
    }

    /// `tanh(x)` per lane, as `1 - 2 / (e^{2x} + 1)`.
    @inlinable @inline(__always)
    public static func tanh(_ x: SIMD8<Float>) -> SIMD8<Float> {
        fma(SIMD8(repeating: -2), reciprocal(exp(x + x) + 1), SIMD8(repeating: 1))
    }

    /// The logistic function per lane.
    @inlinable @inline(__always)
    public static func sigmoid(_ x: SIMD8<Float>) -> SIMD8<Float> {
        reciprocal(1 + exp(-x))
    }

    /// `a · b + c` per lane, rounded once (one FMA instruction; `*` and `+` are never fused by the compiler).
    @inlinable @inline(__always)
    public static func fma(_ a: SIMD8<Float>, _ b: SIMD8<Float>, _ c: SIMD8<Float>) -> SIMD8<Float> {
        #if arch(x86_64)
            // The intrinsic: `addingProduct` is a loop over lanes that the optimiser does not always vectorise.
            _mm256_fmadd_ps(a, b, c)
        #else
            c.addingProduct(a, b)
        #endif
    }

    /// `a · b + c` per lane with a scalar `c`, rounded once.
    @inlinable @inline(__always)
    public static func fma(_ a: SIMD8<Float>, _ b: SIMD8<Float>, _ c: Float) -> SIMD8<Float> {
        fma(a, b, SIMD8(repeating: c))
    }

    /// `1 / x` per lane for x ≥ 1 (what sigmoid and tanh divide by): the hardware's 12-bit estimate and one Newton
    /// step (relative error below 3e-7), instead of a division that costs as much as the rest of a sigmoid.
    @inlinable @inline(__always)
    public static func reciprocal(_ x: SIMD8<Float>) -> SIMD8<Float> {
        #if arch(x86_64)
            let estimate = _mm256_rcp_ps(x)
            // y1 = y0 + y0·(1 − x·y0)
            return fma(estimate, fma(-x, estimate, SIMD8(repeating: 1)), estimate)
        #else
            return 1 / x
        #endif
    }

    /// Natural logarithm per lane for positive normal inputs (Cephes `logf` polynomial, no division;
    /// relative error below 3e-7).
    @inlinable @inline(__always)
    public static func log(_ x: SIMD8<Float>) -> SIMD8<Float> {
        // x = m · 2^e with m in [sqrt(1/2), sqrt(2)); log(m) = f + f²·(f·P(f) − 1/2) with f = m − 1.
        let bits = unsafeBitCast(x, to: SIMD8<Int32>.self)
        let adjusted = bits &- 0x3F35_04F3  // bit pattern of sqrt(1/2)
        let e = adjusted &>> 23
        let mBits = (adjusted & 0x007F_FFFF) &+ 0x3F35_04F3
        let f = unsafeBitCast(mBits, to: SIMD8<Float>.self) - 1
        let z = f * f
        var p = SIMD8<Float>(repeating: 7.037_683_629_2e-2)
        p = fma(p, f, -1.151_461_031_0e-1)
        p = fma(p, f, 1.167_699_874_0e-1)
        p = fma(p, f, -1.242_014_084_6e-1)
        p = fma(p, f, 1.424_932_278_7e-1)
        p = fma(p, f, -1.666_805_766_5e-1)
        p = fma(p, f, 2.000_071_476_5e-1)
        p = fma(p, f, -2.499_999_399_3e-1)
        p = fma(p, f, 3.333_333_117_4e-1)
        let ef = SIMD8<Float>(e)
        return fma(ef, SIMD8(repeating: 0.693_147_18), fma(z, fma(f, p, SIMD8(repeating: -0.5)), f))
    }

    /// √x per lane for x ≥ 0: the vector square root instruction on x86-64, since `SIMD8.squareRoot()` is
    /// scalarised.
    @inlinable @inline(__always)
    public static func sqrt(_ x: SIMD8<Float>) -> SIMD8<Float> {
        #if arch(x86_64)
            return _mm256_sqrt_ps(x)
        #else
            return newtonSquareRoot(x)
        #endif
    }

    /// √x per lane from a bit-trick reciprocal square root and three Newton steps (relative error below 2e-7),
    /// multiplies only, where no vector square root instruction is reachable.
    @inlinable @inline(__always)
    static func newtonSquareRoot(_ x: SIMD8<Float>) -> SIMD8<Float> {
        let bits = unsafeBitCast(x, to: SIMD8<Int32>.self)
        var y = unsafeBitCast(0x5F37_5A86 &- (bits &>> 1), to: SIMD8<Float>.self)
        let half = x * 0.5
        y = y * (1.5 - half * y * y)
        y = y * (1.5 - half * y * y)
        y = y * (1.5 - half * y * y)
        return x * y
    }

    /// Applies `f` to `count` floats in place, 8 lanes at a time (the tail goes through a padded vector).
    @inlinable @inline(__always)
    public static func apply(
        _ x: UnsafeMutablePointer<Float>, count: Int, _ f: (SIMD8<Float>) -> SIMD8<Float>
    ) {
        var i = 0
        let raw = UnsafeMutableRawPointer(x)
        while i + 8 <= count {
            let v = raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            raw.storeBytes(of: f(v), toByteOffset: i * 4, as: SIMD8<Float>.self)
            i += 8
        }
        if i < count {
            var v = SIMD8<Float>(repeating: 0)
            for j in 0..<(count - i) { v[j] = x[i + j] }
            let y = f(v)
            for j in 0..<(count - i) { x[i + j] = y[j] }
        }
    }
}
