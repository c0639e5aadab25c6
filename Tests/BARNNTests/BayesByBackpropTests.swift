import Foundation
import Testing

@testable import BARNN

/// Bayes by Backprop: Gaussian gate weights θ = μ + softplus(ρ)·ε with a scale-mixture prior and its Monte Carlo KL.
@Suite struct BayesByBackpropTests {
    /// A prior whose narrow component is wide enough to matter at the test's weights, so both responsibilities vary.
    static let prior = ScaleMixturePrior(pi: 0.25, sigma1: 1, sigma2: 0.1)
    static let configuration: BARNNConfiguration = {
        var c = tinyConfiguration
        c.posterior = .bbb(prior: prior)
        return c
    }()
    static let encoderTensors: Set<String> = ["Ax1", "bx1", "Ax2", "bx2", "Ah1", "bh1", "Ah2", "bh2"]

    /// Seeded μ (the default initialisation plus noise) and ρ around −1.5, so σ varies from weight to weight.
    static func parameters(seed: UInt64) -> [Double] {
        let layout = ParameterLayout(configuration)
        var rng = SeededRNG(seed: seed)
        var p = layout.initialParameters(rng: &rng).map(Double.init)
        let z = SyntheticSeries.normals(p.count, seed: seed &+ 1)
        for i in p.indices { p[i] += 0.3 * Double(z[i]) }
        for i in 0..<layout.gateBlockCount { p[layout.rho + i] = -1.5 + 0.5 * Double(z[i]) }
        return p
    }

