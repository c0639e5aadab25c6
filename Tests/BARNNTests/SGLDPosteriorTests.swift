import Foundation
import Testing

@testable import BARNN

/// Last-layer SGLD particles: a point-estimate network whose head is, per path, one Langevin-sampled particle.
@Suite struct SGLDPosteriorTests {
    static let configuration: BARNNConfiguration = {
        var c = tinyConfiguration
        c.posterior = .sgld(particles: 0, stepSize: 0)
        return c
    }()
    static let encoderTensors: Set<String> = ["Ax1", "bx1", "Ax2", "bx2", "Ah1", "bh1", "Ah2", "bh2"]

    /// Seeded rows of a frozen network: hidden states in (−1, 1) and targets near a linear head's mean.
    static func rows(count: Int, hiddenSize nH: Int, seed: UInt64) -> LastLayerSGLD.Rows {
        let z = SyntheticSeries.normals(count * (nH + 1), seed: seed)
        var rows = LastLayerSGLD.Rows()
        for i in 0..<count {
            let h = (0..<nH).map { tanh(z[i * (nH + 1) + $0]) }
            rows.hidden += h
            rows.targets.append(0.5 * h[0] - 0.3 * h[1] + 0.4 * z[i * (nH + 1) + nH])
        }
        return rows
    }

    @Test(arguments: [0, 5])
    func thePotentialsGradientMatchesFiniteDifferences(degrees: Int) {
        let nH = 4
        let rows = Self.rows(count: 40, hiddenSize: nH, seed: 3)
        let theta = SyntheticSeries.normals(2 * nH + 2, seed: 8).map { 0.3 * Double($0) }
        // A minibatch with a repeated row, scaled to a total of 40 rows.
        let indices = [0, 3, 3, 17, 39, 22]
        var gradient = [Double](repeating: 0, count: theta.count)
        let value = LastLayerSGLD.potential(
            theta, rows: rows, indices: indices, total: 40, hiddenSize: nH, degrees: degrees, gradient: &gradient)
        func u(_ p: [Double]) -> Double {
            var scratch = [Double](repeating: 0, count: p.count)
            return LastLayerSGLD.potential(
                p, rows: rows, indices: indices, total: 40, hiddenSize: nH, degrees: degrees, gradient: &scratch)
        }
        #expect(value == u(theta))
        for j in theta.indices {
            var up = theta, down = theta
            up[j] += 1e-6
            down[j] -= 1e-6
            let numeric = (u(up) - u(down)) / 2e-6
            #expect(abs(numeric - gradient[j]) / max(1e-4, abs(numeric) + abs(gradient[j])) < 1e-6, "θ[\(j)]")
        }
        // The value against a direct computation: prior plus N/m times the NLL of each drawn row.
        var direct = theta.reduce(0) { $0 + $1 * $1 / 2 }
        for i in indices {
            let h = rows.hidden[(i * nH)..<((i + 1) * nH)].map(Double.init)
            let mu = zip(h, stride(from: 0, to: 2 * nH, by: 2)).reduce(theta[2 * nH]) { $0 + $1.0 * theta[$1.1] }
            let lv = zip(h, stride(from: 1, to: 2 * nH, by: 2)).reduce(theta[2 * nH + 1]) { $0 + $1.0 * theta[$1.1] }
            let d = Double(rows.targets[i]) - mu
            let nll: Double
            if degrees > 0 {
                let nu = Double(degrees), sigma = exp(lv / 2)
                // −log of the t density with scale σ, written out from Γ.
                nll =
                    -(lgamma((nu + 1) / 2) - lgamma(nu / 2) - 0.5 * log(nu * Double.pi) - log(sigma)
                    - (nu + 1) / 2 * log(1 + d * d / (nu * sigma * sigma)))
            } else {
                nll = 0.5 * log(2 * Double.pi) + lv / 2 + d * d / (2 * exp(lv))
            }
            direct += 40.0 / Double(indices.count) * nll
        }
        #expect(abs(direct - value) < 1e-9 * max(1, abs(direct)))
    }

