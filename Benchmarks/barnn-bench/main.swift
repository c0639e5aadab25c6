// barnn-bench: forecast and training throughput of the BARNN model, beside sgemm on the same shapes.
// Prints JSON lines. Run: swift run -c release barnn-bench [sample] [rng] [train] (default: all three), or
// barnn-bench posteriors for each posterior's training time and forecast cost (not part of the default), or
// barnn-bench accuracy [CSV] [flags] for the Monte Carlo error of plain and antithetic quantiles (Accuracy.swift).
import BARNN
import BenchmarkSupport
import COpenBLAS
import Foundation

beginBenchmark()

if CommandLine.arguments.dropFirst().first == "accuracy" {
    runAccuracy(Array(CommandLine.arguments.dropFirst(2)))
    exit(0)
}

let selected = Set(CommandLine.arguments.dropFirst())
func wanted(_ part: String) -> Bool { selected.isEmpty || selected.contains(part) }

/// Sixteen 1200-step series of sines with a deterministic wiggle (the training benchmarks' data).
func benchmarkSeries() -> [TrainingSeries] {
    (0..<16).map { i in
        let n = 1200
        let period = Double(12 + i)
        var values = [Float](repeating: 0, count: n)
        for t in 0..<n {
            let wiggle = 0.1 * Double((t * 7919) % 13) / 13
            values[t] = Float(sin(Double(t) * 2 * Double.pi / period) + wiggle)
        }
        let times = (0..<n).map { Double($0) * 3600 }
        return TrainingSeries(values: values, timeFeatures: CalendarFeatures.hourAndWeek.features(unixTimes: times))
    }
}

let configuration = BARNNConfiguration(hiddenSize: 64)
let model = BARNNModel(configuration: configuration, seed: 7)
let nE = configuration.embeddingSize, nH = configuration.hiddenSize, nG = configuration.gateSize
let nF = configuration.timeFeatures
let paths = 32, horizon = 24

/// The sampler's products per chunk as (k, n), each [rows, k] · [k, n]: the embedding, both layers of the α_x
/// encoder, the input gate matmul, both layers of the α_h encoder, the hidden gate matmul and the head. None of them
/// is an sgemm call any more (the head is two dot products a row, the others run in `TiledProduct`'s register
/// tiles); sgemm's rate on each shape stays the reference, as the cost of the same products done by the machine's
/// BLAS.
let samplerProducts: [(k: Int, n: Int)] = {
    let nI = configuration.inputSize, nA = configuration.alphaWidth, nHin = nH + nF
    return [(nI, nE), (nE, nA), (nA, nE), (nE, nG), (nHin, nA), (nA, nH), (nH, nG), (nH, 2)]
}()

/// The GEMM FLOPs of one path-step, 2·k·n per row of each product the sampler runs (the same count as
/// `barnnd_matmul_flops` in Benchmarks/torch/barnn_torch.py). The elementwise work (noise, activations, the mixing)
/// is not counted, so the whole step's rate against sgemm says how close the step comes to its products alone done by
/// sgemm.
let flopsPerPathStep = samplerProducts.reduce(0.0) { $0 + 2 * Double($1.k * $1.n) }

/// sgemm alone on [m, k] · [k, n] with row-major operands, no transposes, accumulating into C (β = 1): the model's
/// layout and its calls (the biases are copied into C first), so the reference does not also clear C.
func sgemmRate(m: Int, k: Int, n: Int) -> Double {
    var a = [Float](repeating: 0.01, count: m * k), b = [Float](repeating: 0.02, count: k * n)
    var c = [Float](repeating: 0, count: m * n)
    let (reps, time) = measureBest(minimum: 0.3) {
        a.withUnsafeMutableBufferPointer { a in
            b.withUnsafeMutableBufferPointer { b in
                c.withUnsafeMutableBufferPointer { c in
                    cblas_sgemm(
                        CblasRowMajor, CblasNoTrans, CblasNoTrans, blasint(m), blasint(n), blasint(k), 1,
                        a.baseAddress, blasint(k), b.baseAddress, blasint(n), 1, c.baseAddress, blasint(n))
                }
            }
        }
    }
    return 2.0 * Double(m * k * n) * Double(reps) / time / 1e9
}

