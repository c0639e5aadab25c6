// `forecasting-bench calibration DATA_DIR`: the calibration methods on the real development datasets
// (`timestamp,stream,value` CSVs and `datasets.json`), in the split of eval/PROTOCOL.md: history = first 60%,
// every origin of the test part scored at every step (no stride), the calibrator learning from the start.
import BenchmarkSupport
import Forecasting
import Foundation

struct DatasetInfo: Decodable {
    var m: Int
    var H: Int
    var file: String
    var streams: [String]
}

/// A model whose intervals do not adapt: seasonal naive point plus fixed Gaussian quantiles `z_τ · s`, where `s` is
/// the RMS of the lag-m differences over the history (too narrow for long horizons, too wide for easy stretches).
enum Model: String, CaseIterable {
    case fixedGaussian = "snaive+fixed-gaussian"
    case rollingEmpirical = "snaive+rolling-residuals"
}

struct Tally {
    var count = 0
    var hits90 = 0
    var crps = 0.0
}

func runCalibrationOnRealData(directory: String) throws {
    let infoData = try Data(contentsOf: URL(fileURLWithPath: directory + "/datasets.json"))
    let datasets = try JSONDecoder().decode([String: DatasetInfo].self, from: infoData)
    let levels = QuantileLevels.protocolLevels
    let z = levels.values.map(Gaussian.quantile)
    let weights = levels.riemannWeights
    let i90 = levels.centralInterval(0.9)!
    let methods: [(String, ConformalCalibrator.Configuration?)] =
        ProcessInfo.processInfo.environment["BENCH_ONLY_UNCALIBRATED"] == "1"
        ? [("none", nil)]
        : [
            ("none", nil),
            ("rolling W=500", .init(method: .rollingWindow, window: 500)),
            ("rolling W=200", .init(method: .rollingWindow, window: 200)),
            ("aci g=0.005 W=500", .init(method: .adaptive(gamma: 0.005), window: 500)),
            (
                "aci g=0.005 W=500 no width floor",
                .init(method: .adaptive(gamma: 0.005), window: 500, typicalWidthFloor: 0)
            ),
            ("tracking eta=0.02", .init(method: .quantileTracking(rate: 0.02))),
            ("tracking eta=0.02 no width floor", .init(method: .quantileTracking(rate: 0.02), typicalWidthFloor: 0)),
            ("tracking eta=0.005", .init(method: .quantileTracking(rate: 0.005))),
            ("tracking eta=0.05", .init(method: .quantileTracking(rate: 0.05))),
        ]
    // Per (model, method): per dataset (|cov90 − 0.9|, cov90, sCRPS) for the summary lines.
    var results: [String: [(Double, Double, Double)]] = [:]
    var baseline: [String: Double] = [:]
    for name in datasets.keys.sorted() {
        let info = datasets[name]!
        let text = try String(contentsOfFile: directory + "/" + info.file, encoding: .utf8)
        var series: [String: [Double]] = [:]
        for line in text.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            series[String(fields[1]), default: []].append(Double(fields[2]) ?? .nan)
        }
        for model in Model.allCases {
            for (methodName, configuration) in methods {
                var absError90 = 0.0
                var meanCov90 = 0.0
                var scaledCRPS = 0.0
                for stream in info.streams {
                    let y = series[stream]!
                    let tally = evaluate(
                        y, m: info.m, horizon: info.H, model: model, configuration: configuration, levels: levels, z: z,
                        weights: weights, i90: i90)
                    let nTrain = y.count * 6 / 10
                    var scale = 0.0
                    for t in info.m..<nTrain { scale += abs(y[t] - y[t - info.m]) }
                    scale /= Double(nTrain - info.m)
                    let cov = Double(tally.hits90) / Double(tally.count)
                    absError90 += abs(cov - 0.9)
                    meanCov90 += cov
                    scaledCRPS += tally.crps / Double(tally.count) / max(scale, 1e-12)
                }
                let k = Double(info.streams.count)
                results["\(model.rawValue)|\(methodName)", default: []].append(
                    (
                        absError90 / k, meanCov90 / k,
                        scaledCRPS / k / (baseline["\(name)|\(model.rawValue)"] ?? scaledCRPS / k)
                    ))
                if configuration == nil { baseline["\(name)|\(model.rawValue)"] = scaledCRPS / k }
                emit([
                    "bench": "calibration", "dataset": name, "model": model.rawValue, "method": methodName,
                    "mean_cov90": rounded(meanCov90 / k, 4), "mean_abs_cov90_err": rounded(absError90 / k, 4),
                    "mean_scrps": rounded(scaledCRPS / k, 4),
                ])
            }
        }
    }
    // Summary over datasets: mean calibration error, mean coverage, geometric mean of sCRPS relative to "none".
    for key in results.keys.sorted() {
        let rows = results[key]!
        let n = Double(rows.count)
        let parts = key.split(separator: "|")
        let geo = exp(rows.reduce(0) { $0 + log($1.2) } / n)
        emit([
            "bench": "calibration-summary", "model": String(parts[0]), "method": String(parts[1]),
            "datasets": rows.count, "mean_abs_cov90_err": rounded(rows.reduce(0) { $0 + $1.0 } / n, 4),
            "mean_cov90": rounded(rows.reduce(0) { $0 + $1.1 } / n, 4), "geo_mean_scrps_vs_none": rounded(geo, 4),
            "worst_scrps_vs_none": rounded(rows.map(\.2).max()!, 4),
        ])
    }
}

