// What the engine-bench modes share: the rule they feed, a config file's model group prepared for a benchmark, a
// temporary folder and the synthetic readings (the seeded checkpoint is BenchmarkSupport's `activateSeededModel`).
import BARNN
import Configuration
import Foundation
import Storage

/// The rule the engine benchmarks feed: topic `s/N` is stream `N`, JSON `{"t": seconds, "v": value}`, every
/// reading a step.
func benchmarkRule() -> DaemonConfiguration.Rule {
    var rule = DaemonConfiguration.Rule()
    rule.topic = "s/+"
    rule.stream = "{1}"
    rule.payload.format = .json
    rule.payload.valuePath = "v"
    rule.payload.timePath = "t"
    rule.cadence = .event
    return rule
}

/// The model group `default` of the config file at `path`, warm after 32 steps and never retrained: a retraining
/// holds its training data (tens of MB) while it runs and takes a core, which is neither a stream's state nor a
/// tick's cost.
func benchmarkGroup(config path: String, paths: Int) throws -> DaemonConfiguration.ModelGroup {
    guard var group = try DaemonConfiguration.load(contentsOf: path).models["default"] else {
        fatalError("\(path) has no model group \"default\"")
    }
    group.paths = paths
    group.minHistory = 32
    group.retrain.driftTrigger = false
    group.retrain.every = .seconds(365 * 86400)
    return group
}

/// A new folder under the temporary directory, named `prefix-UUID`.
func temporaryFolder(_ prefix: String) throws -> URL {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    return directory
}

/// Stream `i`'s reading at `step` as the benchmark rule's payload: a daily-ish sine per stream plus a small
/// deterministic wiggle, written with all its digits or, like a sensor's text, with `places` decimals.
func benchmarkPayload(stream i: Int, step: Int, time t: Double, places: Int? = nil) -> [UInt8] {
    let v = 20 + 5 * sin(Double(step) * 2 * .pi / 24 + Double(i % 17)) + Double((i &* 31 &+ step) % 13) * 0.05
    let text = places.map { String(format: "%.\($0)f", v) } ?? "\(v)"
    return Array("{\"t\":\(t),\"v\":\(text)}".utf8)
}
