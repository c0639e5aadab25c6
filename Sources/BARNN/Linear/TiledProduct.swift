/// `y[R, n] = f(bias + x[R, k] · W[k, n])` in register tiles of 4 rows × up to 24 columns, W read in place.
///
/// The sampler's products are small ([R ≤ 256, k ≤ 68] · [k, n ≤ 192]) and the weights never change during a
/// forecast. sgemm packs both operands again on every call (OpenBLAS has no packed-operand API), which was an eighth
/// of a sampling step (`perf`), and a bias or activation needs its own pass over the output. Here W's rows are read
/// where they lie (a row of a 24-column panel is 96 contiguous bytes), the bias starts the accumulators and `f` is
/// applied in registers before the one store.
public enum TiledProduct {
    /// Whether `biased` takes a product with `n` columns (a multiple of 8).
    public static func fits(columns n: Int) -> Bool { n > 0 && n % 8 == 0 }

    /// `y[r, :] = f(bias + x[r, :] · W)` for `rows` rows; W is [k, n] row-major with n a multiple of 8, y has leading
    /// dimension n.
    @inlinable @inline(__always)
    public static func biased(
        rows: Int, x: UnsafePointer<Float>, ldx: Int, k: Int, w: UnsafePointer<Float>, n: Int,
        bias: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>,
        _ f: (SIMD8<Float>) -> SIMD8<Float>
    ) {
        precondition(fits(columns: n), "TiledProduct: \(n) columns is not a multiple of 8")
        // Panels outer, rows inner: a panel of W (k rows of 96 bytes) stays in L1 while the rows of x stream past
        // it in order.
        var j = 0
        while j < n {
            let vectors = Swift.min(3, (n - j) / 8)
            var r = 0
            while r < rows {
                // A short last block repeats its last row: the repeat computes and stores the same values again.
                let r1 = Swift.min(r + 1, rows - 1), r2 = Swift.min(r + 2, rows - 1), r3 = Swift.min(r + 3, rows - 1)
                let x0 = x + r * ldx, x1 = x + r1 * ldx, x2 = x + r2 * ldx, x3 = x + r3 * ldx
                let y0 = y + r * n + j, y1 = y + r1 * n + j, y2 = y + r2 * n + j, y3 = y + r3 * n + j
                switch vectors {
                case 3: tile(3, k: k, x0, x1, x2, x3, w: w + j, ldw: n, bias: bias + j, y0, y1, y2, y3, f)
                case 2: tile(2, k: k, x0, x1, x2, x3, w: w + j, ldw: n, bias: bias + j, y0, y1, y2, y3, f)
                default: tile(1, k: k, x0, x1, x2, x3, w: w + j, ldw: n, bias: bias + j, y0, y1, y2, y3, f)
                }
                r += 4
            }
            j += 8 * vectors
        }
    }

    /// One tile: 4 rows × 8·`vectors` columns in up to 12 accumulators (two FMA pipes of five cycles' latency need
    /// ten in flight), each step of k one broadcast a row and one load of W a vector.
    @inlinable @inline(__always)
    static func tile(
        _ vectors: Int, k: Int, _ x0: UnsafePointer<Float>, _ x1: UnsafePointer<Float>, _ x2: UnsafePointer<Float>,
        _ x3: UnsafePointer<Float>, w: UnsafePointer<Float>, ldw: Int, bias: UnsafePointer<Float>,
        _ y0: UnsafeMutablePointer<Float>, _ y1: UnsafeMutablePointer<Float>, _ y2: UnsafeMutablePointer<Float>,
        _ y3: UnsafeMutablePointer<Float>, _ f: (SIMD8<Float>) -> SIMD8<Float>
    ) {
        let b = UnsafeRawPointer(bias)
        let b0 = b.loadUnaligned(as: SIMD8<Float>.self)
        let b1 = vectors > 1 ? b.loadUnaligned(fromByteOffset: 32, as: SIMD8<Float>.self) : b0
        let b2 = vectors > 2 ? b.loadUnaligned(fromByteOffset: 64, as: SIMD8<Float>.self) : b0
        var c00 = b0, c01 = b1, c02 = b2
        var c10 = b0, c11 = b1, c12 = b2
        var c20 = b0, c21 = b1, c22 = b2
        var c30 = b0, c31 = b1, c32 = b2
        var wRow = UnsafeRawPointer(w)
        let stride = ldw * 4
        for i in 0..<k {
            // All of W's vectors first, then one row's broadcast at a time: 12 accumulators, 3 W vectors and one
            // broadcast fill the 16 registers exactly, where loading the four broadcasts first spills.
            let w0 = wRow.loadUnaligned(as: SIMD8<Float>.self)
            let w1 = vectors > 1 ? wRow.loadUnaligned(fromByteOffset: 32, as: SIMD8<Float>.self) : w0
            let w2 = vectors > 2 ? wRow.loadUnaligned(fromByteOffset: 64, as: SIMD8<Float>.self) : w0
            multiplyAdd(x0[i], w0, w1, w2, vectors, &c00, &c01, &c02)
            multiplyAdd(x1[i], w0, w1, w2, vectors, &c10, &c11, &c12)
            multiplyAdd(x2[i], w0, w1, w2, vectors, &c20, &c21, &c22)
            multiplyAdd(x3[i], w0, w1, w2, vectors, &c30, &c31, &c32)
            wRow += stride
        }
        store(f(c00), f(c01), f(c02), vectors, y0)
        store(f(c10), f(c11), f(c12), vectors, y1)
        store(f(c20), f(c21), f(c22), vectors, y2)
        store(f(c30), f(c31), f(c32), vectors, y3)
    }

    /// One row's step of k: `c_v += x · w_v` for the tile's first `vectors` vectors.
    @inlinable @inline(__always)
    static func multiplyAdd(
        _ x: Float, _ w0: SIMD8<Float>, _ w1: SIMD8<Float>, _ w2: SIMD8<Float>, _ vectors: Int,
        _ c0: inout SIMD8<Float>, _ c1: inout SIMD8<Float>, _ c2: inout SIMD8<Float>
    ) {
        let a = SIMD8<Float>(repeating: x)
        c0 = FastMath.fma(a, w0, c0)
        if vectors > 1 { c1 = FastMath.fma(a, w1, c1) }
        if vectors > 2 { c2 = FastMath.fma(a, w2, c2) }
    }

    /// Stores the tile's first `vectors` vectors of one row at `y`.
    @inlinable @inline(__always)
    static func store(
        _ a: SIMD8<Float>, _ b: SIMD8<Float>, _ c: SIMD8<Float>, _ vectors: Int, _ y: UnsafeMutablePointer<Float>
    ) {
        let out = UnsafeMutableRawPointer(y)
        out.storeBytes(of: a, as: SIMD8<Float>.self)
        if vectors > 1 { out.storeBytes(of: b, toByteOffset: 32, as: SIMD8<Float>.self) }
        if vectors > 2 { out.storeBytes(of: c, toByteOffset: 64, as: SIMD8<Float>.self) }
    }
}
