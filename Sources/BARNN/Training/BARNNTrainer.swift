import Foundation

/// Trains one global BARNN model over many series (BARNN.md, "Training for time series").
///
/// Each series is scaled by its own `SeriesScale` (fitted on its training part); windows of T steps are
/// drawn at random from the training parts, B per batch; the loss is mean NLL after `burnIn` + β · mean
/// per-weight tVAMP KL; Adam with warm-up + cosine decay, global-norm clipping, and early stopping on the
/// validation NLL of the held-out tails. Runs on the calling thread; its only process-wide effect is
/// the optional BLAS thread count.
public enum BARNNTrainer {
    /// A training window: series, first target index, and the first target index that counts.
    struct Window {
        var series: Int
        var start: Int
        var countFrom: Int
    }

    /// Trains from `initial` (or a fresh model seeded by `options.seed`) and returns the best-validation model.
    /// `shouldStop` is asked before every step; once it answers true the training ends with
    /// ``TrainingError/cancelled``, so a stopping daemon never exits under a thread still inside BLAS.
    public static func train(
        series: [TrainingSeries], configuration: BARNNConfiguration, options: TrainingOptions = TrainingOptions(),
        initial: BARNNModel? = nil, shouldStop: () -> Bool = { false }
    ) throws(TrainingError) -> (model: BARNNModel, report: TrainingReport) {
        let requested = fitted(configuration, series: series, options: options)
        // SGLD fits the network without particles and draws them afterwards, when K is known.
        var c = requested
        if case .sgld(_, let eta) = requested.posterior { c.posterior = .sgld(particles: 0, stepSize: eta) }
        let T = options.window, B = options.batchSize
        guard T > options.burnIn, options.burnIn >= 0, B > 1, options.steps > 0, options.evaluateEvery > 0 else {
            throw .invalidOption("need window > burnIn ≥ 0, batchSize > 1, steps > 0, evaluateEvery > 0")
        }
        guard c.hiddenSize > 0, c.embeddingSize > 0, c.alphaWidth > 0, c.timeFeatures >= 0, c.beta >= 0,
            c.logAlphaBound > 0
        else { throw .invalidOption("configuration sizes must be positive and β ≥ 0: \(c)") }
        guard (0..<1).contains(options.validationFraction) else {
            throw .invalidOption("validationFraction must be in [0, 1)")
        }
        for (i, s) in series.enumerated() where s.timeFeatures.count != s.values.count * c.timeFeatures {
            throw .timeFeatureShape(series: i, expected: s.values.count * c.timeFeatures, actual: s.timeFeatures.count)
        }
        if let blasThreads = options.blasThreads { BLASThreads.set(blasThreads) }

        // Scaled increments per series: inc[t] = (y_t − y_{t−1}) / scale, NaN where either is missing.
        var increments: [[Float]] = []
        var extraInputs: [[Float]] = []
        var trainWindows: [Window] = []
        var validationWindows: [Window] = []
        var coverWindows: [Window] = []  // each counted training target once (for the SGLD phase)
        var scales: [SeriesScale] = []
        var trainingTargets = 0  // counted targets of one epoch, over which Bayes by Backprop spreads its KL
        for (i, s) in series.enumerated() {
            let n = s.values.count
            let trainEnd = n - Int(Float(n) * options.validationFraction)
            let scale = SeriesScale(fitting: Array(s.values[..<trainEnd]), levelWindow: c.levelWindow)
            scales.append(scale)
            extraInputs.append(Self.extraInputs(values: s.values, configuration: c, scale: scale))
            var inc = [Float](repeating: .nan, count: n)
            for t in 1..<max(n, 1) where s.values[t].isFinite && s.values[t - 1].isFinite {
                inc[t] = Float((Double(s.values[t]) - Double(s.values[t - 1])) / Double(scale.scale))
            }
            increments.append(inc)
            trainingTargets += inc[..<max(1, trainEnd)].count { $0.isFinite }
            if trainEnd - T >= 1 {
                for a in 1...(trainEnd - T) {
                    trainWindows.append(Window(series: i, start: a, countFrom: a + options.burnIn))
                }
            }
            if case .sgld = c.posterior {
                var covered = 1
                while covered < trainEnd, trainEnd - T >= 1 {
                    let a = max(1, min(covered - options.burnIn, trainEnd - T))
                    coverWindows.append(Window(series: i, start: a, countFrom: max(covered, a + options.burnIn)))
                    covered = a + T
                }
            }
            var covered = trainEnd
            while covered < n {
                let a = min(covered - options.burnIn, n - T)
                guard a >= 1 else { break }
                validationWindows.append(Window(series: i, start: a, countFrom: max(covered, a + options.burnIn)))
                covered = a + T
            }
        }
        guard !trainWindows.isEmpty else { throw .noTrainingWindows(window: T) }

        var rng = SeededRNG(seed: options.seed, stream: 0x7A41)
        let baseCount = ParameterLayout(c).count
        if let initial, initial.parameters.count < baseCount {
            throw .invalidOption("initial model has \(initial.parameters.count) parameters, need \(baseCount)")
        }
        // An SGLD warm start brings its old particles: the network is the layout's prefix.
        var parameters =
            initial.map { Array($0.parameters.prefix(baseCount)) }
            ?? BARNNModel(configuration: c, seed: options.seed).parameters
        var best = parameters
        var gradient = [Float](repeating: 0, count: parameters.count)
        // Bayes by Backprop: one weight sample per minibatch (ε over the gate block) and θ's scratch.
        let layout = ParameterLayout(c)
        var weightNoise = [Float](repeating: 0, count: c.posterior.hasWeightScales ? layout.gateBlockCount : 0)
        var sampled = [Float](repeating: 0, count: c.posterior.hasWeightScales ? parameters.count : 0)
        let klWeight = 1 / Float(max(trainingTargets, 1))
        var adam = Adam(count: parameters.count)
        let graph = TrainingGraph<Float>(configuration: c, batch: B, time: T)
        graph.threads = options.threads
        var report = TrainingReport()
        report.scales = scales
        var bestNLL = Float.infinity
        var sinceBest = 0
        var nllSum: Float = 0, nllSteps = 0
        let evaluationWindows = validationWindows.isEmpty ? Array(trainWindows.prefix(B)) : validationWindows
        report.initialValidationNLL =
            evaluate(
                graph, parameters: parameters, windows: evaluationWindows, series: series, increments: increments,
                extraInputs: extraInputs, options: options
            ).nll
        let clock = ContinuousClock()
        let started = clock.now

        for step in 1...options.steps {
            if shouldStop() { throw .cancelled }
            for b in 0..<B {
                let w = trainWindows[Int(rng.next() % UInt64(trainWindows.count))]
                fill(
                    graph, slot: b, window: w, series: series[w.series], increments: increments[w.series],
                    extraInputs: extraInputs[w.series])
            }
            drawGateNoise(graph, rng: &rng)
            gradient.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
            let loss = parameters.withUnsafeBufferPointer { p in
                gradient.withUnsafeMutableBufferPointer { g in
                    guard case .bbb(let prior) = c.posterior else {
                        return graph.run(
                            parameters: p.baseAddress!, gradient: g.baseAddress!, beta: c.beta, klValue: false)
                    }
                    weightNoise.withUnsafeMutableBufferPointer { rng.fillNormal($0) }
                    return sampled.withUnsafeMutableBufferPointer { theta in
                        BayesByBackprop.run(
                            graph, parameters: p.baseAddress!, eps: weightNoise, sampled: theta.baseAddress!,
                            gradient: g.baseAddress!, klWeight: klWeight, prior: prior)
                    }
                }
            }
            var norm: Float = 0
            for g in gradient { norm += g * g }
            norm = norm.squareRoot()
            guard norm.isFinite else { continue }  // skip a poisoned batch rather than poisoning the weights
            nllSum += loss.nll
            nllSteps += 1
            let clip = norm > options.clipNorm ? options.clipNorm / norm : 1
            adam.update(
                parameters: &parameters, gradient: gradient, learningRate: learningRate(step, options),
                gradientScale: clip)
            report.steps = step

            guard step % options.evaluateEvery == 0 || step == options.steps else { continue }
            let evaluation = evaluate(
                graph, parameters: parameters, windows: evaluationWindows, series: series, increments: increments,
                extraInputs: extraInputs, options: options)
            report.evaluatedSteps.append(step)
            report.trainNLL.append(nllSteps > 0 ? nllSum / Float(nllSteps) : .nan)
            report.validationNLL.append(evaluation.nll)
            report.kl.append(evaluation.kl)
            report.alphaSpread.append(evaluation.spread)
            nllSum = 0
            nllSteps = 0
            if evaluation.nll < bestNLL {
                bestNLL = evaluation.nll
                best = parameters
                report.bestStep = step
                sinceBest = 0
            } else {
                sinceBest += 1
                if sinceBest >= options.patience {
                    report.stoppedEarly = true
                    break
                }
            }
        }
        let elapsed = clock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        report.stepsPerSecond = seconds > 0 ? Double(report.steps) / seconds : 0
        guard case .sgld(let fixedK, let fixedEta) = requested.posterior else {
            return (BARNNModel(configuration: c, parameters: best), report)
        }
        if shouldStop() { throw .cancelled }
        let rows = { (windows: [Window]) in
            frozenRows(
                graph, parameters: best, windows: windows, series: series, increments: increments,
                extraInputs: extraInputs)
        }
        let training = rows(coverWindows.isEmpty ? Array(trainWindows.prefix(B)) : coverWindows)
        let head = best[layout.wo..<(layout.bo + 2)].map(Double.init)
        guard training.count > 0 else { throw .noTrainingWindows(window: T) }
        let selection = LastLayerSGLD.select(
            head: head, training: training, validation: rows(evaluationWindows), hiddenSize: c.hiddenSize,
            degrees: c.studentDegrees, particles: fixedK, stepSize: Double(fixedEta), seed: options.seed)
        var final = requested
        final.posterior = .sgld(particles: selection.particles.count, stepSize: Float(selection.stepSize))
        report.sgld = SGLDReport(
            particles: selection.particles.count, stepSize: Float(selection.stepSize), thinning: selection.thinning,
            validationNLL: Float(selection.validationNLL), pointValidationNLL: Float(selection.pointValidationNLL))
        return (
            BARNNModel(configuration: final, parameters: best + selection.particles.joined().map(Float.init)), report
        )
    }

