import Foundation

/// Inference: warm-up, the per-observation step, Monte Carlo sampling and the MAP pass.
///
/// All of it is noise-free except `sample`, and all of it runs through one `Network<Float>` forward
/// whose buffers live in a `BARNNWorkspace` (no allocation per step once the workspace has grown).
extension BARNNModel {
    /// Logarithm-of-variance bound applied to the head's output (keeps σ finite in Float32).
    static let logVarianceBound: Float = 14

    /// A stream's state after a noise-free pass over `values` (raw, NaN = missing).
    ///
    /// - Parameters:
    ///   - timeFeatures: [T, F], row t = features of the step of `values[t]`.
    ///   - scale: the stream's scale (e.g. `SeriesScale(fitting:)` over its history).
    /// - Complexity: O(T) single-row steps.
    public func warmUp(
        values: [Float], timeFeatures: [Float], scale: SeriesScale, workspace: BARNNWorkspace
    ) -> RecurrentState {
        let nF = configuration.timeFeatures
        precondition(
            timeFeatures.count == values.count * nF,
            "warmUp: \(timeFeatures.count) time features for \(values.count) values × \(nF)")
        var batch = RecurrentBatch(
            [RecurrentState(hiddenSize: configuration.hiddenSize, scale: scale)], hiddenSize: configuration.hiddenSize)
        var observation = [Float](repeating: 0, count: 1)
        timeFeatures.withUnsafeBufferPointer { tf in
            for t in values.indices {
                observation[0] = values[t]
                step(
                    &batch, observations: observation,
                    timeFeatures: UnsafeBufferPointer(rebasing: tf[(t * nF)..<((t + 1) * nF)]), workspace: workspace)
            }
        }
        return batch[0]
    }

    /// Advances N streams by one observation each (noise-free), in one batched forward.
    ///
    /// A missing observation (NaN) is handled explicitly: the model's own mean increment advances the
    /// level (so forecasts start from an imputed level), and the next input is flagged missing, as in
    /// training, where increments that touch a gap are missing.
    /// - Parameters:
    ///   - observations: [N] raw values, NaN = missing.
    ///   - timeFeatures: [N, F] features of this observation's step.
    public func step(
        _ batch: inout RecurrentBatch, observations: [Float], timeFeatures: [Float], workspace: BARNNWorkspace
    ) {
        timeFeatures.withUnsafeBufferPointer {
            step(&batch, observations: observations, timeFeatures: $0, workspace: workspace)
        }
    }

    func step(
        _ batch: inout RecurrentBatch, observations: [Float], timeFeatures: UnsafeBufferPointer<Float>,
        workspace ws: BARNNWorkspace
    ) {
        let n = batch.count, c = configuration
        let nI = c.inputSize, nH = c.hiddenSize, nF = c.timeFeatures
        precondition(observations.count == n && timeFeatures.count == n * nF, "step: shapes do not match N = \(n)")
        ws.reserve(rows: n, horizon: 1)
        for r in 0..<n {
            let x = ws.x + r * nI
            x[0] = batch.pendingInput[r]
            x[1] = batch.pendingMissing[r] ? 1 : 0
            for j in 0..<nF { x[2 + j] = timeFeatures[r * nF + j] }
        }
        batch.hidden.withUnsafeBufferPointer { ws.h0.update(from: $0.baseAddress!, count: n * nH) }
        forward(rows: n, workspace: ws, noise: false)
        batch.hidden.withUnsafeMutableBufferPointer { $0.baseAddress!.update(from: ws.h1, count: n * nH) }
        for r in 0..<n {
            let y = observations[r]
            let scale = Double(batch.scale[r])
            if y.isFinite {
                if batch.lastObserved[r] && batch.level[r].isFinite {
                    batch.pendingInput[r] = SeriesScale(scale: batch.scale[r]).input(
                        forIncrement: Double(y) - batch.level[r])
                    batch.pendingMissing[r] = false
                } else {
                    batch.pendingInput[r] = 0
                    batch.pendingMissing[r] = true
                }
                batch.level[r] = Double(y)
                batch.lastObserved[r] = true
            } else {
                if batch.level[r].isFinite { batch.level[r] += scale * Double(ws.out[2 * r]) }
                batch.pendingInput[r] = 0
                batch.pendingMissing[r] = true
                batch.lastObserved[r] = false
            }
        }
    }

