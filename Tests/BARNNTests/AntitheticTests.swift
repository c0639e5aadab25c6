import Foundation
import Testing

@testable import BARNN

@Suite struct AntitheticTests {
    let c = BARNNConfiguration(hiddenSize: 8, embeddingSize: 4, alphaWidth: 6)
    static let anti = SamplingOptions(weightNoise: true, aleatoricNoise: true, antithetic: true)

    func features(_ count: Int, from start: Int = 0) -> [Float] {
        CalendarFeatures.hourAndWeek.features(unixTimes: (start..<(start + count)).map { Double($0) * 3600 })
    }

    func warmBatch(_ model: BARNNModel, streams: Int, ws: BARNNWorkspace) -> RecurrentBatch {
        let states = (0..<streams).map { s in
            model.warmUp(
                values: (0..<30).map { Float(sin(Double($0) / 3 + Double(s)) + 0.01 * Double($0)) },
                timeFeatures: features(30), scale: SeriesScale(scale: 0.3), workspace: ws)
        }
        return RecurrentBatch(states, hiddenSize: model.configuration.hiddenSize)
    }

    func forecast(
        _ m: BARNNModel, streams: Int = 2, paths: Int, horizon: Int, levels: [Float], options: SamplingOptions,
        seed: UInt64 = 77, threads: Int = 1
    ) -> BARNNForecast {
        let ws = BARNNWorkspace(configuration: m.configuration)
        let batch = warmBatch(m, streams: streams, ws: ws)
        var rng = SeededRNG(seed: seed)
        return m.sample(
            batch, paths: paths, horizon: horizon,
            timeFeatures: (0..<streams).flatMap { _ in features(horizon, from: 30) }, levels: levels,
            options: options, threads: threads, rng: &rng, workspace: ws)
    }

    /// A model whose head ignores the hidden state: every step is μ + σ·ξ, so a path is linear in its noise.
    func linearModel(mu: Float, logVariance: Float) -> BARNNModel {
        let random = BARNNModel(configuration: c, seed: 12)
        var p = random.parameters
        for i in 0..<(c.hiddenSize * 2) { p[random.layout.wo + i] = 0 }
        p[random.layout.bo] = mu
        p[random.layout.bo + 1] = logVariance
        return BARNNModel(configuration: c, parameters: p)
    }

    /// Means then quantiles (2 streams, 5 paths, 3 steps, levels 0.1/0.5/0.9, seed 77) printed by the code before
    /// `antithetic` existed: turning the option off must leave the draws where they were. The tolerance only
    /// absorbs BLAS kernels that round differently; a moved draw changes values by O(1).
    static let plainGolden: [String: [Double]] = [
        "full": [
            -0.06766289, -0.07456859, 0.03566931, -0.7340432, -0.5559613, -0.5945933, -0.4259678, 0.02345354,
            0.2613668, -0.4546877, -0.2742324, 0.4428079, -0.3463611, -0.03423146, 0.4790346, -1.046713, -0.6526736,
            -0.4655109, -0.7242418, -0.6006701, -0.3659465, -1.070079, -0.4689928, -0.22497,
        ],
        "aleatoricOnly": [
            -0.4069204, -0.4754386, -0.5000599, -0.8046455, -0.7949986, -0.8227167, -0.6068488, -0.5649151,
            -0.06022579, -0.9986495, -0.5737097, 0.2075838, -1.309053, -0.5806502, 0.383902, -1.03889, -0.8677059,
            -0.5245562, -1.227808, -1.057656, -0.2256626, -1.293505, -1.13506, -0.2003103,
        ],
        "student": [
            -0.02812042, -0.3309823, -0.2981814, -0.7026579, -0.8284462, -1.066445, -0.420551, 0.04280376,
            0.3326084, -1.006817, -0.1371374, 0.2165977, -0.770638, -0.2763275, 0.1725564, -0.9224553, -0.6377842,
            -0.5123149, -1.102041, -0.6882747, -0.6356273, -1.524089, -1.002893, -0.6901736,
        ],
    ]

