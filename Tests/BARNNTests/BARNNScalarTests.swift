import Foundation
import Testing

@testable import BARNN

/// The `Float` kernels `BARNNScalar` adds beside GEMM and the activations, against plain loops.
@Suite struct BARNNScalarTests {
    @Test func copyRowsRepeatsOrCopiesRowsOfEveryLength() {
        for count in [1, 2, 7, 8, 9, 16, 23, 192] {
            let rows = 5
            let source = (0..<(rows * (count + 3))).map { Float($0) + 0.5 }
            var repeated = [Float](repeating: -1, count: rows * count)
            var strided = [Float](repeating: -1, count: rows * (count + 1))
            source.withUnsafeBufferPointer { s in
                Float.copyRows(
                    s.baseAddress!, sourceStride: 0, into: &repeated, destinationStride: count, rows: rows,
                    count: count)
                Float.copyRows(
                    s.baseAddress!, sourceStride: count + 3, into: &strided, destinationStride: count + 1,
                    rows: rows, count: count)
            }
            for r in 0..<rows {
                #expect(Array(repeated[(r * count)..<((r + 1) * count)]) == Array(source[0..<count]), "n=\(count)")
                let copied = Array(strided[(r * (count + 1))..<(r * (count + 1) + count)])
                #expect(copied == Array(source[(r * (count + 3))..<(r * (count + 3) + count)]), "n=\(count)")
                #expect(strided[r * (count + 1) + count] == -1, "the gap between rows is left alone")
            }
        }
    }

    /// The written-out two-column product (the head's) against a Double loop, for k with and without a tail after
    /// its eight-wide vectors, with x rows wider than k (a leading dimension) as the sampler passes them.
    @Test(arguments: [64, 12, 5, 8, 1])
    func twoColumnProductsMatchALoop(k: Int) {
        let n = 2
        var rng = SeededRNG(seed: UInt64(k * 100 + n))
        let rows = 9, ldx = k + 3
        var x = [Float](repeating: 0, count: rows * ldx), w = [Float](repeating: 0, count: k * n)
        var bias = [Float](repeating: 0, count: n)
        x.withUnsafeMutableBufferPointer { rng.fillNormal($0) }
        w.withUnsafeMutableBufferPointer { rng.fillNormal($0) }
        bias.withUnsafeMutableBufferPointer { rng.fillNormal($0) }
        var y = [Float](repeating: .nan, count: rows * n)
        Float.twoColumnLinear(rows: rows, x: x, ldx: ldx, k: k, w: w, bias: bias, y: &y)
        for r in 0..<rows {
            for j in 0..<n {
                var expected = Double(bias[j])
                for i in 0..<k { expected += Double(x[r * ldx + i]) * Double(w[i * n + j]) }
                #expect(abs(Double(y[r * n + j]) - expected) < 1e-5 * Double(k), "k=\(k) n=\(n) y[\(r), \(j)]")
            }
        }
    }

    /// The tiled biased product against a Double loop: columns in panels of 24, 16 and 8 (and 12, which takes the
    /// GEMM path), row counts that leave 1, 2 or 3 rows for the last tile, k down to 1, x rows wider than k, and tanh.
    @Test(arguments: [8, 16, 24, 32, 40, 64, 192, 12])
    func biasedProductsMatchALoop(n: Int) {
        for (rows, k) in [(1, 7), (2, 16), (3, 1), (5, 68), (8, 32), (33, 64)] {
            for tanh in [false, true] {
                var rng = SeededRNG(seed: UInt64(n * 1000 + rows * 10 + k))
                let ldx = k + 3
                var x = [Float](repeating: 0, count: rows * ldx), w = [Float](repeating: 0, count: k * n)
                var bias = [Float](repeating: 0, count: n)
                x.withUnsafeMutableBufferPointer { rng.fillNormal($0) }
                w.withUnsafeMutableBufferPointer { rng.fillNormal($0) }
                bias.withUnsafeMutableBufferPointer { rng.fillNormal($0) }
                // One row more than the product's, which it must leave alone.
                var y = [Float](repeating: .nan, count: (rows + 1) * n)
                Float.biasedProduct(rows: rows, x: x, ldx: ldx, k: k, w: w, n: n, bias: bias, y: &y, tanh: tanh)
                for r in 0..<rows {
                    for j in 0..<n {
                        var expected = Double(bias[j])
                        for i in 0..<k { expected += Double(x[r * ldx + i]) * Double(w[i * n + j]) }
                        if tanh { expected = Foundation.tanh(expected) }
                        let label = "n=\(n) rows=\(rows) k=\(k) tanh=\(tanh) y[\(r), \(j)]"
                        #expect(abs(Double(y[r * n + j]) - expected) < 1e-5 * Double(k), "\(label)")
                    }
                }
                let untouched = y[(rows * n)...].allSatisfy { $0.isNaN }
                #expect(untouched, "n=\(n) rows=\(rows): the row after is left alone")
            }
        }
    }
}
