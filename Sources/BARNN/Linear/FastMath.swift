#if arch(x86_64)
    // Public because the inlinable kernels below call its FMA, reciprocal and square root instructions.
    public import _Builtin_intrinsics.intel
#endif

/// Vectorised single-precision transcendental kernels on `SIMD8<Float>` (AVX2 width).
///
/// `exp` uses a Cody–Waite range reduction and a degree-6 polynomial (relative error below 2e-7 on
/// [-87, 88]); `tanh` and `sigmoid` are built from it. They exist because libm's scalar `expf` would
/// dominate a sampling step (hundreds of transcendental calls per path-step). Polynomials run on FMA
/// instructions (`fma`), since Swift never fuses `*` and `+`; with the reciprocal estimate and the square root
/// instruction that made a sampling step 15 % faster (`barnn-bench sample`).
public enum FastMath {
    @usableFromInline static let log2e: Float = 1.442_695_04
    @usableFromInline static let ln2Hi: Float = 0.693_359_375
    @usableFromInline static let ln2Lo: Float = -2.121_944_4e-4
    @usableFromInline static let roundMagic: Float = 12_582_912  // 1.5 · 2^23

    /// `e^x` per lane; saturates to 0 below -87 and to ~e^88 above 88.
    @inlinable @inline(__always)
    public static func exp(_ x: SIMD8<Float>) -> SIMD8<Float> {
        let xc = clamp(x, -87, 88)
        let t = fma(xc, SIMD8(repeating: log2e), SIMD8(repeating: roundMagic))
        let n = t - roundMagic
        let r = fma(n, SIMD8(repeating: -ln2Lo), fma(n, SIMD8(repeating: -ln2Hi), xc))
        var p = SIMD8<Float>(repeating: 1.987_569_15e-4)
        p = fma(p, r, 1.398_199_950_7e-3)
        p = fma(p, r, 8.333_451_907_3e-3)
        p = fma(p, r, 4.166_579_589_4e-2)
        p = fma(p, r, 1.666_666_545_9e-1)
        p = fma(p, r, 5.000_000_120_1e-1)
        p = fma(p * r, r, r + 1)
        let bits = unsafeBitCast(t, to: SIMD8<Int32>.self) &- Int32(bitPattern: roundMagic.bitPattern)
        let scale = unsafeBitCast((bits &+ 127) &<< 23, to: SIMD8<Float>.self)
        return p * scale
    }

    /// `min(max(x, lo), hi)` per lane, written with masks so it inlines to two AVX instructions.
    @inlinable @inline(__always)
    public static func clamp(_ x: SIMD8<Float>, _ lo: Float, _ hi: Float) -> SIMD8<Float> {
        let low = SIMD8<Float>(repeating: lo), high = SIMD8<Float>(repeating: hi)
        return x.replacing(with: low, where: x .< low).replacing(with: high, where: x .> high)
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