    /// One noise-free or noisy forward of `rows` rows: reads `ws.x` and `ws.h0`, writes `ws.h1` and `ws.out`.
    func forward(rows: Int, workspace ws: BARNNWorkspace, noise: Bool) {
        let c = configuration
        let nE = c.embeddingSize, nI = c.inputSize
        parameters.withUnsafeBufferPointer { pp in
            let net = Network<Float>(parameters: pp.baseAddress!, configuration: c)
            net.inputForward(
                rows: rows, x: ws.x, eps: noise ? UnsafePointer(ws.eps) : nil, e: ws.e, ax1: ws.ax1, ox: ws.ox,
                alx: ws.alx, et: ws.et, gx: ws.gx)
            net.recurrentForward(
                rows: rows, hPrev: ws.h0, tf: ws.x + 2, ldtf: nI, gx: ws.gx,
                eps: noise ? UnsafePointer(ws.eps + rows * nE) : nil, hin: ws.hin, ah1: ws.ah1, oh: ws.oh,
                alh: ws.alh, ht: ws.ht, gh: ws.gh, gates: ws.gates, hNew: ws.h1)
            net.head(rows: rows, h: ws.h1, out: ws.out)
        }
    }

    /// Monte Carlo forecast: S paths × H steps for each of N streams, in one batch of N·S rows.
    ///
    /// Each step draws fresh weight noise (unless `options.weightNoise` is off) and an aleatoric sample
    /// that is fed back as the next input (BARNN.md, "Inference").
    /// - Parameters:
    ///   - timeFeatures: [N, H, F], row (n, h) = features of target step h (0 = one step ahead).
    ///   - levels: quantile levels in (0, 1).
    ///   - rng: the only source of randomness; the same seed gives bit-identical output.
    /// - Returns: mean [N, H] and type-7 quantiles [N, H, L] in raw units.
    /// - Complexity: O(N·S·H) forwards; allocates only the result (and the workspace when it grows).
    public func sample(
        _ batch: RecurrentBatch, paths: Int, horizon: Int, timeFeatures: [Float], levels: [Float],
        options: SamplingOptions = .full, rng: inout SeededRNG, workspace: BARNNWorkspace
    ) -> BARNNForecast {
        unroll(
            batch, paths: paths, horizon: horizon, timeFeatures: timeFeatures, levels: levels, options: options,
            feedMean: false, rng: &rng, workspace: workspace)
    }

    /// The MAP pass: one noise-free path per stream with the predicted mean fed back.
    ///
    /// Quantiles at `levels` are the head's Gaussian quantiles of each step given the MAP path (they
    /// ignore the spread of the path itself, which is why they cover less at long horizons).
    public func mapForecast(
        _ batch: RecurrentBatch, horizon: Int, timeFeatures: [Float], levels: [Float] = [],
        workspace: BARNNWorkspace
    ) -> BARNNForecast {
        var rng = SeededRNG(seed: 0)
        return unroll(
            batch, paths: 1, horizon: horizon, timeFeatures: timeFeatures, levels: levels,
            options: SamplingOptions(weightNoise: false, aleatoricNoise: false), feedMean: true, rng: &rng,
            workspace: workspace)
    }

