import Dispatch
import Foundation
import Sampling

/// Monte Carlo sampling and the MAP pass, batched over streams and split into fixed chunks of streams.
///
/// Chunks hold about `chunkRows` rows (streams × paths) and each draws from its own substream of one
/// seed taken from the caller's generator, so the output depends on the seed only: the same seed gives
/// bit-identical forecasts for any `threads`.
extension BARNNModel {
    /// Target rows per chunk: big enough for efficient GEMMs, small enough to stay in cache.
    static let chunkRows = 256

    /// Monte Carlo forecast: S paths × H steps for each of N streams.
    ///
    /// Each step draws fresh weight noise (unless `options.weightNoise` is off) and an aleatoric sample
    /// that is fed back as the next input (BARNN.md, "Inference"); `options.antithetic` pairs the paths of each
    /// stream as mirror images of the same normals. The static posteriors keep one draw per path for all its steps:
    /// SGLD's path p uses head particle p mod K, Bayes by Backprop's weight sample p mod min(S, 16).
    /// - Parameters:
    ///   - timeFeatures: [N, H, F], row (n, h) = features of target step h (0 = one step ahead).
    ///   - levels: quantile levels in (0, 1).
    ///   - threads: worker threads (chunks are spread over them); with more than one, set
    ///     `BLASThreads.set(1)` so BLAS does not oversubscribe the cores.
    ///   - rng: the only source of randomness; advanced by one draw per call.
    /// - Returns: mean [N, H] and type-7 quantiles [N, H, L] in raw units (NaN for a stream that has not
    ///   seen an observation yet: it has no level to start from).
    /// - Complexity: O(N·S·H) forwards; allocates only the result (and workspaces when they grow), nothing
    ///   per step.
    public func sample(
        _ batch: RecurrentBatch, paths: Int, horizon: Int, timeFeatures: [Float], levels: [Float],
        options: SamplingOptions = .full, threads: Int = 1, rng: inout SeededRNG, workspace: BARNNWorkspace
    ) -> BARNNForecast {
        unroll(
            batch, paths: paths, horizon: horizon, timeFeatures: timeFeatures, levels: levels, options: options,
            feedMean: false, threads: threads, seed: rng.next(), workspace: workspace)
    }

    /// The MAP pass: one noise-free path per stream with the predicted mean fed back.
    ///
    /// Quantiles at `levels` are the head's Gaussian quantiles of each step around the MAP path; they
    /// ignore how uncertainty accumulates along a path, which is why they cover less at long horizons.
    public func mapForecast(
        _ batch: RecurrentBatch, horizon: Int, timeFeatures: [Float], levels: [Float] = [],
        workspace: BARNNWorkspace
    ) -> BARNNForecast {
        unroll(
            batch, paths: 1, horizon: horizon, timeFeatures: timeFeatures, levels: levels,
            options: SamplingOptions(weightNoise: false, aleatoricNoise: false), feedMean: true, threads: 1, seed: 0,
            workspace: workspace)
    }

    /// Output pointers shared by the workers; each chunk writes only its own streams' slots.
    private struct Outputs: @unchecked Sendable {
        // Unchecked: workers write disjoint stream ranges and the caller waits for all of them.
        let mean: UnsafeMutablePointer<Double>
        let quantiles: UnsafeMutablePointer<Double>
        let workers: [BARNNWorkspace]
        /// Bayes by Backprop's weight samples, read-only for every worker.
        let gateWeights: UnsafePointer<Float>?
    }