// A warmed state per stream from a short synthetic context.
func states(_ n: Int, workspace: BARNNWorkspace) -> RecurrentBatch {
    let times = (0..<48).map { Double($0) * 3600 }
    let tf = CalendarFeatures.hourAndWeek.features(unixTimes: times)
    var list: [RecurrentState] = []
    for i in 0..<n {
        let values = (0..<48).map { Float(sin(Double($0) / 4 + Double(i))) }
        list.append(
            model.warmUp(values: values, timeFeatures: tf, scale: model.scale(fitting: values), workspace: workspace))
    }
    return RecurrentBatch(list, hiddenSize: nH)
}

// (BLAS threads, sampler threads): BLAS parallelism inside each GEMM, or chunks of streams per thread.
for (blasThreads, threads) in [(1, 1), (2, 1), (1, 2)] where wanted("sample") {
    BLASThreads.set(blasThreads)
    for n in [1, 64, 1024] {
        let workspace = BARNNWorkspace(configuration: configuration)
        let batch = states(n, workspace: workspace)
        let future = CalendarFeatures.hourAndWeek.features(
            unixTimes: (0..<(n * horizon)).map { Double($0 % horizon) * 3600 })
        var rng = SeededRNG(seed: 1)
        let (reps, time) = measureBest {
            _ = model.sample(
                batch, paths: paths, horizon: horizon, timeFeatures: future, levels: [0.05, 0.5, 0.95],
                threads: threads, rng: &rng, workspace: workspace)
        }
        let pathSteps = Double(n * paths * horizon * reps) / time
        // In place: a separate pass with the gate matmuls timed inside the sampler (GEMM M = chunk rows).
        workspace.profileGates = true
        workspace.gateTime = .zero
        var gateCalls = 0
        let gateStopwatch = Stopwatch()
        repeat {
            _ = model.sample(
                batch, paths: paths, horizon: horizon, timeFeatures: future, levels: [0.05, 0.5, 0.95],
                threads: threads, rng: &rng, workspace: workspace)
            gateCalls += 1
        } while gateStopwatch.elapsed < 0.3
        let gateSeconds = workspace.gateTime.inSeconds
        workspace.profileGates = false
        let flopsX = 2.0 * Double(nE * nG), flopsH = 2.0 * Double(nH * nG)
        let gatePathSteps = Double(n * paths * horizon * gateCalls)
        let modelCombined = gatePathSteps * (flopsX + flopsH) / gateSeconds / 1e9
        let rows = min(n, max(1, 256 / paths)) * paths
        // Every product of the step, timed once at its shape (the gate shapes among them).
        let productRates = samplerProducts.map { sgemmRate(m: rows, k: $0.k, n: $0.n) }
        func rate(k: Int, n: Int) -> Double { productRates[samplerProducts.firstIndex { $0 == (k, n) }!] }
        let gemmX = rate(k: nE, n: nG), gemmH = rate(k: nH, n: nG)
        let sgemmCombined = (flopsX + flopsH) / (flopsX / gemmX + flopsH / gemmH)
        // The same step's products done by sgemm alone, weighted by their FLOPs: the whole step against it says how
        // close it comes to them.
        let productSeconds = zip(samplerProducts, productRates).reduce(0.0) { sum, product in
            sum + 2 * Double(product.0.k * product.0.n) / (product.1 * 1e9)
        }
        let sgemmAllShapes = flopsPerPathStep / productSeconds / 1e9
        let chunkStreams = rows / paths
        let workers = min(threads, (n + chunkStreams - 1) / chunkStreams)
        let samplerRate = pathSteps * flopsPerPathStep / Double(workers) / 1e9
        emit([
            "bench": "BARNN.sample N=\(n) S=\(paths) H=\(horizon) hidden=\(nH) blas=\(blasThreads) threads=\(threads)",
            "streams": n, "paths": paths, "horizon": horizon, "threads": threads, "blas_threads": blasThreads,
            "ms_per_call": rounded(time / Double(reps) * 1e3), "path_steps_per_s": rounded(pathSteps, 0),
            "gate_gemm_shapes": "[\(rows)x\(nE)]x[\(nE)x\(nG)], [\(rows)x\(nH)]x[\(nH)x\(nG)]",
            "sgemm_gflops": rounded(sgemmCombined, 1), "model_gate_gflops_per_thread": rounded(modelCombined, 1),
            "model_gate_vs_sgemm": rounded(modelCombined / sgemmCombined, 2),
            // The whole sampling step per busy sampler thread (chunks of streams are spread over them, so N=1
            // keeps one busy) against the same run's sgemm on the gate shapes.
            "flops_per_path_step": flopsPerPathStep,
            "sampler_gflops_per_thread": rounded(samplerRate, 1),
            "sampler_vs_sgemm": rounded(samplerRate / sgemmCombined, 2),
            "sgemm_gflops_sampler_shapes": rounded(sgemmAllShapes, 1),
            "sampler_vs_sgemm_sampler_shapes": rounded(samplerRate / sgemmAllShapes, 2),
        ])
    }
}