    @Test(arguments: ["full", "aleatoricOnly", "student"])
    func plainSamplingIsUnchanged(_ name: String) throws {
        let student = BARNNConfiguration(hiddenSize: 8, embeddingSize: 4, alphaWidth: 6, studentDegrees: 5)
        let m = BARNNModel(configuration: name == "student" ? student : c, seed: 12)
        let f = forecast(
            m, paths: 5, horizon: 3, levels: [0.1, 0.5, 0.9], options: name == "aleatoricOnly" ? .aleatoricOnly : .full)
        let golden = try #require(Self.plainGolden[name])
        let values = f.mean + f.quantiles
        #expect(values.count == golden.count)
        for (v, g) in zip(values, golden) { #expect(abs(v - g) <= 1e-5 * max(1, abs(g)), "\(name): \(v) vs \(g)") }
        #expect(!SamplingOptions.full.antithetic && !SamplingOptions.aleatoricOnly.antithetic)
        #expect(!SamplingOptions.full.stratifiedAleatoric && !SamplingOptions.aleatoricOnly.stratifiedAleatoric)
    }

    static let stratified = SamplingOptions(weightNoise: true, aleatoricNoise: true, stratifiedAleatoric: true)

    @Test(arguments: [anti, stratified])
    func pairedAndStratifiedSamplingAreDeterministicAndThreadIndependent(_ options: SamplingOptions) {
        let student = BARNNConfiguration(hiddenSize: 8, embeddingSize: 4, alphaWidth: 6, studentDegrees: 5)
        for configuration in [c, student] {
            let m = BARNNModel(configuration: configuration, seed: 12)
            // 20 streams × 32 paths span three chunks.
            func run(threads: Int) -> BARNNForecast {
                forecast(
                    m, streams: 20, paths: 32, horizon: 4, levels: [0.05, 0.5, 0.95], options: options,
                    threads: threads)
            }
            let a = run(threads: 1), b = run(threads: 1), three = run(threads: 3)
            #expect(a.mean.map(\.bitPattern) == b.mean.map(\.bitPattern))
            #expect(a.quantiles.map(\.bitPattern) == b.quantiles.map(\.bitPattern))
            #expect(a == three)
            let plain = forecast(m, streams: 20, paths: 32, horizon: 4, levels: [0.05, 0.5, 0.95], options: .full)
            #expect(a.mean != plain.mean)
        }
    }

    /// Paths linear in the noise: each pair averages to the noise-free path, so the sample mean is that path and the
    /// quantiles are symmetric about it, whatever the draws.
    @Test(arguments: [SamplingOptions.full, .aleatoricOnly])
    func pairsCancelOnAPathLinearInTheNoise(_ base: SamplingOptions) {
        let m = linearModel(mu: 0.375, logVariance: -1)
        var options = base
        options.antithetic = true
        let levels: [Float] = [0.025, 0.1, 0.25, 0.5, 0.75, 0.9, 0.975]
        let ws = BARNNWorkspace(configuration: c)
        let map = m.mapForecast(
            warmBatch(m, streams: 2, ws: ws), horizon: 6, timeFeatures: (0..<2).flatMap { _ in features(6, from: 30) },
            workspace: ws)
        let anti = forecast(m, paths: 8, horizon: 6, levels: levels, options: options)
        let plain = forecast(m, paths: 8, horizon: 6, levels: levels, options: base)
        var plainError = 0.0
        for s in 0..<2 {
            for h in 0..<6 {
                let centre = map.mean(stream: s, step: h)
                #expect(abs(anti.mean(stream: s, step: h) - centre) < 1e-5, "stream \(s) step \(h)")
                plainError = max(plainError, abs(plain.mean(stream: s, step: h) - centre))
                for l in 0..<levels.count {
                    let sum =
                        anti.quantile(stream: s, step: h, level: l)
                        + anti.quantile(stream: s, step: h, level: levels.count - 1 - l)
                    #expect(abs(sum - 2 * centre) < 1e-5, "stream \(s) step \(h) level \(levels[l])")
                }
            }
        }
        #expect(plainError > 0.01, "plain paths must not cancel: the test would prove nothing")
    }

    /// Odd S: the first 2·⌊S/2⌋ paths pair up and the last path keeps its own draws, the same as without pairing.
    @Test func oddPathCountLeavesTheLastPathPlain() {
        // Levels k/4 of 5 paths are exactly the 5 sorted path values.
        let levels: [Float] = [0, 0.25, 0.5, 0.75, 1]
        let m = BARNNModel(configuration: c, seed: 12)
        let anti = forecast(m, paths: 5, horizon: 3, levels: levels, options: Self.anti)
        let plain = forecast(m, paths: 5, horizon: 3, levels: levels, options: .full)
        let linear = linearModel(mu: 0.375, logVariance: -1)
        let linearAnti = forecast(linear, paths: 5, horizon: 3, levels: levels, options: Self.anti)
        let ws = BARNNWorkspace(configuration: c)
        let map = linear.mapForecast(
            warmBatch(linear, streams: 2, ws: ws), horizon: 3,
            timeFeatures: (0..<2).flatMap { _ in features(3, from: 30) }, workspace: ws)
        for s in 0..<2 {
            for h in 0..<3 {
                let a = Set((0..<5).map { anti.quantile(stream: s, step: h, level: $0) })
                let p = Set((0..<5).map { plain.quantile(stream: s, step: h, level: $0) })
                // Paths 0, 1 (the pairs' first halves) and 4 (the odd one) draw the same normals as plain sampling.
                #expect(a.intersection(p).count == 3, "stream \(s) step \(h)")
                // On the linear model, four paths mirror about the noise-free path and one does not.
                let centre = map.mean(stream: s, step: h)
                let values = (0..<5).map { linearAnti.quantile(stream: s, step: h, level: $0) - centre }
                let mirrored = values.filter { v in values.contains { abs($0 + v) < 1e-5 } }
                #expect(mirrored.count == 4, "stream \(s) step \(h): \(values)")
            }
        }
        // One path has nothing to pair with.
        let single = forecast(m, paths: 1, horizon: 3, levels: [0.5], options: Self.anti)
        #expect(single == forecast(m, paths: 1, horizon: 3, levels: [0.5], options: .full))
    }

    /// One step ahead on the linear model, the S standardised draws of a stream sit one in each 1/S of the normal.
    @Test(arguments: [stratified, SamplingOptions(weightNoise: false, aleatoricNoise: true, stratifiedAleatoric: true)])
    func stratifiedDrawsTakeOneStratumEach(_ options: SamplingOptions) {
        let s = 8
        let m = linearModel(mu: 0.375, logVariance: -1)
        // Levels k/(S−1) of S paths are the sorted path values.
        let levels = (0..<s).map { Float($0) / Float(s - 1) }
        let ws = BARNNWorkspace(configuration: c)
        let batch = warmBatch(m, streams: 3, ws: ws)
        let f = forecast(m, streams: 3, paths: s, horizon: 1, levels: levels, options: options)
        let sigma = exp(-0.5)
        for stream in 0..<3 {
            let origin = batch.level[stream], scale = Double(batch.scale[stream])
            for k in 0..<s {
                let z = ((f.quantile(stream: stream, step: 0, level: k) - origin) / scale - 0.375) / sigma
                let u = 0.5 * erfc(-z / 2.0.squareRoot())
                #expect(
                    u > Double(k) / Double(s) - 1e-4 && u < Double(k + 1) / Double(s) + 1e-4,
                    "stream \(stream): draw \(k) at level \(u)")
            }
        }
        let plain = forecast(m, streams: 3, paths: s, horizon: 1, levels: levels, options: .full)
        #expect(plain != f)
    }

    /// On the real (nonlinear) GRU, weight-noise pairs still cancel the first-order part: with the aleatoric draw off,
    /// 64 antithetic paths sit much closer to an 8,192-path reference than 64 plain paths do.
    @Test func weightNoisePairsReduceTheErrorOfTheMean() {
        let m = BARNNModel(configuration: c, seed: 12)
        let weightOnly = SamplingOptions(weightNoise: true, aleatoricNoise: false)
        var weightOnlyAnti = weightOnly
        weightOnlyAnti.antithetic = true
        let reference = forecast(m, streams: 4, paths: 8192, horizon: 4, levels: [], options: weightOnly, seed: 1)
        func error(_ options: SamplingOptions) -> Double {
            (2..<12).map { seed in
                let f = forecast(m, streams: 4, paths: 64, horizon: 4, levels: [], options: options, seed: UInt64(seed))
                return zip(f.mean, reference.mean).map { ($0 - $1) * ($0 - $1) }.reduce(0, +)
            }.reduce(0, +)
        }
        let plain = error(weightOnly), anti = error(weightOnlyAnti)
        // Measured 0.0060 plain against 0.00048 antithetic.
        #expect(anti < 0.25 * plain, "squared error: plain \(plain), antithetic \(anti)")
    }
}
