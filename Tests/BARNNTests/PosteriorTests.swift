import Formats
import Foundation
import Testing

@testable import BARNN

/// MC dropout, the first posterior compared with BARNN's: the same network with α fixed at 1 and Bernoulli masks on
/// the gate inputs.
@Suite struct MCDropoutTests {
    static let rate: Float = 0.2
    static let configuration: BARNNConfiguration = {
        var c = tinyConfiguration
        c.posterior = .mcDropout(rate: rate)
        return c
    }()
    static let encoderTensors: Set<String> = ["Ax1", "bx1", "Ax2", "bx2", "Ah1", "bh1", "Ah2", "bh2"]

    /// A graph whose noise buffers hold dropout masks derived from seeded normals, as the trainer fills them.
    func dropoutGraph(batch: Int, time: Int, seed: UInt64) -> TrainingGraph<Double> {
        let c = Self.configuration
        let graph = makeDoubleGraph(batch: batch, time: time, seed: seed, configuration: c)
        c.posterior.transformNoise(graph.epsX, count: batch * time * c.embeddingSize)
        c.posterior.transformNoise(graph.epsH, count: batch * time * c.hiddenSize)
        return graph
    }

    @Test(arguments: [true, false])
    func gradientsMatchFiniteDifferencesAndTheEncodersGetNone(noise: Bool) {
        let graph = dropoutGraph(batch: 3, time: 5, seed: 11)
        let parameters = makeDoubleParameters(seed: 5)
        var gradient = [Double](repeating: 0, count: parameters.count)
        let loss = parameters.withUnsafeBufferPointer { p in
            gradient.withUnsafeMutableBufferPointer { g in
                graph.run(parameters: p.baseAddress!, gradient: g.baseAddress!, beta: 0.5, noise: noise)
            }
        }
        #expect(loss.counted > 0)
        #expect(loss.kl == 0, "MC dropout has no KL term")
        let checks = checkGradients(parameters: parameters, gradient: gradient, layout: graph.layout) { p in
            let l = p.withUnsafeBufferPointer {
                graph.run(parameters: $0.baseAddress!, gradient: nil, beta: 0.5, noise: noise)
            }
            return l.nll + 0.5 * l.kl
        }
        for check in checks {
            #expect(
                check.worst < 1e-5,
                "\(check.name)[\(check.worstIndex)]: analytic \(check.analytic) numeric \(check.numeric)")
        }
        for tensor in graph.layout.tensors {
            let slice = gradient[tensor.offset..<(tensor.offset + tensor.count)]
            if Self.encoderTensors.contains(tensor.name) {
                #expect(slice.allSatisfy { $0 == 0 }, "\(tensor.name) is unused by MC dropout")
            } else {
                #expect(slice.contains { $0 != 0 }, "\(tensor.name) has an all-zero gradient: the check is vacuous")
            }
        }
    }

    @Test func theMasksDropTheRateAndScaleTheSurvivors() {
        var normals = SyntheticSeries.normals(200_000, seed: 9)
        normals.withUnsafeMutableBufferPointer {
            Posterior.mcDropout(rate: Self.rate).transformNoise($0.baseAddress!, count: $0.count)
        }
        let dropped = normals.filter { $0 == -1 }.count
        let kept = Float(1 / (1 - Double(Self.rate)) - 1)
        #expect(normals.allSatisfy { $0 == -1 || $0 == kept })
        // Binomial standard deviation at n = 200,000 is 0.0009: 0.005 is over five of them.
        #expect(abs(Double(dropped) / Double(normals.count) - Double(Self.rate)) < 0.005)
        // BARNN's normals pass through untouched.
        var untouched = SyntheticSeries.normals(100, seed: 9)
        let copy = untouched
        untouched.withUnsafeMutableBufferPointer { Posterior.barnn.transformNoise($0.baseAddress!, count: 100) }
        #expect(untouched == copy)
    }

    @Test func theNormalQuantileMatchesKnownValues() {
        #expect(abs(Posterior.normalQuantile(0.5)) < 1e-12)
        #expect(abs(Posterior.normalQuantile(0.975) - 1.959963984540054) < 1e-9)
        #expect(abs(Posterior.normalQuantile(0.1) + 1.2815515655446004) < 1e-9)
    }

    @Test func checkpointsRecordThePosteriorAndBARNNStaysVersion2() throws {
        var c = BARNNConfiguration(hiddenSize: 8, embeddingSize: 4, alphaWidth: 6)
        let barnn = BARNNModel(configuration: c, seed: 3)
        let barnnBytes = Checkpoint.encode(barnn)
        #expect(Array(barnnBytes[8..<12]) == [2, 0, 0, 0], "a BARNN checkpoint stays readable by older builds")
        c.posterior = .mcDropout(rate: 0.15)
        let dropout = BARNNModel(configuration: c, seed: 3)
        let bytes = Checkpoint.encode(dropout)
        #expect(Array(bytes[8..<12]) == [3, 0, 0, 0])
        let decoded = try Checkpoint.decode(bytes, expected: c)
        #expect(decoded.configuration.posterior == .mcDropout(rate: 0.15))
        #expect(decoded.parameters.map(\.bitPattern) == dropout.parameters.map(\.bitPattern))
        #expect(Checkpoint.encode(decoded) == bytes)
        #expect(try Checkpoint.decode(barnnBytes).configuration.posterior == .barnn)
    }

    @Test(arguments: [(UInt32(7), Float(0.1)), (1, 0), (1, 1), (1, .nan)])
    func aDamagedPosteriorIsRefusedByName(code: UInt32, rate: Float) throws {
        var c = BARNNConfiguration(hiddenSize: 8, embeddingSize: 4, alphaWidth: 6)
        c.posterior = .mcDropout(rate: 0.15)
        var bytes = Checkpoint.encode(BARNNModel(configuration: c, seed: 3))
        // The posterior's two words follow the calendar in the header; find them by the rate's bit pattern.
        let pattern = withUnsafeBytes(of: Float(0.15).bitPattern.littleEndian) { Array($0) }
        let at = try #require((0..<(bytes.count - 4)).first { Array(bytes[$0..<($0 + 4)]) == pattern })
        withUnsafeBytes(of: code.littleEndian) { bytes.replaceSubrange((at - 4)..<at, with: $0) }
        withUnsafeBytes(of: rate.bitPattern.littleEndian) { bytes.replaceSubrange(at..<(at + 4), with: $0) }
        // Re-seal the checksum so the header check, not the CRC, is what refuses it.
        let body = bytes[0..<(bytes.count - 4)]
        bytes.replaceSubrange(
            (bytes.count - 4)..<bytes.count,
            with: withUnsafeBytes(of: CRC32.checksum(body).littleEndian) { Array($0) })
        #expect {
            try Checkpoint.decode(bytes)
        } throws: { error in
            guard case .invalidHeader = error as? CheckpointError else { return false }
            return true
        }
    }

    @Test func trainingAndSamplingAreSeededAndTheMasksSpreadThePaths() throws {
        let series = SyntheticSeries.sines(count: 4, length: 240, seed: 7)
        var options = TrainingTests.shortOptions(steps: 60, evaluateEvery: 20)
        options.learningRate = 1e-2
        let c = Self.configuration.with(timeFeatures: 4)
        let train = {
            try BARNNTrainer.train(
                series: SyntheticSeries.trainingSeries(series), configuration: c, options: options)
        }
        let (model, report) = try train()
        let (again, _) = try train()
        #expect(model.parameters.map(\.bitPattern) == again.parameters.map(\.bitPattern))
        #expect(try #require(report.validationNLL.min()) < report.initialValidationNLL)

        let probe = PathProbe(model: model, series: series)
        let first = probe.draw(.full), second = probe.draw(.full)
        #expect(first.quantiles.map(\.bitPattern) == second.quantiles.map(\.bitPattern))
        // Masks alone (aleatoric noise off) must spread the paths: that spread is the posterior's uncertainty.
        #expect(
            probe.width(SamplingOptions(weightNoise: true, aleatoricNoise: false)) > 0,
            "dropout masks left every path identical")
        #expect(probe.width(SamplingOptions(weightNoise: false, aleatoricNoise: false)) == 0)
    }
}