    @Test func theMixtureNLLMatchesADirectComputation() {
        let ll: [[Double]] = [[-1, -3, -0.5], [-2, -1, -700], [-1.5, -2.5, -0.25]]
        for k in 1...3 {
            var direct = 0.0
            for i in 0..<3 { direct += log((0..<k).map { exp(ll[$0][i]) }.reduce(0, +) / Double(k)) }
            #expect(abs(LastLayerSGLD.mixtureNLL(ll, first: k) + direct / 3) < 1e-12)
        }
    }

    @Test func theChainsAreSeededAndALongerRunExtendsAShorterOne() {
        let nH = 3
        let rows = Self.rows(count: 300, hiddenSize: nH, seed: 4)
        let start = [Double](repeating: 0.1, count: 2 * nH + 2)
        func draw(_ count: Int) -> [[Double]] {
            var rng = SeededRNG(seed: 9)
            return LastLayerSGLD.sample(
                from: start, rows: rows, stepSize: 1e-2, thinning: 25, count: count, hiddenSize: nH, degrees: 0,
                rng: &rng)
        }
        let eight = draw(8), sixteen = draw(16)
        #expect(eight.count == 8 && sixteen.count == 16)
        #expect(Array(sixteen.prefix(8)) == eight, "K particles are the first K of a longer run")
        #expect(Set(sixteen.map { $0[0] }).count == 16, "every particle differs")
        // The particles centre on the data's head (0.5, −0.3 for the mean of the first two units).
        let meanW0 = sixteen.map { $0[0] }.reduce(0, +) / 16, meanW1 = sixteen.map { $0[2] }.reduce(0, +) / 16
        #expect(abs(meanW0 - 0.5) < 0.2 && abs(meanW1 + 0.3) < 0.2, "\(meanW0) \(meanW1)")
    }