    /// The counted rows of `windows` under a noise-free pass: each target's hidden state and value.
    static func frozenRows(
        _ graph: TrainingGraph<Float>, parameters: [Float], windows: [Window], series: [TrainingSeries],
        increments: [[Float]], extraInputs: [[Float]]
    ) -> LastLayerSGLD.Rows {
        let B = graph.batch, T = graph.time, nH = graph.configuration.hiddenSize
        var rows = LastLayerSGLD.Rows()
        var index = 0
        while index < windows.count {
            fillInOrder(
                graph, windows: windows, from: index, series: series, increments: increments, extraInputs: extraInputs)
            _ = parameters.withUnsafeBufferPointer {
                graph.run(parameters: $0.baseAddress!, gradient: nil, beta: 0, noise: false)
            }
            for r in 0..<(T * B) where graph.mask[r] != 0 {
                rows.hidden.append(contentsOf: UnsafeBufferPointer(start: graph.hs + (r + B) * nH, count: nH))
                rows.targets.append(graph.y[r])
            }
            index += B
        }
        return rows
    }

    /// Fills the batch with `windows[first..<first + B]` in order; slots past the end repeat the last window with
    /// their targets masked, so a pass over every window counts each target once.
    static func fillInOrder(
        _ graph: TrainingGraph<Float>, windows: [Window], from first: Int, series: [TrainingSeries],
        increments: [[Float]], extraInputs: [[Float]]
    ) {
        let B = graph.batch, T = graph.time
        for b in 0..<B {
            let w = windows[min(first + b, windows.count - 1)]
            fill(
                graph, slot: b, window: w, series: series[w.series], increments: increments[w.series],
                extraInputs: extraInputs[w.series])
            if first + b >= windows.count {
                for k in 0..<T { graph.mask[k * B + b] = 0 }
            }
        }
    }

