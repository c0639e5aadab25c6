import Foundation

/// The weight sampling and KL of `Posterior.bbb` (Fortunato, Blundell & Vinyals 2017, without posterior sharpening).
///
/// Only the gate block (Wih, bih, Whh, bhh) is Bayesian: θ = μ + σ·ε with σ = softplus(ρ), ε ~ N(0, 1). In training
/// one θ is drawn per minibatch and shared by its B windows and all their steps (the paper's practice; it keeps each
/// gate matmul one GEMM). The loss per minibatch is the mean NLL plus `klWeight`·(log q(θ) − log p(θ)), the Monte
/// Carlo KL at the drawn θ, with `klWeight` = 1/(counted training targets per epoch): the ELBO's KL spread over the
/// epoch's truncated windows, expressed per target because the NLL is a mean per target.
///
/// Gradients: the graph gives g = ∂NLL/∂θ; then ∂/∂μ = g − w·∂log p/∂θ and ∂/∂ρ = (g·ε − w·(∂log p/∂θ·ε + 1/σ))·
/// sigmoid(ρ), using log q(μ + σε | μ, σ) = Σ −log σ − ε²/2 − ½·log 2π (its total derivative in μ is 0, in σ −1/σ).
enum BayesByBackprop {
    /// σ of every gate weight at initialisation.
    static let initialSigma = 0.02
    /// Weight samples G drawn per forecast: path p of every stream uses sample p mod min(S, G).
    static let forecastSamples = 16

    /// softplus(x) = log(1 + eˣ), without overflow.
    static func softplus(_ x: Double) -> Double { x > 30 ? x : log1p(exp(x)) }
    /// softplus⁻¹(y) for y > 0.
    static func inverseSoftplus(_ y: Double) -> Double { y > 30 ? y : log(expm1(y)) }

    /// Writes all of `parameters` to `sampled` with the gate block replaced by μ + softplus(ρ)·ε.
    static func drawWeights<T: BARNNScalar>(
        parameters: UnsafePointer<T>, layout: ParameterLayout, eps: UnsafePointer<T>,
        into sampled: UnsafeMutablePointer<T>
    ) {
        sampled.update(from: parameters, count: layout.count)
        let mu = parameters + layout.wih, rho = parameters + layout.rho, theta = sampled + layout.wih
        for i in 0..<layout.gateBlockCount {
            theta[i] = mu[i] + T(softplus(Double(rho[i]))) * eps[i]
        }
    }

    /// The Monte Carlo KL log q(θ) − log p(θ) summed over the gate block at θ = μ + softplus(ρ)·ε.
    ///
    /// With `gradient`, whose gate block holds ∂NLL/∂θ on entry, turns that block into ∂/∂μ and adds ∂/∂ρ at the ρ
    /// offsets, both of NLL + `weight`·KL.
    static func kl<T: BARNNScalar>(
        parameters: UnsafePointer<T>, layout: ParameterLayout, eps: UnsafePointer<T>, prior: ScaleMixturePrior,
        weight: T, gradient: UnsafeMutablePointer<T>?
    ) -> T {
        let halfLog2Pi = 0.5 * log(2 * Double.pi), w = Double(weight)
        var total = 0.0
        for i in 0..<layout.gateBlockCount {
            let rho = Double(parameters[layout.rho + i]), e = Double(eps[i])
            let sigma = softplus(rho)
            let theta = Double(parameters[layout.wih + i]) + sigma * e
            let logPrior = prior.logDensity(theta)
            total += -log(sigma) - e * e / 2 - halfLog2Pi - logPrior.value
            guard let gradient else { continue }
            let g = Double(gradient[layout.wih + i])
            let sigmoid = 1 / (1 + exp(-rho))
            gradient[layout.wih + i] = T(g - w * logPrior.derivative)
            gradient[layout.rho + i] += T((g * e - w * (logPrior.derivative * e + 1 / sigma)) * sigmoid)
        }
        return T(total)
    }

    /// One training pass at the weights drawn from `eps` [gate block]: the graph's NLL at θ, `Loss.kl` the Monte Carlo
    /// KL (unweighted), and, with `gradient` (zeroed by the caller), ∂(NLL + klWeight·KL)/∂(every tensor, μ and ρ).
    ///
    /// - Parameter sampled: scratch of `layout.count` values for θ.
    static func run<T: BARNNScalar>(
        _ graph: TrainingGraph<T>, parameters: UnsafePointer<T>, eps: UnsafePointer<T>,
        sampled: UnsafeMutablePointer<T>, gradient: UnsafeMutablePointer<T>?, klWeight: T, prior: ScaleMixturePrior
    ) -> TrainingGraph<T>.Loss {
        drawWeights(parameters: parameters, layout: graph.layout, eps: eps, into: sampled)
        var loss = graph.run(parameters: sampled, gradient: gradient, beta: 0)
        loss.kl = kl(
            parameters: parameters, layout: graph.layout, eps: eps, prior: prior, weight: klWeight, gradient: gradient)
        return loss
    }

    /// G weight samples of the gate block, [G, block] (G = min(paths, `forecastSamples`)), from their own substream of
    /// the forecast's seed, so every chunk and thread sees the same samples.
    static func forecastWeights(_ model: BARNNModel, paths: Int, seed: UInt64) -> [Float] {
        let layout = model.layout, m = layout.gateBlockCount
        let g = min(paths, forecastSamples)
        var rng = SeededRNG(seed: seed, stream: 0xBBB0_0000_0000)
        var weights = [Float](repeating: 0, count: g * m)
        weights.withUnsafeMutableBufferPointer { rng.fillNormal($0) }
        model.parameters.withUnsafeBufferPointer { p in
            for s in 0..<g {
                for i in 0..<m {
                    let sigma = Float(softplus(Double(p[layout.rho + i])))
                    weights[s * m + i] = p[layout.wih + i] + sigma * weights[s * m + i]
                }
            }
        }
        return weights
    }
}