/// One stream: forecast at every origin, score test-part targets of test-part origins, calibrate online from the start.
func evaluate(
    _ y: [Double], m: Int, horizon: Int, model: Model, configuration: ConformalCalibrator.Configuration?,
    levels: QuantileLevels, z: [Double], weights: [Double], i90: CentralInterval
) -> Tally {
    let nTrain = y.count * 6 / 10
    var rms = 0.0
    for t in m..<nTrain { rms += (y[t] - y[t - m]) * (y[t] - y[t - m]) }
    let s = max((rms / Double(nTrain - m)).squareRoot(), 1e-9)
    // BENCH_RESIDUAL_WINDOW overrides the fallback's residual window to compare window lengths.
    var forecaster = SeasonalNaiveForecaster(period: m, maximumHorizon: horizon)
    if let window = ProcessInfo.processInfo.environment["BENCH_RESIDUAL_WINDOW"].flatMap({ Int($0) }) {
        forecaster = SeasonalNaiveForecaster(period: m, maximumHorizon: horizon, residualWindow: window)
    }
    var calibrator = configuration.map { ConformalCalibrator(levels: levels, horizon: horizon, configuration: $0) }
    // issued[j % horizon] = (model rows, calibrated rows) issued after observation j.
    var issued: [(origin: Int, model: [[Double]], raw: [[Double]], calibrated: [[Double]])?] = Array(
        repeating: nil, count: horizon)
    // BENCH_FEEDBACK=current feeds back hits re-evaluated with the current state instead of the issued rows.
    let useIssued = ProcessInfo.processInfo.environment["BENCH_FEEDBACK"] != "current"
    var tally = Tally()
    for j in 0..<y.count {
        for h in 1...horizon where j - h >= 0 {
            guard let forecast = issued[(j - h) % horizon], forecast.origin == j - h else { continue }
            if j - h >= nTrain - 1 {
                let q = forecast.calibrated[h - 1]
                tally.count += 1
                if Coverage.contains(i90, quantiles: q, outcome: y[j]) { tally.hits90 += 1 }
                tally.crps += CRPS.fromQuantiles(q, weights: weights, levels: levels, outcome: y[j])
            }
            try? calibrator?.update(
                step: h, quantiles: forecast.model[h - 1], issued: useIssued ? forecast.raw[h - 1] : nil, outcome: y[j])
        }
        forecaster.learn(Observation(t: Double(j), value: y[j]))
        guard let forecast = forecaster.forecast(horizon: horizon, levels: levels) else {
            issued[j % horizon] = nil
            continue
        }
        let rows: [[Double]] =
            switch model {
            case .fixedGaussian: forecast.point.map { point in z.map { point + s * $0 } }
            case .rollingEmpirical: forecast.quantiles
            }
        var raw = rows
        if let calibrator {
            for h in 1...horizon { calibrator.calibrate(step: h, quantiles: &raw[h - 1], rearrange: false) }
        }
        var calibrated = raw
        for h in 1...horizon { QuantileLevels.rearrange(&calibrated[h - 1]) }
        issued[j % horizon] = (j, rows, raw, calibrated)
    }
    return tally
}