    @Test func everyTensorsGradientMatchesFiniteDifferences() {
        let c = Self.configuration
        let graph = makeDoubleGraph(batch: 3, time: 5, seed: 11, configuration: c)
        c.posterior.transformNoise(graph.epsX, count: 15 * c.embeddingSize)
        c.posterior.transformNoise(graph.epsH, count: 15 * c.hiddenSize)
        let layout = graph.layout
        let parameters = Self.parameters(seed: 5)
        let eps = SyntheticSeries.normals(layout.gateBlockCount, seed: 13).map(Double.init)
        var sampled = [Double](repeating: 0, count: layout.count)
        let weight = 0.3
        var gradient = [Double](repeating: 0, count: parameters.count)
        let loss = parameters.withUnsafeBufferPointer { p in
            gradient.withUnsafeMutableBufferPointer { g in
                BayesByBackprop.run(
                    graph, parameters: p.baseAddress!, eps: eps, sampled: &sampled, gradient: g.baseAddress!,
                    klWeight: weight, prior: Self.prior)
            }
        }
        #expect(loss.counted > 0 && loss.kl.isFinite)
        let checks = checkGradients(parameters: parameters, gradient: gradient, layout: layout) { p in
            let l = p.withUnsafeBufferPointer {
                BayesByBackprop.run(
                    graph, parameters: $0.baseAddress!, eps: eps, sampled: &sampled, gradient: nil, klWeight: weight,
                    prior: Self.prior)
            }
            return l.nll + weight * l.kl
        }
        #expect(Set(checks.map(\.name)).isSuperset(of: ["rhoWih", "rhobih", "rhoWhh", "rhobhh"]))
        for check in checks {
            #expect(
                check.worst < 1e-5,
                "\(check.name)[\(check.worstIndex)]: analytic \(check.analytic) numeric \(check.numeric)")
        }
        for tensor in layout.tensors {
            let slice = gradient[tensor.offset..<(tensor.offset + tensor.count)]
            if Self.encoderTensors.contains(tensor.name) {
                #expect(slice.allSatisfy { $0 == 0 }, "\(tensor.name) is unused by Bayes by Backprop")
            } else {
                #expect(slice.contains { $0 != 0 }, "\(tensor.name) has an all-zero gradient: the check is vacuous")
            }
        }
    }

    @Test(arguments: [ScaleMixturePrior.fortunato, prior])
    func theKLMatchesADirectComputation(prior: ScaleMixturePrior) {
        let layout = ParameterLayout(Self.configuration)
        let parameters = Self.parameters(seed: 6)
        let eps = SyntheticSeries.normals(layout.gateBlockCount, seed: 14).map(Double.init)
        let kl = parameters.withUnsafeBufferPointer {
            BayesByBackprop.kl(
                parameters: $0.baseAddress!, layout: layout, eps: eps, prior: prior, weight: 1, gradient: nil)
        }
        func normal(_ x: Double, _ sigma: Double) -> Double {
            exp(-x * x / (2 * sigma * sigma)) / (sigma * (2 * Double.pi).squareRoot())
        }
        var direct = 0.0
        for i in 0..<layout.gateBlockCount {
            let mu = parameters[layout.wih + i], sigma = log(1 + exp(parameters[layout.rho + i]))
            let theta = mu + sigma * eps[i]
            let q = normal(theta - mu, sigma)
            let p =
                Double(prior.pi) * normal(theta, Double(prior.sigma1))
                + (1 - Double(prior.pi)) * normal(theta, Double(prior.sigma2))
            direct += log(q) - log(p)
        }
        #expect(abs(kl - direct) < 1e-9 * max(1, abs(direct)), "\(kl) vs \(direct)")
        // The prior's derivative against central differences, through both components' regimes.
        for w in [-1.3, -0.2, -0.01, 0, 0.004, 0.05, 0.7] {
            let h = 1e-7
            let numeric = (prior.logDensity(w + h).value - prior.logDensity(w - h).value) / (2 * h)
            #expect(abs(numeric - prior.logDensity(w).derivative) < 1e-5 * max(1, abs(numeric)), "w = \(w)")
        }
    }

    @Test func rowsAreGroupedByTheirWeightSample() throws {
        let c = Self.configuration
        let model = BARNNModel(configuration: c, seed: 2)
        let layout = model.layout, nE = c.embeddingSize, nG = c.gateSize
        let rows = 11, paths = 5, g = 3
        let weights = SyntheticSeries.normals(g * layout.gateBlockCount, seed: 3)
        let x = SyntheticSeries.normals(rows * nE, seed: 4)
        var gather = [Float](repeating: 0, count: rows * max(nE, c.hiddenSize))
        var scatter = [Float](repeating: 0, count: rows * nG)
        var y = [Float](repeating: 0, count: rows * nG)
        model.parameters.withUnsafeBufferPointer { p in
            weights.withUnsafeBufferPointer { w in
                gather.withUnsafeMutableBufferPointer { gatherBuffer in
                    scatter.withUnsafeMutableBufferPointer { scatterBuffer in
                        var net = Network<Float>(parameters: p.baseAddress!, configuration: c, layout: layout)
                        net.gateSamples = GateSamples(
                            weights: w.baseAddress!, count: g, paths: paths, gather: gatherBuffer.baseAddress!,
                            scatter: scatterBuffer.baseAddress!)
                        net.gateLinear(rows: rows, x, k: nE, w: layout.wih, b: layout.bih, &y)
                    }
                }
            }
        }
        for r in 0..<rows {
            let sample = (r % paths) % g
            let base = sample * layout.gateBlockCount
            for j in 0..<nG {
                var expected = weights[base + layout.bih - layout.wih + j]
                for i in 0..<nE { expected += x[r * nE + i] * weights[base + i * nG + j] }
                #expect(abs(y[r * nG + j] - expected) < 1e-5, "row \(r) column \(j)")
            }
        }
    }

    @Test func checkpointsCarryThePriorAndTheScalesWhileOtherLayoutsStayAsTheyWere() throws {
        var c = BARNNConfiguration(hiddenSize: 8, embeddingSize: 4, alphaWidth: 6)
        let names = ParameterLayout(c).tensors.map(\.name)
        #expect(names.count == 16 && names.last == "bo")
        c.posterior = .mcDropout(rate: 0.1)
        #expect(ParameterLayout(c).tensors.map(\.name) == names)
        c.posterior = .bbb(prior: .fortunato)
        let layout = ParameterLayout(c)
        #expect(layout.tensors.map(\.name) == names + ["rhoWih", "rhobih", "rhoWhh", "rhobhh"])
        let model = BARNNModel(configuration: c, seed: 3)
        let sigma0 = BayesByBackprop.softplus(Double(model.parameters[layout.rho]))
        #expect(abs(sigma0 - BayesByBackprop.initialSigma) < 1e-6)
        let bytes = Checkpoint.encode(model)
        #expect(Array(bytes[8..<12]) == [3, 0, 0, 0])
        let decoded = try Checkpoint.decode(bytes, expected: c)
        #expect(decoded.configuration.posterior == .bbb(prior: .fortunato))
        #expect(decoded.parameters.map(\.bitPattern) == model.parameters.map(\.bitPattern))
        #expect(Checkpoint.encode(decoded) == bytes)
    }

    @Test func trainingIsSeededAndSamplingIsTheSameForAnyThreadCount() throws {
        let series = SyntheticSeries.sines(count: 4, length: 240, seed: 7)
        var options = TrainingTests.shortOptions(steps: 60, evaluateEvery: 20)
        options.learningRate = 1e-2
        var c = Self.configuration.with(timeFeatures: 4)
        c.posterior = .bbb(prior: .fortunato)
        let train = {
            try BARNNTrainer.train(series: SyntheticSeries.trainingSeries(series), configuration: c, options: options)
        }
        let (model, report) = try train()
        let (again, _) = try train()
        #expect(model.parameters.map(\.bitPattern) == again.parameters.map(\.bitPattern))
        #expect(try #require(report.validationNLL.min()) < report.initialValidationNLL)
        let layout = model.layout
        let rho0 = Float(BayesByBackprop.inverseSoftplus(BayesByBackprop.initialSigma))
        #expect(model.parameters[layout.rho..<(layout.rho + layout.gateBlockCount)].contains { $0 != rho0 })

        let probe = PathProbe(model: model, series: series)
        let first = probe.draw(.full), threaded = probe.draw(.full, threads: 2)
        #expect(first.quantiles.map(\.bitPattern) == threaded.quantiles.map(\.bitPattern))
        // The weight samples alone (aleatoric noise off) spread the paths.
        #expect(
            probe.width(SamplingOptions(weightNoise: true, aleatoricNoise: false)) > 0,
            "every weight sample gave the same path")
        #expect(probe.width(SamplingOptions(weightNoise: false, aleatoricNoise: false)) == 0)
    }
}