    private func unroll(
        _ batch: RecurrentBatch, paths s: Int, horizon hz: Int, timeFeatures: [Float], levels: [Float],
        options: SamplingOptions, feedMean: Bool, threads: Int, seed: UInt64, workspace ws: BARNNWorkspace
    ) -> BARNNForecast {
        let c = configuration
        let n = batch.count, nL = levels.count
        precondition(s > 0 && hz > 0, "sample: paths \(s) and horizon \(hz) must be positive")
        precondition(
            timeFeatures.count == n * hz * c.timeFeatures,
            "sample: \(timeFeatures.count) time features ≠ N·H·F = \(n * hz * c.timeFeatures)")
        var mean = [Double](repeating: 0, count: n * hz)
        var quantiles = [Double](repeating: 0, count: n * hz * nL)
        guard n > 0 else { return BARNNForecast(streams: 0, horizon: hz, levels: levels, mean: [], quantiles: []) }
        let chunkStreams = max(1, Self.chunkRows / s)
        let chunkCount = (n + chunkStreams - 1) / chunkStreams
        let workerCount = max(1, min(threads, chunkCount))
        let workers = ws.workers(workerCount)
        // Drawn before the chunks from the seed alone, so every chunk and thread count sees the same weights.
        let gateWeights =
            options.weightNoise && c.posterior.hasWeightScales
            ? BayesByBackprop.forecastWeights(self, paths: s, seed: seed) : []
        gateWeights.withUnsafeBufferPointer { gateBuffer in
            mean.withUnsafeMutableBufferPointer { meanBuffer in
                quantiles.withUnsafeMutableBufferPointer { quantileBuffer in
                    let outputs = Outputs(
                        mean: meanBuffer.baseAddress!, quantiles: quantileBuffer.baseAddress ?? meanBuffer.baseAddress!,
                        workers: workers, gateWeights: gateBuffer.isEmpty ? nil : gateBuffer.baseAddress)
                    let work: @Sendable (Int) -> Void = { w in
                        var chunk = w
                        while chunk < chunkCount {
                            let first = chunk * chunkStreams
                            self.unrollChunk(
                                batch, streams: first..<min(n, first + chunkStreams), paths: s, horizon: hz,
                                timeFeatures: timeFeatures, levels: levels, options: options, feedMean: feedMean,
                                rng: SeededRNG(seed: seed, stream: UInt64(chunk)), ws: outputs.workers[w],
                                gateWeights: outputs.gateWeights, mean: outputs.mean, quantiles: outputs.quantiles)
                            chunk += workerCount
                        }
                    }
                    if workerCount == 1 {
                        work(0)
                    } else {
                        DispatchQueue.concurrentPerform(iterations: workerCount, execute: work)
                    }
                }
            }
        }
        return BARNNForecast(streams: n, horizon: hz, levels: levels, mean: mean, quantiles: quantiles)
    }

