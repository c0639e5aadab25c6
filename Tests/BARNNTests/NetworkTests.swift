import Testing

@testable import BARNN

/// The BLAS + vectorised Float forward against the plain-loop Double reference.
@Suite struct NetworkTests {
    @Test func blasForwardMatchesTheLoopReference() {
        let c = BARNNConfiguration(hiddenSize: 12, embeddingSize: 5, alphaWidth: 7, timeFeatures: 4)
        var rng = SeededRNG(seed: 21)
        var parameters = ParameterLayout(c).initialParameters(rng: &rng)
        var jitter = [Float](repeating: 0, count: parameters.count)
        jitter.withUnsafeMutableBufferPointer { rng.fillNormal($0) }
        for i in parameters.indices { parameters[i] += 0.2 * jitter[i] }  // make α vary across rows
        let model = BARNNModel(configuration: c, parameters: parameters)
        let ws = BARNNWorkspace(configuration: c)
        let rows = 3
        ws.reserve(rows: rows, horizon: 1)
        let noiseCount = rows * (c.embeddingSize + c.hiddenSize + 1)
        rng.fillNormal(UnsafeMutableBufferPointer(start: ws.eps, count: noiseCount))
        rng.fillNormal(UnsafeMutableBufferPointer(start: ws.x, count: rows * c.inputSize))
        rng.fillNormal(UnsafeMutableBufferPointer(start: ws.h0, count: rows * c.hiddenSize))
        for noise in [false, true] {
            model.forward(rows: rows, workspace: ws, noise: noise)
            var worst = 0.0
            for r in 0..<rows {
                let x = (0..<c.inputSize).map { Double(ws.x[r * c.inputSize + $0]) }
                let h = (0..<c.hiddenSize).map { Double(ws.h0[r * c.hiddenSize + $0]) }
                let epsX = (0..<c.embeddingSize).map { noise ? Double(ws.eps[r * c.embeddingSize + $0]) : 0 }
                let epsH = (0..<c.hiddenSize).map {
                    noise ? Double(ws.eps[rows * c.embeddingSize + r * c.hiddenSize + $0]) : 0
                }
                let reference = referenceStep(
                    parameters: parameters, configuration: c, x: x, h: h, epsX: epsX, epsH: epsH)
                for j in 0..<c.hiddenSize {
                    worst = max(worst, abs(reference.h[j] - Double(ws.h1[r * c.hiddenSize + j])))
                }
                worst = max(worst, abs(reference.mean - Double(ws.out[2 * r])))
                worst = max(worst, abs(reference.logVariance - Double(ws.out[2 * r + 1])))
            }
            // Float32 with fast exp/tanh (≤ 4e-7 relative) on O(1) activations: 1e-5 absolute.
            #expect(worst < 1e-5, "noise \(noise): maxdiff \(worst)")
        }
    }
}
