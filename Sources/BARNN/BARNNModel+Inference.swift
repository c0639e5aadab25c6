import Foundation

/// Noise-free inference: warm-up over a context and the per-observation step (sampling is in
/// `BARNNModel+Sampling.swift`). Both run through the same `Network<Float>` forward as sampling, with
/// buffers in a `BARNNWorkspace` (no allocation per step once the workspace has grown).
extension BARNNModel {
    /// Logarithm-of-variance bound applied to the head's output (keeps σ finite in Float32).
    static let logVarianceBound: Float = 14

    /// log Γ(ν/2) − log Γ((ν+1)/2) + ½ log(νπ): the part of the Student-t NLL that does not depend on the data.
    static func studentLogNormaliser(degrees: Int) -> Double {
        let nu = Double(degrees)
        return lgamma(nu / 2) - lgamma((nu + 1) / 2) + 0.5 * log(nu * Double.pi)
    }

    /// The scales of a stream with history `values` (raw, NaN = missing), with the level scale when this model reads
    /// the level context: what `warmUp` should be given.
    public func scale(fitting values: [Float]) -> SeriesScale {
        SeriesScale(fitting: values, levelWindow: configuration.levelWindow)
    }

    /// A stream's state after a noise-free pass over `values` (raw, NaN = missing).
    ///
    /// - Parameters:
    ///   - timeFeatures: [T, F], row t = features of the step of `values[t]`.
    ///   - scale: the stream's scales (e.g. `scale(fitting:)` over its history).
    /// - Complexity: O(T) single-row steps.
    public func warmUp(
        values: [Float], timeFeatures: [Float], scale: SeriesScale, workspace: BARNNWorkspace
    ) -> RecurrentState {
        let nF = configuration.timeFeatures
        precondition(
            timeFeatures.count == values.count * nF,
            "warmUp: \(timeFeatures.count) time features for \(values.count) values × \(nF)")
        let m = configuration.seasonalLag
        var batch = RecurrentBatch(
            [RecurrentState(hiddenSize: configuration.hiddenSize, scale: scale, seasonalLag: m)],
            hiddenSize: configuration.hiddenSize, seasonalLag: m)
        if configuration.hasLevelInput {
            batch.levelMean[0] = LevelContext(window: configuration.levelWindow, startingFrom: values).mean ?? .nan
        }
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
        precondition(
            batch.seasonalLag == c.seasonalLag,
            "step: batch packed for lag \(batch.seasonalLag), model \(c.seasonalLag)")
        for r in 0..<n {
            let x = ws.x + r * nI
            x[0] = batch.pendingInput[r]
            x[1] = batch.pendingMissing[r] ? 1 : 0
            for j in 0..<nF { x[2 + j] = timeFeatures[r * nF + j] }
            if c.hasLevelInput { x[c.levelInputColumn] = batch.pendingLevel[r] }
            if c.hasSeasonalInput { x[c.seasonalInputColumn] = batch.pendingSeasonal[r] }
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
                if c.hasLevelInput {
                    var context = LevelContext(
                        window: c.levelWindow, mean: batch.levelMean[r].isFinite ? batch.levelMean[r] : nil)
                    let deviation = context.observe(Double(y))
                    batch.levelMean[r] = context.mean ?? .nan
                    batch.pendingLevel[r] =
                        deviation.map {
                            SeriesScale(scale: batch.scale[r], levelScale: batch.levelScale[r])
                                .input(forLevelDeviation: $0)
                        } ?? 0
                }
            } else {
                if batch.level[r].isFinite { batch.level[r] += scale * Double(ws.out[2 * r]) }
                batch.pendingInput[r] = 0
                batch.pendingMissing[r] = true
                batch.lastObserved[r] = false
                batch.pendingLevel[r] = 0
            }
            if c.hasSeasonalInput {
                let m = c.seasonalLag, first = r * m, value = y.isFinite ? Double(y) : .nan
                for i in first..<(first + m - 1) { batch.recent[i] = batch.recent[i + 1] }
                batch.recent[first + m - 1] = value
                // The next step predicts y_{t+1}: its value one season earlier is now the oldest kept.
                batch.pendingSeasonal[r] = SeasonalInput.input(
                    seasonAgo: batch.recent[first], previous: value, scale: SeriesScale(scale: batch.scale[r]))
            }
        }
    }

    /// One noise-free or noisy forward of `rows` rows: reads `ws.x` and `ws.h0`, writes `ws.h1` and `ws.out`.
    ///
    /// - Parameters:
    ///   - paths: paths per stream of the rows (stream · S + path); with noise, an SGLD model's path p reads head
    ///     particle p mod K.
    ///   - gateWeights: with noise, Bayes by Backprop's G weight samples [G, gate block]; path p uses p mod G.
    func forward(
        rows: Int, workspace ws: BARNNWorkspace, noise: Bool, paths: Int = 1, gateWeights: UnsafePointer<Float>? = nil
    ) {
        let c = configuration
        let nE = c.embeddingSize, nI = c.inputSize
        parameters.withUnsafeBufferPointer { pp in
            var net = Network<Float>(parameters: pp.baseAddress!, configuration: c, layout: layout)
            if ws.profileGates { net.gateTime = ws.gateTimePointer }
            if noise, let gateWeights {
                let (gather, scatter) = ws.groupBuffers(rows: rows)
                net.gateSamples = GateSamples(
                    weights: gateWeights, count: min(paths, BayesByBackprop.forecastSamples), paths: paths,
                    gather: gather, scatter: scatter)
            }
            net.inputForward(
                rows: rows, x: ws.x, eps: noise ? UnsafePointer(ws.eps) : nil, e: ws.e, ax1: ws.ax1, ox: ws.ox,
                alx: ws.alx, et: ws.et, gx: ws.gx)
            net.recurrentForward(
                rows: rows, hPrev: ws.h0, tf: ws.x + 2, ldtf: nI, gx: ws.gx,
                eps: noise ? UnsafePointer(ws.eps + rows * nE) : nil, hin: ws.hin, ah1: ws.ah1, oh: ws.oh,
                alh: ws.alh, ht: ws.ht, gh: ws.gh, gates: ws.gates, hNew: ws.h1)
            if noise && layout.particleCount > 0 {
                net.particleHead(rows: rows, paths: paths, h: ws.h1, out: ws.out)
            } else {
                net.head(rows: rows, h: ws.h1, out: ws.out)
            }
        }
    }
}