    private func unroll(
        _ batch: RecurrentBatch, paths s: Int, horizon hz: Int, timeFeatures: [Float], levels: [Float],
        options: SamplingOptions, feedMean: Bool, rng: inout SeededRNG, workspace ws: BARNNWorkspace
    ) -> BARNNForecast {
        let c = configuration
        let n = batch.count, rows = n * s
        let nI = c.inputSize, nH = c.hiddenSize, nF = c.timeFeatures, nE = c.embeddingSize
        precondition(s > 0 && hz > 0, "sample: paths \(s) and horizon \(hz) must be positive")
        precondition(timeFeatures.count == n * hz * nF, "sample: \(timeFeatures.count) time features ≠ N·H·F")
        ws.reserve(rows: rows, horizon: hz)
        // Replicate each stream's state over its S paths: row = stream · S + path.
        batch.hidden.withUnsafeBufferPointer { hb in
            for r in 0..<rows {
                let stream = r / s
                (ws.h0 + r * nH).update(from: hb.baseAddress! + stream * nH, count: nH)
                ws.x[r * nI] = batch.pendingInput[stream]
                ws.x[r * nI + 1] = batch.pendingMissing[stream] ? 1 : 0
                ws.offsets[r] = 0
            }
        }
        let noiseCount = rows * (nE + nH + 1)
        var mapSigma = [Float](repeating: 0, count: feedMean ? rows * hz : 0)
        let bound = BARNNModel.logVarianceBound
        timeFeatures.withUnsafeBufferPointer { tf in
            for k in 0..<hz {
                for r in 0..<rows {
                    let src = tf.baseAddress! + ((r / s) * hz + k) * nF
                    (ws.x + r * nI + 2).update(from: src, count: nF)
                }
                let drawAny = options.weightNoise || options.aleatoricNoise
                if drawAny {
                    let count = options.weightNoise ? noiseCount : rows
                    let start = options.weightNoise ? ws.eps : ws.eps + rows * (nE + nH)
                    rng.fillNormal(UnsafeMutableBufferPointer(start: start, count: count))
                }
                forward(rows: rows, workspace: ws, noise: options.weightNoise)
                // σ = exp(clamp(log σ²) / 2), vectorised over rows in `scratch`.
                for r in 0..<rows { ws.scratch[r] = min(max(ws.out[2 * r + 1], -bound), bound) * 0.5 }
                Float.expInPlace(ws.scratch, count: rows)
                let xi = ws.eps + rows * (nE + nH)
                for r in 0..<rows {
                    let mu = ws.out[2 * r]
                    let z = options.aleatoricNoise && !feedMean ? mu + ws.scratch[r] * xi[r] : mu
                    ws.offsets[r] += batch.scale[r / s] * z
                    ws.paths[r * hz + k] = ws.offsets[r]
                    ws.x[r * nI] = min(max(z, -SeriesScale.inputClip), SeriesScale.inputClip)
                    ws.x[r * nI + 1] = 0
                }
                if feedMean {
                    for r in 0..<rows { mapSigma[r * hz + k] = batch.scale[r / s] * ws.scratch[r] }
                }
                swap(&ws.h0, &ws.h1)
            }
        }
        return summarise(batch, paths: s, horizon: hz, levels: levels, mapSigma: mapSigma, ws: ws)
    }

    private func summarise(
        _ batch: RecurrentBatch, paths s: Int, horizon hz: Int, levels: [Float], mapSigma: [Float],
        ws: BARNNWorkspace
    ) -> BARNNForecast {
        let n = batch.count, nL = levels.count
        var mean = [Double](repeating: 0, count: n * hz)
        var quantiles = [Double](repeating: 0, count: n * hz * nL)
        var sortedStorage = [Float](repeating: 0, count: s)
        sortedStorage.withUnsafeMutableBufferPointer { sortedBuffer in
            let sorted = sortedBuffer.baseAddress!
            for stream in 0..<n {
                let origin = batch.level[stream]
                for k in 0..<hz {
                    var sum: Float = 0
                    for p in 0..<s {
                        let v = ws.paths[(stream * s + p) * hz + k]
                        sorted[p] = v
                        sum += v
                    }
                    mean[stream * hz + k] = origin + Double(sum / Float(s))
                    guard nL > 0 else { continue }
                    if !mapSigma.isEmpty {
                        let sigma = mapSigma[stream * hz + k]
                        for (l, level) in levels.enumerated() {
                            quantiles[(stream * hz + k) * nL + l] =
                                origin + Double(sorted[0]) + Double(sigma) * Self.normalQuantile(Double(level))
                        }
                    } else {
                        Quantiles.sortInPlace(sorted, count: s)
                        for (l, level) in levels.enumerated() {
                            quantiles[(stream * hz + k) * nL + l] =
                                origin + Double(Quantiles.type7(sorted: sorted, count: s, level: level))
                        }
                    }
                }
            }
        }
        return BARNNForecast(streams: n, horizon: hz, levels: levels, mean: mean, quantiles: quantiles)
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
