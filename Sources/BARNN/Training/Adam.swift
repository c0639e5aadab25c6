/// Adam (Kingma & Ba 2015) over one flat parameter buffer; moments reuse the parameter layout.
struct Adam {
    var m: [Float]
    var v: [Float]
    var step = 0
    let beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8

    init(count: Int) {
        m = [Float](repeating: 0, count: count)
        v = [Float](repeating: 0, count: count)
    }

    /// θ ← θ − lr · m̂ / (√v̂ + ε), after scaling `gradient` by `gradientScale` (clipping).
    mutating func update(parameters: inout [Float], gradient: [Float], learningRate: Float, gradientScale: Float) {
        step += 1
        let c1 = 1 - pow(beta1, Float(step)), c2 = 1 - pow(beta2, Float(step))
        let lr = learningRate / c1
        let b1 = beta1, b2 = beta2, eps = epsilon
        let invC2 = 1 / c2
        m.withUnsafeMutableBufferPointer { m in
            v.withUnsafeMutableBufferPointer { v in
                parameters.withUnsafeMutableBufferPointer { p in
                    for i in 0..<p.count {
                        let g = gradient[i] * gradientScale
                        m[i] = b1 * m[i] + (1 - b1) * g
                        v[i] = b2 * v[i] + (1 - b2) * g * g
                        p[i] -= lr * m[i] / ((v[i] * invC2).squareRoot() + eps)
                    }
                }
            }
        }
    }

    private func pow(_ x: Float, _ n: Float) -> Float { Float.exp(n * Float.log(x)) }
}
