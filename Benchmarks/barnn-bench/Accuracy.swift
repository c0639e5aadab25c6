// barnn-bench accuracy [CSV] [--horizon H] [--season m] [--origins K (50)] [--steps N] [--replicates R (16)]
//
// Monte Carlo accuracy of the published quantiles: plain against antithetic and stratified paths. Trains one model with the
// default training options on the first 60 % of every stream of a `timestamp,stream,value` CSV (a seeded synthetic
// AR series when none is given), warms a state at K origins spread over the rest, and compares the 13 protocol
// quantiles at S = 16…256 paths with those of 4,096 plain paths. Prints one JSON line per S and method (RMS error in
// units of each stream's scale, the std of its increments) and one per S and method with its ratios to plain paths.
import BARNN
import BenchmarkSupport
import Foundation

/// The 13 quantile levels of the evaluation protocol (`BacktestSettings.protocolLevels`).
let accuracyLevels: [Float] = [0.025, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.975]

struct AccuracySeries {
    var name: String
    var times: [Double] = []
    var values: [Float] = []
}

/// Streams of a `timestamp,stream,value` file in first-appearance order (empty or unparsable values are missing).
func loadAccuracyCSV(_ path: String) -> [AccuracySeries] {
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { fatalError("cannot read \(path)") }
    let parser = ISO8601DateFormatter()
    var series: [AccuracySeries] = []
    var index: [String: Int] = [:]
    for line in text.split(whereSeparator: \.isNewline).dropFirst() {
        let fields = line.split(separator: ",", omittingEmptySubsequences: false)
        guard fields.count >= 3, let date = parser.date(from: String(fields[0])) else { continue }
        let name = String(fields[1])
        let i = index[name] ?? series.count
        if i == series.count {
            index[name] = i
            series.append(AccuracySeries(name: name))
        }
        series[i].times.append(date.timeIntervalSince1970)
        series[i].values.append(Float(String(fields[2])) ?? .nan)
    }
    return series
}

/// An hourly AR(1) around a daily sine, from a fixed seed.
func syntheticAccuracySeries(length: Int = 2400) -> AccuracySeries {
    var rng = SeededRNG(seed: 2024)
    var z = [Float](repeating: 0, count: length)
    z.withUnsafeMutableBufferPointer { rng.fillNormal($0) }
    var ar: Float = 0
    var series = AccuracySeries(name: "synthetic")
    for t in 0..<length {
        ar = 0.8 * ar + 0.3 * z[t]
        series.times.append(Double(t) * 3600)
        series.values.append(10 + 2 * Float(sin(2 * Double.pi * Double(t) / 24)) + ar)
    }
    return series
}

/// The protocol's (m, H) of `dataset` from `datasets.json` beside the CSV, if it lists them.
func catalogEntry(csv: String, dataset: String) -> (season: Int, horizon: Int)? {
    let url = URL(fileURLWithPath: csv).deletingLastPathComponent().appendingPathComponent("datasets.json")
    guard let data = try? Data(contentsOf: url),
        let top = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
        let entry = top[dataset] as? [String: Any], let m = (entry["m"] as? NSNumber)?.intValue,
        let h = (entry["H"] as? NSNumber)?.intValue
    else { return nil }
    return (m, h)
}

