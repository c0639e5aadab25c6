import Foundation
import Testing

@testable import BARNN

/// Finite differences in Double against the hand-written backward pass through time.
///
/// Tolerance: relative error |num − ana| / max(1e-4, |num| + |ana|) ≤ 1e-5 with central step 1e-6
/// (truncation error ~1e-12, rounding ~1e-10 relative to a loss of order 1).
@Suite struct GradientTests {
    @Test(arguments: [true, false])
    func everyParameterTensorMatchesFiniteDifferences(noise: Bool) throws {
        let graph = makeDoubleGraph(batch: 3, time: 5, seed: 11)
        let parameters = makeDoubleParameters(seed: 5)
        let beta = 0.5
        var gradient = [Double](repeating: 0, count: parameters.count)
        let loss = parameters.withUnsafeBufferPointer { p in
            gradient.withUnsafeMutableBufferPointer { g in
                graph.run(parameters: p.baseAddress!, gradient: g.baseAddress!, beta: beta, noise: noise)
            }
        }
        #expect(loss.counted > 0 && loss.kl > 0)
        let checks = checkGradients(parameters: parameters, gradient: gradient, layout: graph.layout) { p in
            let l = p.withUnsafeBufferPointer {
                graph.run(parameters: $0.baseAddress!, gradient: nil, beta: beta, noise: noise)
            }
            return l.nll + beta * l.kl
        }
        for check in checks {
            #expect(
                check.worst < 1e-5,
                "\(check.name)[\(check.worstIndex)]: analytic \(check.analytic) numeric \(check.numeric), rel \(check.worst)"
            )
        }
        #expect(checks.count == graph.layout.tensors.count)
        // The two-thread split of the recurrence must give the same gradient.
        let split = makeDoubleGraph(batch: 8, time: 4, seed: 12), whole = makeDoubleGraph(batch: 8, time: 4, seed: 12)
        split.threads = 2
        var g1 = [Double](repeating: 0, count: parameters.count), g2 = g1
        parameters.withUnsafeBufferPointer { p in
            g1.withUnsafeMutableBufferPointer {
                _ = whole.run(parameters: p.baseAddress!, gradient: $0.baseAddress!, beta: beta, noise: noise)
            }
            g2.withUnsafeMutableBufferPointer {
                _ = split.run(parameters: p.baseAddress!, gradient: $0.baseAddress!, beta: beta, noise: noise)
            }
        }
        #expect(zip(g1, g2).allSatisfy { abs($0 - $1) <= 1e-12 * max(1, abs($0)) })
        for tensor in graph.layout.tensors {
            let slice = gradient[tensor.offset..<(tensor.offset + tensor.count)]
            #expect(slice.contains { $0 != 0 }, "\(tensor.name) has an all-zero gradient: the check would be vacuous")
        }
    }
}

/// The Student-t head: its NLL against the closed-form density, its gradient against finite differences.
@Suite struct StudentHeadTests {
    /// With the level context and the seasonal input the embedding reads two more columns; its gradient too.
    @Test func theGradientHoldsWithEveryInputColumn() throws {
        var c = tinyConfiguration
        c.levelWindow = 5
        c.seasonalLag = 3
        let graph = makeDoubleGraph(batch: 3, time: 5, seed: 13, configuration: c)
        let layout = ParameterLayout(c)
        var rng = SeededRNG(seed: 6)
        let parameters = layout.initialParameters(rng: &rng).map(Double.init)
        var gradient = [Double](repeating: 0, count: parameters.count)
        _ = parameters.withUnsafeBufferPointer { p in
            gradient.withUnsafeMutableBufferPointer { g in
                graph.run(parameters: p.baseAddress!, gradient: g.baseAddress!, beta: 0.5, noise: true)
            }
        }
        let checks = checkGradients(parameters: parameters, gradient: gradient, layout: layout) { p in
            let l = p.withUnsafeBufferPointer {
                graph.run(parameters: $0.baseAddress!, gradient: nil, beta: 0.5, noise: true)
            }
            return l.nll + 0.5 * l.kl
        }
        for check in checks {
            #expect(check.worst < 1e-5, "\(check.name)[\(check.worstIndex)]: rel \(check.worst)")
        }
        #expect(checks.count == layout.tensors.count)
    }

