import Foundation
import Testing

@testable import BARNN

/// The vectorised kernels against libm, relative tolerances stated per function.
@Suite struct FastMathTests {
    let xs: [Float] = stride(from: -20, through: 20, by: 0.037).map { Float($0) }

    @Test func expMatchesLibm() {
        var y = xs
        y.withUnsafeMutableBufferPointer { Float.expInPlace($0.baseAddress!, count: $0.count) }
        for (x, v) in zip(xs, y) { #expect(abs(v - Foundation.exp(x)) <= 4e-7 * Foundation.exp(x), "exp(\(x))") }
    }

    /// Under one ulp (1.19e-7) of the double-precision e^x over the whole unclamped range, where the exponent is
    /// added to the bits: every eighth of ln 2 (each table entry, both signs of n) and the ends of the range.
    @Test func expIsWithinAnUlpOverItsWholeRange() {
        let count = 700_008
        var inputs = (0..<count).map { Float(-87 + 175 * Double($0) / Double(count - 1)) }
        inputs += [-87, 88, -86.999_99, 87.999_99, 0, -0.0, 1e-30, -1e-30, 0.043_3, -0.043_3]
        var worst = 0.0
        // The last vector is padded with the last input, so the inputs after the last whole vector are checked too.
        for chunk in stride(from: 0, to: inputs.count, by: 8) {
            var v = SIMD8<Float>()
            for j in 0..<8 { v[j] = inputs[min(chunk + j, inputs.count - 1)] }
            let e = FastMath.exp(v)
            for j in 0..<8 {
                let expected = Foundation.exp(Double(v[j]))
                worst = max(worst, abs(Double(e[j]) / expected - 1))
            }
        }
        #expect(worst < 1.0e-7, "worst relative error \(worst)")
    }

    @Test func expSaturatesAndKeepsNaN() {
        let e = FastMath.exp(SIMD8(-1e9, -200, -88, 89, 200, 1e9, .infinity, .nan))
        #expect(e[0] == e[1] && e[1] == e[2] && e[0] > 0 && e[0] < 2e-38, "e^-87 below")
        #expect(e[3] == e[4] && e[4] == e[5] && e[5] == e[6] && e[3] > 1.6e38 && e[3].isFinite, "e^88 above")
        #expect(e[7].isNaN)
        #expect(FastMath.clamp(SIMD8(repeating: .nan), -1, 1)[0].isNaN)
        #expect(
            FastMath.clamp(SIMD8(-3, -1, 0, 0.5, 1, 3, -.infinity, .infinity), -1, 1)
                == SIMD8(-1, -1, 0, 0.5, 1, 1, -1, 1))
    }

    @Test func tanhAndSigmoidMatchLibm() {
        var t = xs, s = xs
        t.withUnsafeMutableBufferPointer { Float.tanhInPlace($0.baseAddress!, count: $0.count) }
        s.withUnsafeMutableBufferPointer { Float.sigmoidInPlace($0.baseAddress!, count: $0.count) }
        for i in xs.indices {
            #expect(abs(t[i] - Foundation.tanh(xs[i])) < 1e-6, "tanh(\(xs[i]))")
            #expect(abs(s[i] - 1 / (1 + Foundation.exp(-xs[i]))) < 1e-6, "sigmoid(\(xs[i]))")
        }
    }

    @Test func reciprocalIsWithinThreeTenMillionthsFromOneUp() {
        let inputs: [Float] = (0..<4000).map { Float(1 + Double($0) * 0.37) } + [1.000_001, 7.5e8, 3e20, 1e30]
        for chunk in stride(from: 0, to: inputs.count - 8, by: 8) {
            var v = SIMD8<Float>()
            for j in 0..<8 { v[j] = inputs[chunk + j] }
            let r = FastMath.reciprocal(v)
            for j in 0..<8 {
                let x = Double(inputs[chunk + j])
                #expect(abs(Double(r[j]) * x - 1) <= 3e-7, "1/\(x)")
            }
        }
        // e^88 + 1, the largest a sigmoid divides by: the result underflows towards 0 and stays finite.
        let r = FastMath.reciprocal(SIMD8(repeating: Float(1.65e38)))[0]
        #expect(r.isFinite && r >= 0 && r < 1e-37)
    }

    @Test func sqrtMatchesLibm() {
        let inputs: [Float] = [0, 1e-30, 1e-7, 0.5, 1, 2, 3, 10, 123.456, 1e6, 5e30]
        for x in inputs {
            let v = FastMath.sqrt(SIMD8<Float>(repeating: x))[3]
            #expect(abs(v - x.squareRoot()) <= 3e-7 * x.squareRoot(), "sqrt(\(x))")
        }
    }

    @Test func logMatchesLibm() {
        let inputs: [Float] = (1...2000).map { Float($0) * 5e-4 } + [1e-7, 3e-5, 0.999_999]
        for chunk in stride(from: 0, to: inputs.count - 8, by: 8) {
            var v = SIMD8<Float>()
            for j in 0..<8 { v[j] = inputs[chunk + j] }
            let l = FastMath.log(v)
            for j in 0..<8 {
                let expected = Foundation.log(inputs[chunk + j])
                #expect(abs(l[j] - expected) <= 3e-7 * max(1, abs(expected)), "log(\(inputs[chunk + j]))")
            }
        }
    }
}