// Each of the sampler's products (but the head) at its chunk shape: sgemm after the bias copy, as the sampler called it
// before, against the register-tiled kernel it calls now; both on the same operands, with their largest difference.
if wanted("products") {
    BLASThreads.set(1)
    let rows = 256
    for (k, n) in samplerProducts where TiledProduct.fits(columns: n) {
        var x = [Float](repeating: 0, count: rows * k), w = [Float](repeating: 0, count: k * n)
        var bias = [Float](repeating: 0, count: n)
        var rng = SeededRNG(seed: 5)
        x.withUnsafeMutableBufferPointer { rng.fillNormal($0) }
        w.withUnsafeMutableBufferPointer { rng.fillNormal($0) }
        bias.withUnsafeMutableBufferPointer { rng.fillNormal($0) }
        var viaSgemm = [Float](repeating: 0, count: rows * n), tiled = viaSgemm
        let flops = 2.0 * Double(rows * k * n)
        let (sgemmReps, sgemmTime) = measureBest(minimum: 0.3) {
            viaSgemm.withUnsafeMutableBufferPointer { c in
                Float.copyRows(bias, sourceStride: 0, into: c.baseAddress!, destinationStride: n, rows: rows, count: n)
                cblas_sgemm(
                    CblasRowMajor, CblasNoTrans, CblasNoTrans, blasint(rows), blasint(n), blasint(k), 1, x, blasint(k),
                    w, blasint(n), 1, c.baseAddress, blasint(n))
            }
        }
        let (tiledReps, tiledTime) = measureBest(minimum: 0.3) {
            x.withUnsafeBufferPointer { x in
                w.withUnsafeBufferPointer { w in
                    bias.withUnsafeBufferPointer { b in
                        tiled.withUnsafeMutableBufferPointer { y in
                            TiledProduct.biased(
                                rows: rows, x: x.baseAddress!, ldx: k, k: k, w: w.baseAddress!, n: n,
                                bias: b.baseAddress!, y: y.baseAddress!
                            ) { $0 }
                        }
                    }
                }
            }
        }
        let difference = zip(viaSgemm, tiled).map { abs($0 - $1) }.max() ?? 0
        let sgemmRate = flops * Double(sgemmReps) / sgemmTime / 1e9
        let tiledRate = flops * Double(tiledReps) / tiledTime / 1e9
        emit([
            "bench": "TiledProduct [\(rows)x\(k)]x[\(k)x\(n)]", "sgemm_with_bias_gflops": rounded(sgemmRate, 1),
            "tiled_gflops": rounded(tiledRate, 1), "tiled_vs_sgemm": rounded(tiledRate / sgemmRate, 2),
            "max_abs_difference": Double(difference),
        ])
    }
}

// Normal generation alone: the sampler's other big cost.
if wanted("rng") {
    var rng = SeededRNG(seed: 3)
    var buffer = [Float](repeating: 0, count: 1 << 16)
    let (reps, time) = measureBest(minimum: 0.3) { buffer.withUnsafeMutableBufferPointer { rng.fillNormal($0) } }
    emit(["bench": "SeededRNG.fillNormal", "normals_per_s": rounded(Double(reps * buffer.count) / time, 0)])
}

