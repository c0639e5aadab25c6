public import COpenBLAS
import Foundation

/// A floating-point type the network math runs in: `Float` on the hot paths, `Double` for gradient checks.
///
/// Matrices are row-major `[rows, cols]`; every kernel writes into caller-owned memory and allocates nothing.
public protocol BARNNScalar: BinaryFloatingPoint, Sendable {
    /// `C[m, n] = alpha · op(A) · op(B) + beta · C` on row-major operands (cblas `?gemm`).
    static func gemm(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Self,
        a: UnsafePointer<Self>, lda: Int, b: UnsafePointer<Self>, ldb: Int,
        beta: Self, c: UnsafeMutablePointer<Self>, ldc: Int)
    /// `x[i] = exp(x[i])` for `count` elements.
    static func expInPlace(_ x: UnsafeMutablePointer<Self>, count: Int)
    /// `x[i] = tanh(x[i])` for `count` elements.
    static func tanhInPlace(_ x: UnsafeMutablePointer<Self>, count: Int)
    /// `x[i] = 1 / (1 + exp(-x[i]))` for `count` elements.
    static func sigmoidInPlace(_ x: UnsafeMutablePointer<Self>, count: Int)
    /// `a[i] = exp(min(max(o[i], −bound), bound))` for `count` elements (α of the encoders).
    static func clampedExp(_ o: UnsafePointer<Self>, into a: UnsafeMutablePointer<Self>, count: Int, bound: Self)
    /// Copies `count` values from each of `rows` rows of `source` (row stride `sourceStride`, 0 to repeat one row)
    /// into the rows of `destination` (row stride `destinationStride`).
    static func copyRows(
        _ source: UnsafePointer<Self>, sourceStride: Int, into destination: UnsafeMutablePointer<Self>,
        destinationStride: Int, rows: Int, count: Int)
    /// `y[r, :] = bias + x[r, :] · W[k, n]` for `rows` rows (y with leading dimension n), through tanh when `tanh` is
    /// set.
    static func biasedProduct(
        rows: Int, x: UnsafePointer<Self>, ldx: Int, k: Int, w: UnsafePointer<Self>, n: Int,
        bias: UnsafePointer<Self>, y: UnsafeMutablePointer<Self>, tanh: Bool)
    /// Scalar natural logarithm.
    static func log(_ x: Self) -> Self
    /// Scalar exponential.
    static func exp(_ x: Self) -> Self
}

extension Float: BARNNScalar {
    @inlinable
    public static func gemm(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        cblas_sgemm(
            CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
            blasint(m), blasint(n), blasint(k), alpha, a, blasint(lda), b, blasint(ldb), beta, c, blasint(ldc))
    }

    public static func expInPlace(_ x: UnsafeMutablePointer<Float>, count: Int) {
        FastMath.apply(x, count: count) { FastMath.exp($0) }
    }

    public static func tanhInPlace(_ x: UnsafeMutablePointer<Float>, count: Int) {
        FastMath.apply(x, count: count) { FastMath.tanh($0) }
    }

    public static func sigmoidInPlace(_ x: UnsafeMutablePointer<Float>, count: Int) {
        FastMath.apply(x, count: count) { FastMath.sigmoid($0) }
    }

    public static func clampedExp(
        _ o: UnsafePointer<Float>, into a: UnsafeMutablePointer<Float>, count: Int, bound: Float
    ) {
        let src = UnsafeRawPointer(o), dst = UnsafeMutableRawPointer(a)
        // Clamped here already, the vector exp can skip its own clamp.
        let vectorBound = Swift.min(bound, 87)
        var i = 0
        while i + 8 <= count {
            let v = src.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            dst.storeBytes(
                of: FastMath.exp(unclamped: FastMath.clamp(v, -vectorBound, vectorBound)), toByteOffset: i * 4,
                as: SIMD8<Float>.self)
            i += 8
        }
        while i < count {
            a[i] = Foundation.exp(Swift.min(Swift.max(o[i], -bound), bound))
            i += 1
        }
    }