func runAccuracy(_ arguments: [String]) {
    var csv: String?
    var flags: [String: Int] = [:]
    var i = 0
    while i < arguments.count {
        let argument = arguments[i]
        if argument.hasPrefix("--"), i + 1 < arguments.count, let value = Int(arguments[i + 1]) {
            flags[String(argument.dropFirst(2))] = value
            i += 2
        } else {
            csv = argument
            i += 1
        }
    }
    let dataset = csv.map { URL(fileURLWithPath: $0).deletingPathExtension().lastPathComponent } ?? "synthetic"
    let streams = csv.map(loadAccuracyCSV) ?? [syntheticAccuracySeries()]
    let catalog = csv.flatMap { catalogEntry(csv: $0, dataset: dataset) }
    let horizon = flags["horizon"] ?? catalog?.horizon ?? 24
    let season = flags["season"] ?? catalog?.season ?? 24
    let originCount = flags["origins"] ?? 50
    let replicates = flags["replicates"] ?? 16
    let referencePaths = 4096
    precondition(!streams.isEmpty, "no rows in \(csv ?? "")")

    // The daemon's first fit: default options, calendar from the cadence, window fitted to the history.
    let longest = streams.max { $0.values.count < $1.values.count }!
    let cadence = CalendarFeatures.cadence(of: longest.times)
    let calendar = CalendarFeatures.forCadence(
        stepSeconds: cadence.stepSeconds, season: season, irregular: cadence.irregular)
    let trainLengths = streams.map { Int(0.6 * Double($0.values.count)) }
    let features = streams.map { calendar.features(unixTimes: $0.times) }
    let nF = calendar.count
    let training = zip(streams.indices, trainLengths).map { s, n in
        TrainingSeries(values: Array(streams[s].values[0..<n]), timeFeatures: Array(features[s][0..<(n * nF)]))
    }
    var options = TrainingOptions()
    options.threads = 2
    options.blasThreads = 1
    if let steps = flags["steps"] { options.steps = steps }
    let trainPart = trainLengths.max()! - Int(Float(trainLengths.max()!) * options.validationFraction)
    options.window = max(8, min(options.window, trainPart - 1))
    options.burnIn = min(options.burnIn, options.window / 4)
    let trainClock = Stopwatch()
    let model: BARNNModel
    do {
        model = try BARNNTrainer.train(
            series: training, configuration: BARNNConfiguration(calendar: calendar), options: options
        ).model
    } catch {
        fatalError("training failed: \(error)")
    }
    let trainSeconds = trainClock.elapsed

    // States at origins spread evenly over each stream's test part (the forecast after value `origin`).
    let ws = BARNNWorkspace(configuration: model.configuration)
    var states: [RecurrentState] = []
    var future: [Float] = []
    let perStream = (originCount + streams.count - 1) / streams.count
    for (s, stream) in streams.enumerated() {
        let first = trainLengths[s] - 1, last = stream.values.count - 1 - horizon
        guard last >= first else { continue }
        let count = min(perStream, last - first + 1)
        let origins = (0..<count).map { first + (count > 1 ? $0 * (last - first) / (count - 1) : 0) }
        let scale = model.scale(fitting: Array(stream.values[0..<trainLengths[s]]))
        var batch = RecurrentBatch(
            [
                model.warmUp(
                    values: Array(stream.values[0...first]), timeFeatures: Array(features[s][0..<((first + 1) * nF)]),
                    scale: scale, workspace: ws)
            ], hiddenSize: model.configuration.hiddenSize)
        var t = first
        for origin in origins {
            while t < origin {
                t += 1
                model.step(
                    &batch, observations: [stream.values[t]],
                    timeFeatures: Array(features[s][(t * nF)..<((t + 1) * nF)]), workspace: ws)
            }
            states.append(batch[0])
            future += features[s][((origin + 1) * nF)..<((origin + 1 + horizon) * nF)]
        }
    }
    let batch = RecurrentBatch(states, hiddenSize: model.configuration.hiddenSize)
    let n = batch.count, nL = accuracyLevels.count
    BLASThreads.set(1)
    func forecast(paths: Int, options: SamplingOptions, seed: UInt64) -> BARNNForecast {
        var rng = SeededRNG(seed: seed)
        return model.sample(
            batch, paths: paths, horizon: horizon, timeFeatures: future, levels: accuracyLevels, options: options,
            threads: 2, rng: &rng, workspace: ws)
    }
    let referenceClock = Stopwatch()
    let reference = forecast(paths: referencePaths, options: .full, seed: 0xACC0_0000)
    let referenceSeconds = referenceClock.elapsed

    // Mean squared scaled error over origins, steps and levels (all, the centre 0.2–0.8, the tails ≤0.1 / ≥0.9), and
    // the mean absolute one, which a few origins with exploding paths sway less.
    typealias Errors = (all: Double, centre: Double, tails: Double, absolute: Double)
    let centre = Set(accuracyLevels.indices.filter { accuracyLevels[$0] > 0.15 && accuracyLevels[$0] < 0.85 })
    func errors(paths: Int, options: SamplingOptions) -> Errors {
        var sums = (all: 0.0, centre: 0.0, tails: 0.0, absolute: 0.0)
        for replicate in 0..<replicates {
            let f = forecast(
                paths: paths, options: options, seed: 0xACC1_0000 &+ UInt64(paths) << 8 &+ UInt64(replicate))
            for stream in 0..<n {
                let scale = Double(batch.scale[stream])
                for h in 0..<horizon {
                    for l in 0..<nL {
                        let e =
                            (f.quantile(stream: stream, step: h, level: l)
                                - reference.quantile(stream: stream, step: h, level: l)) / scale
                        sums.all += e * e
                        sums.absolute += abs(e)
                        if centre.contains(l) { sums.centre += e * e } else { sums.tails += e * e }
                    }
                }
            }
        }
        let cells = Double(replicates * n * horizon)
        return (
            sums.all / (cells * Double(nL)), sums.centre / (cells * Double(centre.count)),
            sums.tails / (cells * Double(nL - centre.count)), sums.absolute / (cells * Double(nL))
        )
    }
    let methods: [(name: String, options: SamplingOptions)] = [
        ("plain", .full), ("antithetic", SamplingOptions(weightNoise: true, aleatoricNoise: true, antithetic: true)),
        ("stratified", SamplingOptions(weightNoise: true, aleatoricNoise: true, stratifiedAleatoric: true)),
        (
            "stratified_antithetic",
            SamplingOptions(weightNoise: true, aleatoricNoise: true, antithetic: true, stratifiedAleatoric: true)
        ),
    ]
    var table: [String: [Int: Errors]] = [:]
    for paths in [16, 32, 64, 128, 256] {
        for method in methods where method.name == "plain" || paths <= 128 {
            table[method.name, default: [:]][paths] = errors(paths: paths, options: method.options)
        }
    }
    let common: [String: Any] = [
        "dataset": dataset, "streams": streams.count, "origins": n, "horizon": horizon, "replicates": replicates,
        "reference_paths": referencePaths,
    ]
    emit(
        common.merging([
            "bench": "BARNN.accuracy setup", "train_seconds": rounded(trainSeconds, 1),
            "reference_seconds": rounded(referenceSeconds, 1), "training_steps": options.steps,
            "level_window": model.configuration.levelWindow,
        ]) { a, _ in a })
    for method in methods {
        for (paths, m) in table[method.name]!.sorted(by: { $0.key < $1.key }) {
            emit(
                common.merging([
                    "bench": "BARNN.accuracy \(dataset) S=\(paths) \(method.name)", "paths": paths,
                    "method": method.name, "rms": rounded(m.all.squareRoot(), 4),
                    "rms_centre": rounded(m.centre.squareRoot(), 4), "rms_tails": rounded(m.tails.squareRoot(), 4),
                    "mae": rounded(m.absolute, 4),
                ]) { a, _ in a })
        }
    }
    // Below 1 means S paths of the method beat 2S plain ones: the issue's goal.
    let plain = table["plain"]!
    for method in methods.dropFirst() {
        for (paths, a) in table[method.name]!.sorted(by: { $0.key < $1.key }) {
            let p = plain[paths]!, p2 = plain[2 * paths]!
            emit(
                common.merging([
                    "bench": "BARNN.accuracy \(dataset) S=\(paths) \(method.name) vs plain", "paths": paths,
                    "method": method.name, "rms_ratio_vs_plain_2S": rounded((a.all / p2.all).squareRoot(), 3),
                    "rms_ratio_vs_plain_S": rounded((a.all / p.all).squareRoot(), 3),
                    "centre_ratio_vs_plain_2S": rounded((a.centre / p2.centre).squareRoot(), 3),
                    "tails_ratio_vs_plain_2S": rounded((a.tails / p2.tails).squareRoot(), 3),
                    "mae_ratio_vs_plain_2S": rounded(a.absolute / p2.absolute, 3),
                    "mae_ratio_vs_plain_S": rounded(a.absolute / p.absolute, 3),
                ]) { a, _ in a })
        }
    }
}
