@testable import BARNN

/// Small shapes so a finite-difference sweep over every parameter stays cheap in a debug build.
let tinyConfiguration = BARNNConfiguration(
    hiddenSize: 5, embeddingSize: 3, alphaWidth: 4, timeFeatures: 2, beta: 0.5, logAlphaBound: 6)

extension BARNNConfiguration {
    /// A copy with `timeFeatures` replaced.
    func with(timeFeatures: Int) -> BARNNConfiguration {
        var copy = self
        copy.timeFeatures = timeFeatures
        return copy
    }
}

/// A `TrainingGraph<Double>` filled with seeded inputs, targets, mask and noise.
func makeDoubleGraph(
    batch: Int, time: Int, seed: UInt64, configuration c: BARNNConfiguration = tinyConfiguration
) -> TrainingGraph<Double> {
    let graph = TrainingGraph<Double>(configuration: c, batch: batch, time: time)
    var rng = SeededRNG(seed: seed)
    var buffer = [Float](repeating: 0, count: 1)
    func normal() -> Double {
        buffer.withUnsafeMutableBufferPointer { rng.fillNormal($0) }
        return Double(buffer[0])
    }
    let n = batch * time
    for i in 0..<(n * c.inputSize) { graph.x[i] = normal() }
    for i in 0..<n {
        graph.y[i] = normal()
        graph.mask[i] = i % 7 == 3 ? 0 : 1
    }
    for i in 0..<(n * c.embeddingSize) { graph.epsX[i] = normal() }
    for i in 0..<(n * c.hiddenSize) { graph.epsH[i] = normal() }
    return graph
}

/// Seeded parameters in Double, scaled up from the default initialisation so α varies across rows.
func makeDoubleParameters(seed: UInt64) -> [Double] {
    let layout = ParameterLayout(tinyConfiguration)
    var rng = SeededRNG(seed: seed)
    var p = layout.initialParameters(rng: &rng).map(Double.init)
    var noise = [Float](repeating: 0, count: p.count)
    noise.withUnsafeMutableBufferPointer { rng.fillNormal($0) }
    for i in p.indices { p[i] += 0.3 * Double(noise[i]) }
    return p
}

/// The finite-difference comparison of one tensor: the worst relative error and where it happened.
struct TensorCheck {
    var name: String
    var worst: Double
    var worstIndex: Int
    var analytic: Double
    var numeric: Double
}

/// Central differences (step `h`) of `loss` against `gradient`, tensor by tensor.
func checkGradients(
    parameters: [Double], gradient: [Double], layout: ParameterLayout, h: Double = 1e-6,
    loss: ([Double]) -> Double
) -> [TensorCheck] {
    var results: [TensorCheck] = []
    var p = parameters
    for tensor in layout.tensors {
        var check = TensorCheck(name: tensor.name, worst: 0, worstIndex: -1, analytic: 0, numeric: 0)
        for i in tensor.offset..<(tensor.offset + tensor.count) {
            let saved = p[i]
            p[i] = saved + h
            let up = loss(p)
            p[i] = saved - h
            let down = loss(p)
            p[i] = saved
            let numeric = (up - down) / (2 * h)
            let error = abs(numeric - gradient[i]) / max(1e-4, abs(numeric) + abs(gradient[i]))
            if error > check.worst {
                check = TensorCheck(
                    name: tensor.name, worst: error, worstIndex: i - tensor.offset, analytic: gradient[i],
                    numeric: numeric)
            }
        }
        results.append(check)
    }
    return results
}