    @Test func studentNLLMatchesTheDensityAndItsGradientTheFiniteDifferences() throws {
        var c = tinyConfiguration
        c.studentDegrees = 5
        let graph = makeDoubleGraph(batch: 3, time: 5, seed: 11, configuration: c)
        let parameters = makeDoubleParameters(seed: 5)
        var gradient = [Double](repeating: 0, count: parameters.count)
        let loss = parameters.withUnsafeBufferPointer { p in
            gradient.withUnsafeMutableBufferPointer { g in
                graph.run(parameters: p.baseAddress!, gradient: g.baseAddress!, beta: 0, noise: false)
            }
        }
        // −log t_5(y; μ, σ) with σ² = exp(log σ²), straight from the density's formula.
        var total = 0.0, counted = 0
        let nu = 5.0
        for i in 0..<(3 * 5) where graph.mask[i] != 0 {
            let mu: Double = graph.out[2 * i]
            let sigma: Double = exp(graph.out[2 * i + 1] / 2)
            let z: Double = (graph.y[i] - mu) / sigma
            let normaliser: Double =
                exp(lgamma((nu + 1) / 2) - lgamma(nu / 2)) / ((nu * Double.pi).squareRoot() * sigma)
            let kernel: Double = pow(1 + z * z / nu, -(nu + 1) / 2)
            total -= log(normaliser * kernel)
            counted += 1
        }
        #expect(abs(loss.nll - total / Double(counted)) < 1e-10, "\(loss.nll) vs \(total / Double(counted))")
        let checks = checkGradients(parameters: parameters, gradient: gradient, layout: graph.layout) { p in
            p.withUnsafeBufferPointer { graph.run(parameters: $0.baseAddress!, gradient: nil, beta: 0, noise: false) }
                .nll
        }
        for check in checks {
            #expect(check.worst < 1e-5, "\(check.name)[\(check.worstIndex)]: rel \(check.worst)")
        }
    }

    @Test func studentDrawsHaveHeavierTailsThanGaussianOnes() {
        // The same model with a t₃ head and a Gaussian head: the t paths put more mass beyond 3 scales.
        func tailShare(degrees: Int) -> Double {
            let c = BARNNConfiguration(
                hiddenSize: 4, embeddingSize: 3, alphaWidth: 4, levelWindow: 0, studentDegrees: degrees)
            let model = BARNNModel(configuration: c, seed: 2)
            let ws = BARNNWorkspace(configuration: c)
            var state = RecurrentState(hiddenSize: 4, scale: SeriesScale(scale: 1))
            state.level = 0
            var rng = SeededRNG(seed: 9)
            let forecast = model.sample(
                RecurrentBatch([state], hiddenSize: 4), paths: 20_000, horizon: 1,
                timeFeatures: [Float](repeating: 0, count: c.timeFeatures), levels: [0.001, 0.25, 0.75, 0.999],
                options: .aleatoricOnly, rng: &rng, workspace: ws)
            // Ratio of the 99.8 % range to the interquartile range: 4.58 for a normal, 13.35 for t₃.
            let q = (0..<4).map { forecast.quantile(stream: 0, step: 0, level: $0) }
            return (q[3] - q[0]) / (q[2] - q[1])
        }
        let gaussian = tailShare(degrees: 0), student = tailShare(degrees: 3)
        #expect(abs(gaussian - 4.58) < 0.4, "Gaussian \(gaussian)")
        #expect(abs(student - 13.35) < 2.5, "t₃ \(student)")
    }
}

/// The Float training path (BLAS, fast math, the SIMD backward loops) against the Double path on the same
/// batch: every gradient entry within 2e-3 of the largest entry of its tensor; and the two-thread Float graph against
/// the one-thread graph.
@Suite struct FloatGradientTests {
    /// A graph's inputs: normals for x, y, εx, εh, every target counted.
    struct Batch {
        var x, y, epsX, epsH: [Float]

        init(configuration c: BARNNConfiguration, rows n: Int, rng: inout SeededRNG) {
            func normals(_ count: Int) -> [Float] {
                var z = [Float](repeating: 0, count: count)
                z.withUnsafeMutableBufferPointer { rng.fillNormal($0) }
                return z
            }
            x = normals(n * c.inputSize)
            y = normals(n)
            epsX = normals(n * c.embeddingSize)
            epsH = normals(n * c.hiddenSize)
        }

        func fill<T: BARNNScalar>(_ graph: TrainingGraph<T>) {
            for (i, v) in x.enumerated() { graph.x[i] = T(v) }
            for (i, v) in y.enumerated() {
                graph.y[i] = T(v)
                graph.mask[i] = 1
            }
            for (i, v) in epsX.enumerated() { graph.epsX[i] = T(v) }
            for (i, v) in epsH.enumerated() { graph.epsH[i] = T(v) }
        }
    }

    /// Fills both graphs with the same seeded batch and draws parameters, moved off the initialisation so α varies
    /// across rows.
    static func prepare<A: BARNNScalar, B: BARNNScalar>(
        _ first: TrainingGraph<A>, _ second: TrainingGraph<B>, seed: UInt64
    ) -> (layout: ParameterLayout, parameters: [Float]) {
        var rng = SeededRNG(seed: seed)
        let inputs = Batch(configuration: first.configuration, rows: first.batch * first.time, rng: &rng)
        inputs.fill(first)
        inputs.fill(second)
        let layout = ParameterLayout(first.configuration)
        let parameters = layout.initialParameters(rng: &rng).enumerated().map {
            $0.element + 0.2 * Float(($0.offset % 7) - 3) / 3
        }
        return (layout, parameters)
    }