    // Inline vector moves, not a `memmove` a row: the rows are short (2 to 192 values) and a sampling step copies
    // a bias row before each of its eight GEMMs, so the calls' overhead was 4 % of sampling (`perf`).
    public static func copyRows(
        _ source: UnsafePointer<Float>, sourceStride: Int, into destination: UnsafeMutablePointer<Float>,
        destinationStride: Int, rows: Int, count: Int
    ) {
        for r in 0..<rows {
            let from = source + r * sourceStride, to = destination + r * destinationStride
            let src = UnsafeRawPointer(from), dst = UnsafeMutableRawPointer(to)
            var j = 0
            while j + 8 <= count {
                dst.storeBytes(
                    of: src.loadUnaligned(fromByteOffset: j * 4, as: SIMD8<Float>.self), toByteOffset: j * 4,
                    as: SIMD8<Float>.self)
                j += 8
            }
            while j < count {
                to[j] = from[j]
                j += 1
            }
        }
    }

    // Register tiles with W read in place (`TiledProduct`) wherever the columns come in vectors: 1.15–1.9× sgemm
    // with its bias copy on the sampler's shapes (`barnn-bench products`); two columns (the head) are two dot
    // products a row; any other width is the bias copy and sgemm.
    public static func biasedProduct(
        rows: Int, x: UnsafePointer<Float>, ldx: Int, k: Int, w: UnsafePointer<Float>, n: Int,
        bias: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, tanh: Bool
    ) {
        if n == 2 && !tanh { return twoColumnLinear(rows: rows, x: x, ldx: ldx, k: k, w: w, bias: bias, y: y) }
        guard TiledProduct.fits(columns: n) else {
            copyRows(bias, sourceStride: 0, into: y, destinationStride: n, rows: rows, count: n)
            gemm(
                transA: false, transB: false, m: rows, n: n, k: k, alpha: 1, a: x, lda: ldx, b: w, ldb: n, beta: 1,
                c: y, ldc: n)
            if tanh { tanhInPlace(y, count: rows * n) }
            return
        }
        if tanh {
            TiledProduct.biased(rows: rows, x: x, ldx: ldx, k: k, w: w, n: n, bias: bias, y: y) { FastMath.tanh($0) }
        } else {
            TiledProduct.biased(rows: rows, x: x, ldx: ldx, k: k, w: w, n: n, bias: bias, y: y) { $0 }
        }
    }

    /// `y[r, :] = bias + x[r, :] · W[k, 2]` for `rows` rows: a product with two columns (the head's mean and
    /// log-variance).
    ///
    /// Two dot products a row, not a GEMM call: sgemm packs both operands first, and on the head's [R, 64] · [64, 2]
    /// that packing costs more than the products (7 GFLOP/s, against 67 on the gate matmul's shape).
    static func twoColumnLinear(
        rows: Int, x: UnsafePointer<Float>, ldx: Int, k: Int, w: UnsafePointer<Float>, bias: UnsafePointer<Float>,
        y: UnsafeMutablePointer<Float>
    ) {
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 2 * k) { columns in
            // W's two columns, each contiguous, for vector loads along k.
            let first = columns.baseAddress!, second = first + k
            for j in 0..<k {
                first[j] = w[2 * j]
                second[j] = w[2 * j + 1]
            }
            twoColumnProducts(rows: rows, x: x, ldx: ldx, k: k, first, second, bias: bias, y: y)
        }
    }

    /// `y[r, 0] = bias[0] + x[r, :] · first`, `y[r, 1] = bias[1] + x[r, :] · second` (y row-major [rows, 2]).
    @inline(__always)
    static func twoColumnProducts(
        rows: Int, x: UnsafePointer<Float>, ldx: Int, k: Int, _ first: UnsafePointer<Float>,
        _ second: UnsafePointer<Float>, bias: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>
    ) {
        let vectorEnd = k - k % 8
        let firstRaw = UnsafeRawPointer(first), secondRaw = UnsafeRawPointer(second)
        for r in 0..<rows {
            let xr = x + r * ldx, xRaw = UnsafeRawPointer(xr)
            var a = SIMD8<Float>(repeating: 0), b = SIMD8<Float>(repeating: 0)
            var j = 0
            while j < vectorEnd {
                let v = xRaw.loadUnaligned(fromByteOffset: j * 4, as: SIMD8<Float>.self)
                a = FastMath.fma(v, firstRaw.loadUnaligned(fromByteOffset: j * 4, as: SIMD8<Float>.self), a)
                b = FastMath.fma(v, secondRaw.loadUnaligned(fromByteOffset: j * 4, as: SIMD8<Float>.self), b)
                j += 8
            }
            var sumA = horizontalSum(a), sumB = horizontalSum(b)
            while j < k {
                sumA += xr[j] * first[j]
                sumB += xr[j] * second[j]
                j += 1
            }
            y[2 * r] = bias[0] + sumA
            y[2 * r + 1] = bias[1] + sumB
        }
    }

    /// The sum of a vector's lanes, by halves (`SIMD8.sum()` is a lane-by-lane loop).
    @inline(__always)
    static func horizontalSum(_ v: SIMD8<Float>) -> Float {
        let four = v.lowHalf + v.highHalf
        let two = four.lowHalf + four.highHalf
        return two[0] + two[1]
    }

    public static func log(_ x: Float) -> Float { Foundation.log(x) }
    public static func exp(_ x: Float) -> Float { Foundation.exp(x) }
}

