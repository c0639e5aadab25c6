import Foundation
import Sampling
import Testing

@testable import Forecasting

/// The comparison behind the default calibration method; prints one line per (method, scenario). Long, so it runs
/// only with `BARNND_MEASURE=1 swift test --filter CalibrationMeasurementTests`.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["BARNND_MEASURE"] == "1"))
struct CalibrationMeasurementTests {
    static let candidates: [(String, ConformalCalibrator.Configuration)] = [
        ("rolling W=200", .init(method: .rollingWindow, window: 200)),
        ("rolling W=500", .init(method: .rollingWindow, window: 500)),
        ("aci g=0.005 W=500", .init(method: .adaptive(gamma: 0.005), window: 500)),
        ("aci g=0.02 W=500", .init(method: .adaptive(gamma: 0.02), window: 500)),
        ("aci g=0.005 W=200", .init(method: .adaptive(gamma: 0.005), window: 200)),
        ("tracking eta=0.005", .init(method: .quantileTracking(rate: 0.005), window: 500)),
        ("tracking eta=0.01", .init(method: .quantileTracking(rate: 0.01), window: 500)),
        ("tracking eta=0.02", .init(method: .quantileTracking(rate: 0.02), window: 500)),
        ("tracking eta=0.05", .init(method: .quantileTracking(rate: 0.05), window: 500)),
    ]

    @Test func compareMethods() throws {
        let levels = QuantileLevels.protocolLevels
        let length = 20_000
        let change = 10_000
        for (name, configuration) in Self.candidates {
            var line = "\(name):"
            let laplace: @Sendable (inout SplitMix64) -> Double = { rng in
                (log(rng.uniform()) - log(rng.uniform())) / 2.0.squareRoot()
            }
            let scenarios: [(String, Double, Int, @Sendable (inout SplitMix64) -> Double)] = [
                ("over h=1", 0.5, 1, { $0.normal() }), ("under h=1", 2.0, 1, { $0.normal() }),
                ("over h=6", 0.5, 6, { $0.normal() }), ("laplace h=1", 1.0, 1, laplace),
            ]
            for (scenario, scale, horizon, noise) in scenarios {
                var simulation = CalibrationSimulation(
                    configuration: configuration, modelScale: scale, horizon: horizon, length: length, seed: 1)
                simulation.noise = noise
                let (outcomes, _) = try simulation.run()
                let range = 1_000..<length
                let cov = outcomes.coverage(range)
                let ece = outcomes.calibrationError(range, levels: levels)
                let width = outcomes.meanWidth(range) / 3.29
                line += String(format: " | %@ cov90 %.3f ece %.4f w/oracle %.3f", scenario, cov, ece, width)
                #expect(abs(cov - 0.9) <= 0.03)
            }
            let (shifted, _) = try CalibrationSimulation(
                configuration: configuration, modelScale: 1, sigma: { $0 < change ? 1 : 2 }, length: length, seed: 1
            ).run()
            let delay = shifted.stepsUntilCoverage(after: change, span: 500, threshold: 0.88)
            line += String(
                format: " | shift: cov90 0-250 %.3f, 250-500 %.3f, 500-1000 %.3f, next-500 cov >= 0.88 after %@ steps",
                shifted.coverage(change..<(change + 250)), shifted.coverage((change + 250)..<(change + 500)),
                shifted.coverage((change + 500)..<(change + 1_000)), delay.map(String.init) ?? "never")
            print(line)
        }
    }
}