    /// Per tensor: the largest entry of `reference` in magnitude, and the largest difference of `other` from it.
    static func differences(
        _ layout: ParameterLayout, reference: [Double], other: [Double]
    ) -> [(name: String, worst: Double, scale: Double)] {
        layout.tensors.map { tensor in
            let range = tensor.offset..<(tensor.offset + tensor.count)
            return (
                tensor.name, range.map { abs(reference[$0] - other[$0]) }.max()!,
                range.map { abs(reference[$0]) }.max()!
            )
        }
    }

    static func gradient<T: BARNNScalar>(
        _ graph: TrainingGraph<T>, _ parameters: [T]
    ) -> (gradient: [T], loss: TrainingGraph<T>.Loss) {
        var g = [T](repeating: 0, count: parameters.count)
        let loss = parameters.withUnsafeBufferPointer { p in
            g.withUnsafeMutableBufferPointer {
                graph.run(parameters: p.baseAddress!, gradient: $0.baseAddress!, beta: 0.5)
            }
        }
        return (g, loss)
    }

    /// Hidden 8 with embedding 4 fills whole `SIMD8` blocks; embedding 3 over 20 rows leaves a scalar tail.
    @Test(arguments: [4, 3]) func floatGradientMatchesDouble(embeddingSize: Int) {
        let c = BARNNConfiguration(
            hiddenSize: 8, embeddingSize: embeddingSize, alphaWidth: 8, timeFeatures: 2, beta: 0.5)
        let batch = 4, time = 5
        let double = TrainingGraph<Double>(configuration: c, batch: batch, time: time)
        let float = TrainingGraph<Float>(configuration: c, batch: batch, time: time)
        let (layout, parameters) = Self.prepare(double, float, seed: 31)
        let gd = Self.gradient(double, parameters.map(Double.init)).gradient
        let gf = Self.gradient(float, parameters).gradient
        for (name, worst, scale) in Self.differences(layout, reference: gd, other: gf.map(Double.init)) {
            #expect(worst <= 2e-3 * max(scale, 1e-6), "\(name): maxdiff \(worst), scale \(scale)")
        }
    }

    /// A split never leaves a thread nothing to do (the smallest batch split is 8 windows) and cuts near the middle.
    @Test func splitsCutNearTheMiddle() {
        for count in 8...7000 {
            let half = TrainingGraph<Float>.firstHalf(of: count)
            #expect(half >= 1 && half < count && abs(count - 2 * half) < 16, "\(count) → \(half)")
        }
        #expect(TrainingGraph<Float>.firstHalf(of: 8) == 4 && TrainingGraph<Float>.firstHalf(of: 68) == 32)
        #expect(TrainingGraph<Float>.firstHalf(of: 6144) == 3072)
    }

    /// Two threads split the recurrence by windows and the T·B-row work (the input forward, the weight gradients'
    /// GEMMs) by rows or columns. BLAS sums a half-height block in another order, so the gradient is one thread's
    /// within Float rounding, not bit for bit; but it is the same bits on every run with two threads.
    @Test func twoThreadsGiveOneThreadsGradientAndRepeatThemselves() {
        let c = BARNNConfiguration(hiddenSize: 16, embeddingSize: 8, alphaWidth: 8, timeFeatures: 2, beta: 0.5)
        let batch = 16, time = 6
        let one = TrainingGraph<Float>(configuration: c, batch: batch, time: time)
        let two = TrainingGraph<Float>(configuration: c, batch: batch, time: time)
        two.threads = 2
        let (layout, parameters) = Self.prepare(one, two, seed: 41)
        let (g1, l1) = Self.gradient(one, parameters), (g2, l2) = Self.gradient(two, parameters)
        #expect(abs(l1.nll - l2.nll) <= 1e-5 * abs(l1.nll) && abs(l1.kl - l2.kl) <= 1e-5 * abs(l1.kl))
        for (name, worst, scale) in Self.differences(
            layout, reference: g1.map(Double.init), other: g2.map(Double.init))
        {
            #expect(scale > 0, "\(name) has an all-zero gradient: the comparison would be vacuous")
            #expect(worst <= 1e-5 * scale, "\(name): maxdiff \(worst), scale \(scale)")
        }
        let again = Self.gradient(two, parameters).gradient
        #expect(zip(g2, again).allSatisfy { $0.bitPattern == $1.bitPattern })
    }
}