// Training: batch 64 × window 96, hidden 64.
for (blasThreads, threads) in [(1, 1), (2, 1), (1, 2)] where wanted("train") {
    let series = benchmarkSeries()
    var options = TrainingOptions()
    options.steps = 30
    options.evaluateEvery = 1000
    options.blasThreads = blasThreads
    options.threads = threads
    // Best of three short runs (the report's rate covers its steps, not the initial evaluation).
    var rate = 0.0
    for _ in 0..<3 {
        let (_, report) = try! BARNNTrainer.train(series: series, configuration: configuration, options: options)
        rate = max(rate, report.stepsPerSecond)
    }
    let b = options.batchSize, t = options.window
    // Gate-matmul FLOPs per training step: forward + two backward products for both gate matmuls.
    let gateFlops = 3.0 * 2.0 * Double(b * t) * Double((nE + nH) * nG)
    let gemmRate = sgemmRate(m: b, k: nH, n: nG)
    emit([
        "bench": "BARNN.train B=\(b) T=\(t) hidden=\(nH) blas=\(blasThreads) threads=\(threads)", "threads": threads,
        "blas_threads": blasThreads,
        "steps_per_s": rounded(rate, 2), "gate_gflops_whole_step": rounded(rate * gateFlops / 1e9, 1),
        "sgemm_gflops_[64x64]x[64x192]": rounded(gemmRate, 1),
    ])
}

// Per posterior, one thread and one BLAS thread: a short training (200 steps, so SGLD's particle phase, which runs
// once after the fit whatever the step count, is seen against a realistic share of it) and the forecast rate.
if selected.contains("posteriors") {
    BLASThreads.set(1)
    let posteriors: [Posterior] = [
        .barnn, .mcDropout(rate: 0.1), .sgld(particles: 0, stepSize: 0), .bbb(prior: .fortunato),
    ]
    for posterior in posteriors {
        var c = configuration
        c.posterior = posterior
        var options = TrainingOptions()
        options.steps = 200
        options.evaluateEvery = 100
        options.patience = 100
        let stopwatch = Stopwatch()
        let (trained, report) = try! BARNNTrainer.train(series: benchmarkSeries(), configuration: c, options: options)
        let seconds = stopwatch.elapsed
        let workspace = BARNNWorkspace(configuration: trained.configuration)
        let n = 64
        let times = (0..<48).map { Double($0) * 3600 }
        let tf = CalendarFeatures.hourAndWeek.features(unixTimes: times)
        let batch = RecurrentBatch(
            (0..<n).map { i in
                let values = (0..<48).map { Float(sin(Double($0) / 4 + Double(i))) }
                return trained.warmUp(
                    values: values, timeFeatures: tf, scale: trained.scale(fitting: values), workspace: workspace)
            }, hiddenSize: nH)
        let future = CalendarFeatures.hourAndWeek.features(
            unixTimes: (0..<(n * horizon)).map { Double($0 % horizon) * 3600 })
        var rng = SeededRNG(seed: 1)
        let (reps, time) = measureBest {
            _ = trained.sample(
                batch, paths: paths, horizon: horizon, timeFeatures: future, levels: [0.05, 0.5, 0.95], rng: &rng,
                workspace: workspace)
        }
        var line: [String: Any] = [
            "bench": "posterior \(posterior.name) train 200 steps B=64 T=96 + sample N=\(n) S=\(paths) H=\(horizon)",
            "train_seconds": rounded(seconds, 2), "train_steps_per_s": rounded(report.stepsPerSecond, 2),
            "path_steps_per_s": rounded(Double(n * paths * horizon * reps) / time, 0),
            "best_validation_nll": rounded(Double(report.validationNLL.min() ?? .nan), 4),
        ]
        if let sgld = report.sgld {
            line["sgld_particles"] = sgld.particles
            line["sgld_step_size"] = rounded(Double(sgld.stepSize), 6)
            line["sgld_thinning"] = sgld.thinning
            line["sgld_validation_nll"] = rounded(Double(sgld.validationNLL), 4)
            line["sgld_point_validation_nll"] = rounded(Double(sgld.pointValidationNLL), 4)
        }
        emit(line)
    }
}