    /// Draws the gate inputs' noise εx, εh of one batch: normals, turned into the posterior's own noise.
    static func drawGateNoise(_ graph: TrainingGraph<Float>, rng: inout SeededRNG) {
        let c = graph.configuration
        let countX = graph.batch * graph.time * c.embeddingSize, countH = graph.batch * graph.time * c.hiddenSize
        rng.fillNormal(UnsafeMutableBufferPointer(start: graph.epsX, count: countX))
        rng.fillNormal(UnsafeMutableBufferPointer(start: graph.epsH, count: countH))
        c.posterior.transformNoise(graph.epsX, count: countX)
        c.posterior.transformNoise(graph.epsH, count: countH)
    }

    /// `configuration` with the level window shortened to a quarter of the longest training part (at least 8
    /// steps): the average must settle within the training data, or a trending series' deviation from it, which
    /// grows towards slope × W over the first W steps, is larger in every forecast than anything training saw.
    /// The returned model carries this configuration; callers comparing configurations should compare this one.
    public static func fitted(
        _ configuration: BARNNConfiguration, series: [TrainingSeries], options: TrainingOptions
    ) -> BARNNConfiguration {
        guard configuration.hasLevelInput else { return configuration }
        let longest =
            series.map { $0.values.count - Int(Float($0.values.count) * options.validationFraction) }.max() ?? 0
        var c = configuration
        c.levelWindow = max(1, min(configuration.levelWindow, max(8, longest / 4)))
        return c
    }

    /// The inputs after the time features of every target index t of `values`, row-major [T, extras]: the level
    /// context after y_{t−1}, then the seasonal-naive increment of y_t, each where the configuration has it.
    static func extraInputs(values: [Float], configuration c: BARNNConfiguration, scale: SeriesScale) -> [Float] {
        let nX = c.extraInputCount
        guard nX > 0 else { return [] }
        let level =
            c.hasLevelInput ? LevelContext.inputs(values: values, window: c.levelWindow, scale: scale) : []
        let seasonal = c.hasSeasonalInput ? SeasonalInput.inputs(values: values, lag: c.seasonalLag, scale: scale) : []
        var extra = [Float](repeating: 0, count: values.count * nX)
        for t in values.indices {
            var j = t * nX
            if c.hasLevelInput {
                extra[j] = t > 0 ? level[t - 1] : 0
                j += 1
            }
            if c.hasSeasonalInput { extra[j] = seasonal[t] }
        }
        return extra
    }

