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