    /// Unrolls the streams in `streams` (rows = stream · S + path) and writes their summaries.
    private func unrollChunk(
        _ batch: RecurrentBatch, streams: Range<Int>, paths s: Int, horizon hz: Int, timeFeatures: [Float],
        levels: [Float], options: SamplingOptions, feedMean: Bool, rng seeded: SeededRNG, ws: BARNNWorkspace,
        gateWeights: UnsafePointer<Float>?, mean: UnsafeMutablePointer<Double>, quantiles: UnsafeMutablePointer<Double>
    ) {
        var rng = seeded
        let c = configuration
        let rows = streams.count * s, first = streams.lowerBound
        let nI = c.inputSize, nH = c.hiddenSize, nF = c.timeFeatures, nE = c.embeddingSize
        ws.reserve(rows: rows, horizon: hz)
        batch.hidden.withUnsafeBufferPointer { hb in
            for r in 0..<rows {
                let stream = first + r / s
                (ws.h0 + r * nH).update(from: hb.baseAddress! + stream * nH, count: nH)
                ws.x[r * nI] = batch.pendingInput[stream]
                ws.x[r * nI + 1] = batch.pendingMissing[stream] ? 1 : 0
                ws.offsets[r] = 0
                if c.hasSeasonalInput { ws.x[r * nI + c.seasonalInputColumn] = batch.pendingSeasonal[stream] }
                if c.hasLevelInput {
                    ws.x[r * nI + c.levelInputColumn] = batch.pendingLevel[stream]
                    // The path's moving average relative to the origin level, so Float keeps its precision.
                    let mean = batch.levelMean[stream], origin = batch.level[stream]
                    ws.levelMeans[r] = mean.isFinite && origin.isFinite ? Float(mean - origin) : 0
                }
            }
        }
        let levelRate = Float(1 / Double(max(1, c.levelWindow))), levelClip = LevelContext.inputClip
        var mapSigma = [Float](repeating: 0, count: feedMean ? rows * hz : 0)
        let bound = BARNNModel.logVarianceBound
        let xi = ws.eps + rows * (nE + nH)
        // Student-t draws: ν more normals per row and step give χ²_ν; allocated per call, not per step.
        let nu = c.studentDegrees
        var chi = [Float](repeating: 0, count: c.isStudent && options.aleatoricNoise && !feedMean ? rows * nu : 0)
        // The MAP pass's band: a t scale σ has standard deviation σ·√(ν/(ν−2)).
        let mapWidth: Float = c.isStudent ? Float((Double(nu) / Double(nu - 2)).squareRoot()) : 1
        let stratify = options.stratifiedAleatoric && options.aleatoricNoise && !feedMean && s > 1
        var jitter = [Float](repeating: 0, count: stratify ? rows : 0)
        var order = [Int](repeating: 0, count: stratify ? s : 0)
        precondition(
            batch.seasonalLag == c.seasonalLag,
            "sample: batch packed for lag \(batch.seasonalLag), model \(c.seasonalLag)")
        let m = c.seasonalLag
        timeFeatures.withUnsafeBufferPointer { tf in
            for k in 0..<hz {
                for stream in 0..<streams.count {
                    // Every path of a stream reads the same step's features.
                    Float.copyRows(
                        tf.baseAddress! + ((first + stream) * hz + k) * nF, sourceStride: 0,
                        into: ws.x + stream * s * nI + 2, destinationStride: nI, rows: s, count: nF)
                }
                if c.hasSeasonalInput && k > 0 {
                    // Step k predicts y_{t+k+1}; one season earlier is observed history while k < m, and this
                    // path's own value at step k − m after that. Both are taken relative to the origin level.
                    for r in 0..<rows {
                        let stream = first + r / s
                        let origin = batch.level[stream]
                        let seasonAgo =
                            k < m ? batch.recent[stream * m + k] - origin : Double(ws.paths[r * hz + k - m])
                        ws.x[r * nI + c.seasonalInputColumn] = SeasonalInput.input(
                            seasonAgo: seasonAgo, previous: Double(ws.offsets[r]),
                            scale: SeriesScale(scale: batch.scale[stream]))
                    }
                }
                if options.weightNoise {
                    rng.fillNormal(UnsafeMutableBufferPointer(start: ws.eps, count: rows * (nE + nH + 1)))
                    if options.antithetic {
                        // A dropout mask has no mirror image: only Gaussian weight noise is paired.
                        if c.usesAlphaEncoders {
                            Self.mirrorPairs(ws.eps, width: nE, streams: streams.count, paths: s)
                            Self.mirrorPairs(ws.eps + rows * nE, width: nH, streams: streams.count, paths: s)
                        }
                        Self.mirrorPairs(xi, width: 1, streams: streams.count, paths: s)
                    }
                    c.posterior.transformNoise(ws.eps, count: rows * (nE + nH))
                } else if options.aleatoricNoise {
                    rng.fillNormal(UnsafeMutableBufferPointer(start: xi, count: rows))
                    if options.antithetic { Self.mirrorPairs(xi, width: 1, streams: streams.count, paths: s) }
                }
                if stratify {
                    jitter.withUnsafeMutableBufferPointer { rng.fillUniform($0) }
                    Self.stratify(xi, jitter: jitter, streams: streams.count, paths: s, order: &order)
                }
                forward(rows: rows, workspace: ws, noise: options.weightNoise, paths: s, gateWeights: gateWeights)
                // σ = exp(clamp(log σ²) / 2), vectorised over rows in `scratch`.
                for r in 0..<rows { ws.scratch[r] = min(max(ws.out[2 * r + 1], -bound), bound) * 0.5 }
                Float.expInPlace(ws.scratch, count: rows)
                let draw = options.aleatoricNoise && !feedMean
                if draw && c.isStudent {
                    chi.withUnsafeMutableBufferPointer { buffer in
                        rng.fillNormal(buffer)
                        for r in 0..<rows {
                            var sum: Float = 0
                            for j in 0..<nu { sum += buffer[r * nu + j] * buffer[r * nu + j] }
                            xi[r] /= (max(sum, 1e-12) / Float(nu)).squareRoot()
                        }
                    }
                }
                for r in 0..<rows {
                    let mu = ws.out[2 * r]
                    let z = draw ? mu + ws.scratch[r] * xi[r] : mu
                    ws.offsets[r] += batch.scale[first + r / s] * z
                    ws.paths[r * hz + k] = ws.offsets[r]
                    ws.x[r * nI] = min(max(z, -SeriesScale.inputClip), SeriesScale.inputClip)
                    ws.x[r * nI + 1] = 0
                }
                if c.hasLevelInput {
                    // The same recursion as `LevelContext.observe`, run on each path's own level.
                    for r in 0..<rows {
                        let deviation = ws.offsets[r] - ws.levelMeans[r]
                        ws.levelMeans[r] += levelRate * deviation
                        ws.x[r * nI + c.levelInputColumn] = min(
                            max(deviation / batch.levelScale[first + r / s], -levelClip), levelClip)
                    }
                }
                if feedMean {
                    for r in 0..<rows {
                        mapSigma[r * hz + k] = batch.scale[first + r / s] * ws.scratch[r] * mapWidth
                    }
                }
                swap(&ws.h0, &ws.h1)
            }
        }
        summarise(
            batch, streams: streams, paths: s, horizon: hz, levels: levels, mapSigma: mapSigma, ws: ws, mean: mean,
            quantiles: quantiles)
    }