    @Test(arguments: [true, false])
    func networkGradientsMatchFiniteDifferencesWithoutEncodersOrNoise(noise: Bool) {
        let c = Self.configuration
        let graph = makeDoubleGraph(batch: 3, time: 5, seed: 11, configuration: c)
        c.posterior.transformNoise(graph.epsX, count: 15 * c.embeddingSize)
        c.posterior.transformNoise(graph.epsH, count: 15 * c.hiddenSize)
        #expect((0..<(15 * c.hiddenSize)).allSatisfy { graph.epsH[$0] == 0 })
        let parameters = makeDoubleParameters(seed: 5)
        #expect(graph.layout.count == parameters.count, "the network trained before the particles has no extra tensor")
        var gradient = [Double](repeating: 0, count: parameters.count)
        let loss = parameters.withUnsafeBufferPointer { p in
            gradient.withUnsafeMutableBufferPointer { g in
                graph.run(parameters: p.baseAddress!, gradient: g.baseAddress!, beta: 0.5, noise: noise)
            }
        }
        #expect(loss.kl == 0)
        let checks = checkGradients(parameters: parameters, gradient: gradient, layout: graph.layout) { p in
            p.withUnsafeBufferPointer {
                graph.run(parameters: $0.baseAddress!, gradient: nil, beta: 0.5, noise: noise).nll
            }
        }
        for check in checks {
            #expect(
                check.worst < 1e-5,
                "\(check.name)[\(check.worstIndex)]: analytic \(check.analytic) numeric \(check.numeric)")
        }
        for tensor in graph.layout.tensors where Self.encoderTensors.contains(tensor.name) {
            #expect(gradient[tensor.offset..<(tensor.offset + tensor.count)].allSatisfy { $0 == 0 })
        }
    }

    @Test func pathPReadsParticlePModK() throws {
        var c = tinyConfiguration
        c.posterior = .sgld(particles: 3, stepSize: 0.01)
        let model = BARNNModel(configuration: c, seed: 2)
        let layout = model.layout
        let particles = try #require(layout.tensors.last)
        #expect(particles.name == "Particles" && particles.rows == 3 && particles.cols == 2 * c.hiddenSize + 2)
        #expect(
            Array(layout.tensors.dropLast()) == ParameterLayout(tinyConfiguration).tensors,
            "the other tensors keep their offsets")
        var p = model.parameters
        let z = SyntheticSeries.normals(particles.count, seed: 6)
        for i in 0..<particles.count { p[particles.offset + i] = z[i] }
        let nH = c.hiddenSize, rows = 10, paths = 5
        let h = SyntheticSeries.normals(rows * nH, seed: 7)
        var out = [Float](repeating: 0, count: 2 * rows)
        p.withUnsafeBufferPointer { pp in
            let net = Network<Float>(parameters: pp.baseAddress!, configuration: c, layout: layout)
            h.withUnsafeBufferPointer { net.particleHead(rows: rows, paths: paths, h: $0.baseAddress!, out: &out) }
        }
        for r in 0..<rows {
            let w = particles.offset + ((r % paths) % 3) * particles.cols
            for o in 0..<2 {
                var expected = p[w + 2 * nH + o]
                for j in 0..<nH { expected += h[r * nH + j] * p[w + 2 * j + o] }
                #expect(abs(out[2 * r + o] - expected) < 1e-5)
            }
        }
    }

    @Test func checkpointsCarryTheParticlesAndTheirShapeIsChecked() throws {
        var c = BARNNConfiguration(hiddenSize: 8, embeddingSize: 4, alphaWidth: 6)
        c.posterior = .sgld(particles: 5, stepSize: 0.003)
        let model = BARNNModel(configuration: c, seed: 3)
        let bytes = Checkpoint.encode(model)
        #expect(Array(bytes[8..<12]) == [3, 0, 0, 0])
        let decoded = try Checkpoint.decode(bytes, expected: c)
        #expect(decoded.configuration.posterior == .sgld(particles: 5, stepSize: 0.003))
        #expect(decoded.parameters.map(\.bitPattern) == model.parameters.map(\.bitPattern))
        #expect(Checkpoint.encode(decoded) == bytes)
        // A table claiming other particle shapes, with a valid checksum, is refused by the tensor's name.
        var tensors = model.layout.tensors.map { ($0.name, $0.rows, $0.cols) }
        tensors[tensors.count - 1].1 = 4
        let wrong = Checkpoint.encode(configuration: c, tensors: tensors, parameters: model.parameters, version: 3)
        #expect {
            try Checkpoint.decode(wrong)
        } throws: { error in
            guard case .shapeMismatch(let tensor, _, _) = error as? CheckpointError else { return false }
            return tensor == "Particles"
        }
    }

    @Test func trainingChoosesParticlesAndSamplingIsSeededForAnyThreadCount() throws {
        let series = SyntheticSeries.sines(count: 4, length: 240, seed: 7)
        var options = TrainingTests.shortOptions(steps: 60, evaluateEvery: 20)
        options.learningRate = 1e-2
        let c = Self.configuration.with(timeFeatures: 4)
        let train = { (initial: BARNNModel?) in
            try BARNNTrainer.train(
                series: SyntheticSeries.trainingSeries(series), configuration: c, options: options, initial: initial)
        }
        let (model, report) = try train(nil)
        let (again, _) = try train(nil)
        #expect(model.parameters.map(\.bitPattern) == again.parameters.map(\.bitPattern))
        let choice = try #require(report.sgld)
        #expect(LastLayerSGLD.particleGrid.contains(choice.particles))
        #expect(LastLayerSGLD.stepSizeGrid.map(Float.init).contains(choice.stepSize))
        #expect(LastLayerSGLD.thinningGrid.contains(choice.thinning))
        #expect(model.configuration.posterior == .sgld(particles: choice.particles, stepSize: choice.stepSize))
        #expect(choice.validationNLL.isFinite && choice.pointValidationNLL.isFinite)
        // A warm start from a model with particles takes its network and draws new particles.
        let (warm, _) = try train(model)
        #expect(warm.parameters.count == warm.layout.count)

        let probe = PathProbe(model: model, series: series)
        let first = probe.draw(.full), threaded = probe.draw(.full, threads: 2)
        #expect(first.quantiles.map(\.bitPattern) == threaded.quantiles.map(\.bitPattern))
        // The particles alone (aleatoric noise off) spread the paths: the head's posterior uncertainty.
        #expect(
            probe.width(SamplingOptions(weightNoise: true, aleatoricNoise: false)) > 0,
            "every particle gave the same path")
        #expect(probe.width(SamplingOptions(weightNoise: false, aleatoricNoise: false)) == 0)
    }
}