    /// lr(step): linear warm-up, then cosine decay to `finalLearningRateFraction` of the peak.
    static func learningRate(_ step: Int, _ o: TrainingOptions) -> Float {
        if step <= o.warmupSteps { return o.learningRate * Float(step) / Float(max(o.warmupSteps, 1)) }
        let progress = Float(step - o.warmupSteps) / Float(max(o.steps - o.warmupSteps, 1))
        let cosine = Float((1 + cos(Double.pi * Double(min(progress, 1)))) / 2)
        return o.learningRate * (o.finalLearningRateFraction + (1 - o.finalLearningRateFraction) * cosine)
    }

    /// Writes window `w` into batch slot `b` of `graph` (rows t·B + b).
    static func fill(
        _ graph: TrainingGraph<Float>, slot b: Int, window w: Window, series: TrainingSeries, increments inc: [Float],
        extraInputs: [Float]
    ) {
        let c = graph.configuration, B = graph.batch, nI = c.inputSize, nF = c.timeFeatures
        for k in 0..<graph.time {
            let t = w.start + k, row = k * B + b
            let x = graph.x + row * nI
            let input = inc[t - 1]
            x[0] = input.isFinite ? min(max(input, -SeriesScale.inputClip), SeriesScale.inputClip) : 0
            x[1] = input.isFinite ? 0 : 1
            for j in 0..<nF { x[2 + j] = series.timeFeatures[t * nF + j] }
            let nX = c.extraInputCount
            for j in 0..<nX { x[c.levelInputColumn + j] = extraInputs[t * nX + j] }
            let target = inc[t]
            graph.y[row] = target.isFinite ? target : 0
            graph.mask[row] = target.isFinite && t >= w.countFrom ? 1 : 0
        }
    }

    /// Validation NLL with fixed noise (seeded per evaluation, so runs are comparable), KL and α spread.
    static func evaluate(
        _ graph: TrainingGraph<Float>, parameters: [Float], windows: [Window], series: [TrainingSeries],
        increments: [[Float]], extraInputs: [[Float]], options: TrainingOptions
    ) -> (nll: Float, kl: Float, spread: AlphaSpread) {
        let c = graph.configuration, B = graph.batch, T = graph.time
        let nE = c.embeddingSize, nH = c.hiddenSize
        var rng = SeededRNG(seed: options.seed, stream: 0xE7A1)
        var nllTotal: Double = 0, counted = 0, klTotal: Float = 0, batches = 0
        var logAlphaX = Moments(units: nE), logAlphaH = Moments(units: nH)
        var index = 0
        while index < windows.count {
            fillInOrder(
                graph, windows: windows, from: index, series: series, increments: increments, extraInputs: extraInputs)
            drawGateNoise(graph, rng: &rng)
            let loss = parameters.withUnsafeBufferPointer {
                graph.run(parameters: $0.baseAddress!, gradient: nil, beta: c.beta)
            }
            nllTotal += Double(loss.nll) * Double(loss.counted)
            counted += loss.counted
            klTotal += loss.kl
            batches += 1
            let bound = c.logAlphaBound
            for row in (options.burnIn * B)..<(T * B) {
                logAlphaX.add(graph.ox + row * nE, bound: bound)
                logAlphaH.add(graph.oh + row * nH, bound: bound)
            }
            index += B
        }
        let nll = counted > 0 ? Float(nllTotal / Double(counted)) : .nan
        return (nll, klTotal / Float(max(batches, 1)), AlphaSpread(input: logAlphaX.meanStd, hidden: logAlphaH.meanStd))
    }

    /// Per-unit running moments of log α = clamp(o).
    struct Moments {
        var sum: [Double], sumSquares: [Double], count = 0.0
        init(units: Int) {
            sum = [Double](repeating: 0, count: units)
            sumSquares = sum
        }
        mutating func add(_ o: UnsafePointer<Float>, bound: Float) {
            for j in sum.indices {
                let v = Double(min(max(o[j], -bound), bound))
                sum[j] += v
                sumSquares[j] += v * v
            }
            count += 1
        }
        /// Standard deviation per unit, averaged over units.
        var meanStd: Float {
            guard count > 1 else { return 0 }
            var total = 0.0
            for j in sum.indices {
                let mean = sum[j] / count
                total += max(0, sumSquares[j] / count - mean * mean).squareRoot()
            }
            return Float(total / Double(sum.count))
        }
    }
}