    /// Overwrites paths S/2..<2·(S/2) of each stream in a [streams·S, width] block with the negated rows of paths
    /// 0..<S/2; an odd last path keeps its own draws.
    ///
    /// The overwritten rows were drawn anyway, so the generator advances exactly as without pairing.
    static func mirrorPairs(_ block: UnsafeMutablePointer<Float>, width: Int, streams: Int, paths s: Int) {
        let half = s / 2
        guard half > 0 else { return }
        for stream in 0..<streams {
            let source = block + stream * s * width
            let target = source + half * width
            for i in 0..<(half * width) { target[i] = -source[i] }
        }
    }

    /// Replaces each stream's S normals in `xi` by one draw from each of S equal-probability strata of the normal:
    /// the path with the k-th smallest value gets stratum k, jittered within it by `jitter`.
    static func stratify(
        _ xi: UnsafeMutablePointer<Float>, jitter: [Float], streams: Int, paths s: Int, order: inout [Int]
    ) {
        for stream in 0..<streams {
            let base = stream * s
            for p in 0..<s { order[p] = base + p }
            order.sort { xi[$0] < xi[$1] }
            for (k, row) in order.enumerated() {
                // The half-ulp keeps the level inside (0, 1) when the jitter is exactly 0.
                let u = (Double(k) + Double(jitter[row]) + 0x1p-25) / Double(s)
                xi[row] = Float(normalQuantile(u))
            }
        }
    }

    private func summarise(
        _ batch: RecurrentBatch, streams: Range<Int>, paths s: Int, horizon hz: Int, levels: [Float],
        mapSigma: [Float], ws: BARNNWorkspace, mean: UnsafeMutablePointer<Double>,
        quantiles: UnsafeMutablePointer<Double>
    ) {
        let nL = levels.count
        let sorted = ws.sortBuffer
        for (local, stream) in streams.enumerated() {
            let origin = batch.level[stream]
            for k in 0..<hz {
                var sum: Float = 0
                for p in 0..<s {
                    let v = ws.paths[(local * s + p) * hz + k]
                    sorted[p] = v
                    sum += v
                }
                mean[stream * hz + k] = origin + Double(sum / Float(s))
                guard nL > 0 else { continue }
                let out = quantiles + (stream * hz + k) * nL
                if !mapSigma.isEmpty {
                    let sigma = Double(mapSigma[local * hz + k])
                    for (l, level) in levels.enumerated() {
                        out[l] = origin + Double(sorted[0]) + sigma * Self.normalQuantile(Double(level))
                    }
                } else {
                    Quantiles.sortInPlace(sorted, count: s)
                    let paths = UnsafeBufferPointer(start: sorted, count: s)
                    for (l, level) in levels.enumerated() {
                        out[l] = origin + Double(SampleQuantiles.type7(sorted: paths, level: level))
                    }
                }
            }
        }
    }

    /// The standard normal quantile (Acklam's rational approximation, relative error below 1.2e-9).
    static func normalQuantile(_ p: Double) -> Double {
        let a = [
            -3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02,
            -3.066479806614716e+01, 2.506628277459239e+00,
        ]
        let b = [
            -5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01,
            -1.328068155288572e+01,
        ]
        let cc = [
            -7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00,
            4.374664141464968e+00, 2.938163982698783e+00,
        ]
        let d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00]
        let p = min(max(p, 1e-12), 1 - 1e-12)
        if p < 0.02425 {
            let q = (-2 * log(p)).squareRoot()
            return (((((cc[0] * q + cc[1]) * q + cc[2]) * q + cc[3]) * q + cc[4]) * q + cc[5])
                / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
        }
        if p > 1 - 0.02425 { return -normalQuantile(1 - p) }
        let q = p - 0.5, r = q * q
        return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q
            / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
    }
}