extension Double: BARNNScalar {
    public static func gemm(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Double,
        a: UnsafePointer<Double>, lda: Int, b: UnsafePointer<Double>, ldb: Int,
        beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int
    ) {
        cblas_dgemm(
            CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
            blasint(m), blasint(n), blasint(k), alpha, a, blasint(lda), b, blasint(ldb), beta, c, blasint(ldc))
    }

    public static func expInPlace(_ x: UnsafeMutablePointer<Double>, count: Int) {
        for i in 0..<count { x[i] = Foundation.exp(x[i]) }
    }

    public static func tanhInPlace(_ x: UnsafeMutablePointer<Double>, count: Int) {
        for i in 0..<count { x[i] = Foundation.tanh(x[i]) }
    }

    public static func sigmoidInPlace(_ x: UnsafeMutablePointer<Double>, count: Int) {
        for i in 0..<count { x[i] = 1 / (1 + Foundation.exp(-x[i])) }
    }

    public static func clampedExp(
        _ o: UnsafePointer<Double>, into a: UnsafeMutablePointer<Double>, count: Int, bound: Double
    ) {
        for i in 0..<count { a[i] = Foundation.exp(Swift.min(Swift.max(o[i], -bound), bound)) }
    }

    public static func copyRows(
        _ source: UnsafePointer<Double>, sourceStride: Int, into destination: UnsafeMutablePointer<Double>,
        destinationStride: Int, rows: Int, count: Int
    ) {
        for r in 0..<rows {
            (destination + r * destinationStride).update(from: source + r * sourceStride, count: count)
        }
    }

    public static func biasedProduct(
        rows: Int, x: UnsafePointer<Double>, ldx: Int, k: Int, w: UnsafePointer<Double>, n: Int,
        bias: UnsafePointer<Double>, y: UnsafeMutablePointer<Double>, tanh: Bool
    ) {
        copyRows(bias, sourceStride: 0, into: y, destinationStride: n, rows: rows, count: n)
        gemm(
            transA: false, transB: false, m: rows, n: n, k: k, alpha: 1, a: x, lda: ldx, b: w, ldb: n, beta: 1, c: y,
            ldc: n)
        if tanh { tanhInPlace(y, count: rows * n) }
    }

    public static func log(_ x: Double) -> Double { Foundation.log(x) }
    public static func exp(_ x: Double) -> Double { Foundation.exp(x) }
}

/// The BLAS thread count: the only process-wide state BARNN touches.
public enum BLASThreads {
    /// Sets OpenBLAS's thread count for every later call in this process.
    public static func set(_ count: Int) { openblas_set_num_threads(Int32(max(1, count))) }
    /// The current OpenBLAS thread count.
    public static var current: Int { Int(openblas_get_num_threads()) }
}
