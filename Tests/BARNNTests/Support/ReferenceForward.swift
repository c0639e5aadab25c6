import Foundation

@testable import BARNN

/// A plain-loop transcription of one BARNN GRU step in Double (BARNN.md, "Weights per step"), the
/// reference the BLAS + vectorised-kernel path is checked against.
func referenceStep(
    parameters: [Float], configuration c: BARNNConfiguration, x: [Double], h: [Double], epsX: [Double],
    epsH: [Double]
) -> (h: [Double], mean: Double, logVariance: Double) {
    let L = ParameterLayout(c)
    let p = parameters.map(Double.init)
    func w(_ tensor: String, _ i: Int, _ j: Int) -> Double {
        let t = L.tensors.first { $0.name == tensor }!
        return p[t.offset + i * t.cols + j]
    }
    func b(_ tensor: String, _ j: Int) -> Double { w(tensor, 0, j) }
    func layer(_ input: [Double], _ wName: String, _ bName: String, _ n: Int) -> [Double] {
        (0..<n).map { j in b(bName, j) + input.indices.reduce(0.0) { $0 + input[$1] * w(wName, $1, j) } }
    }
    let bound = Double(c.logAlphaBound)
    func alpha(_ o: [Double]) -> [Double] { o.map { exp(min(max($0, -bound), bound)) } }
    let e = layer(x, "We", "be", c.embeddingSize)
    let ax = alpha(layer(layer(e, "Ax1", "bx1", c.alphaWidth).map(tanh), "Ax2", "bx2", c.embeddingSize))
    let et = e.indices.map { e[$0] * ax[$0] * (1 + epsX[$0]) }
    let hin = h + Array(x[2..<(2 + c.timeFeatures)])
    let ah = alpha(layer(layer(hin, "Ah1", "bh1", c.alphaWidth).map(tanh), "Ah2", "bh2", c.hiddenSize))
    let ht = h.indices.map { h[$0] * ah[$0] * (1 + epsH[$0]) }
    let gx = layer(et, "Wih", "bih", c.gateSize), gh = layer(ht, "Whh", "bhh", c.gateSize)
    let nH = c.hiddenSize
    func sigmoid(_ v: Double) -> Double { 1 / (1 + exp(-v)) }
    var hNew = [Double](repeating: 0, count: nH)
    for j in 0..<nH {
        let r = sigmoid(gx[j] + gh[j]), u = sigmoid(gx[nH + j] + gh[nH + j])
        let n = tanh(gx[2 * nH + j] + r * gh[2 * nH + j])
        hNew[j] = (1 - u) * n + u * h[j]
    }
    let head = layer(hNew, "Wo", "bo", 2)
    return (hNew, head[0], head[1])
}
