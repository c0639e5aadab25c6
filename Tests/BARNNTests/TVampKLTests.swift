import Foundation
import Testing

@testable import BARNN

/// The batch-moment KL of BARNN.md against a direct transcription, and its gradient through the moments.
@Suite struct TVampKLTests {
    let rows = 5, units = 3
    let alpha: [Double] = [0.5, 1.2, 2.0, 0.9, 1.1, 0.3, 1.7, 0.6, 1.0, 1.4, 0.8, 2.2, 0.7, 1.3, 0.4]

    /// A direct transcription of the formula: per unit, batch mean m and mean square v, then the mean over rows.
    func direct(_ a: [Double]) -> Double {
        var total = 0.0
        for j in 0..<units {
            let column = (0..<rows).map { a[$0 * units + j] }
            let m = column.reduce(0, +) / Double(rows)
            let v = column.map { $0 * $0 }.reduce(0, +) / Double(rows)
            let perRow = column.map { x in 0.5 * ((x - m) * (x - m) / v + x * x / v - 1 - log(x * x / v)) }
            total += perRow.reduce(0, +) / Double(rows)
        }
        return total
    }

    @Test func valueMatchesTheFormula() {
        let value = alpha.withUnsafeBufferPointer {
            TVampKL.accumulate(alpha: $0.baseAddress!, rows: rows, units: units, ld: units)
        }
        #expect(abs(value - direct(alpha)) < 1e-12)
        #expect(value > 0)
    }

    @Test func constantAlphaHasZeroKL() {
        let constant = [Double](repeating: 1.7, count: rows * units)
        let value = constant.withUnsafeBufferPointer {
            TVampKL.accumulate(alpha: $0.baseAddress!, rows: rows, units: units, ld: units)
        }
        // α = m for every row gives ½[0 + α²/α² − 1 − log 1] = 0: the prior penalises dispersion only.
        #expect(abs(value) < 1e-12)
    }

    /// Central differences (step 1e-6) of the direct formula; relative tolerance 1e-6.
    @Test func gradientFlowsThroughTheBatchMoments() {
        var gradient = [Double](repeating: 0, count: alpha.count)
        _ = alpha.withUnsafeBufferPointer { a in
            gradient.withUnsafeMutableBufferPointer { g in
                TVampKL.accumulate(
                    alpha: a.baseAddress!, rows: rows, units: units, ld: units, gradient: g.baseAddress!, scale: 1)
            }
        }
        var worst = 0.0
        var perturbed = alpha
        for i in alpha.indices {
            perturbed[i] = alpha[i] + 1e-6
            let up = direct(perturbed)
            perturbed[i] = alpha[i] - 1e-6
            let down = direct(perturbed)
            perturbed[i] = alpha[i]
            let numeric = (up - down) / 2e-6
            worst = max(worst, abs(numeric - gradient[i]) / max(1e-6, abs(numeric)))
        }
        #expect(worst < 1e-6, "worst relative error \(worst)")
        // Treating m and v as constants would give (1/B)[(α−m)/v + α/v − 1/α]: the moment terms matter.
        let column = (0..<rows).map { alpha[$0 * units] }
        let m = column.reduce(0, +) / Double(rows), v = column.map { $0 * $0 }.reduce(0, +) / Double(rows)
        let naive = ((alpha[0] - m) / v + alpha[0] / v - 1 / alpha[0]) / Double(rows)
        #expect(abs(gradient[0] - naive) > 1e-3)
    }
}
