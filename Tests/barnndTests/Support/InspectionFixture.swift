import Foundation
import Logging
import Storage
import StorageTestKit

/// A barnnd database filled through Storage (Store + StoreWriter) with fixed, UTC-anchored rows, so every command's
/// output is deterministic.
///
/// Streams: `lab/t1` (hourly, 12 observations 2026-05-01 00:00…11:00, forecasts for steps 1…3 at levels
/// 0.05 0.1 0.25 0.5 0.75 0.9 0.95, model default v2, drift ok), `lab/t2` (levels 0.1 0.5 0.9 only, drift alarm)
/// and `lab/humidity` (observations only, one explicit gap).
final class InspectionFixture: Sendable {
    /// 2026-05-01T00:00:00Z.
    static let t0: Int64 = 1_777_593_600_000_000
    static let hour: Int64 = 3_600_000_000
    static let fullLevels = [0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95]
    static let z = [-1.645, -1.2816, -0.6745, 0, 0.6745, 1.2816, 1.645]

    /// The temporary folder and file the rows go to, removed with the fixture.
    let database: TemporaryDatabase
    var directory: String { database.directory }
    var path: String { database.path }

    init() throws {
        database = try TemporaryDatabase(prefix: "barnnd-cli")
    }

    /// The observed value of `lab/t1` at hour `i`, rounded to 0.1.
    static func observed(_ i: Int) -> Double { ((20 + 2 * sin(Double(i) * .pi / 6)) * 10).rounded() / 10 }

    /// Creates the database and writes every row; returns when they are committed.
    func fill() async throws {
        let store = try database.open(logger: Logger(label: "test.fixture"))
        var items: [WriteItem] = []
        let t0 = Self.t0
        let hour = Self.hour
        for i in 0..<12 {
            items.append(.observation(stream: "lab/t1", tUs: t0 + Int64(i) * hour, value: Self.observed(i)))
        }
        // A forecast issued at each hour 0…11 for the next three hours; the median misses by a fixed pattern.
        for issue in 0..<12 {
            let points = (1...3).map { step -> ForecastPoint in
                let target = issue + step
                let center =
                    ((20 + 2 * sin(Double(target) * .pi / 6) + 0.6 * Double(step) * cos(Double(target)))
                    * 100).rounded() / 100
                let sigma = 0.4 * Double(step)
                let quantiles = Self.z.map { Float(((center + $0 * sigma) * 100).rounded() / 100) }
                return ForecastPoint(
                    step: step, tUs: t0 + Int64(target) * hour, mean: ((center + 0.05) * 100).rounded() / 100,
                    quantiles: quantiles)
            }
            items.append(
                .forecast(
                    ForecastIssue(
                        stream: "lab/t1", issuedAtUs: t0 + Int64(issue) * hour, levels: Self.fullLevels, points: points
                    )))
        }
        for i in 0..<6 {
            items.append(.observation(stream: "lab/t2", tUs: t0 + Int64(i) * hour, value: 5 + Double(i)))
            items.append(
                .forecast(
                    ForecastIssue(
                        stream: "lab/t2", issuedAtUs: t0 + Int64(i - 1) * hour, levels: [0.1, 0.5, 0.9],
                        points: [
                            ForecastPoint(
                                step: 1, tUs: t0 + Int64(i) * hour, mean: 5 + Double(i) - 0.5,
                                quantiles: [Float(4 + Double(i)), Float(4.5 + Double(i)), Float(5.25 + Double(i))])
                        ])))
        }
        items.append(.observation(stream: "lab/humidity", tUs: t0, value: 41.5))
        items.append(.observation(stream: "lab/humidity", tUs: t0 + hour, value: nil))
        items.append(.observation(stream: "lab/humidity", tUs: t0 + 2 * hour, value: 43))
        items.append(
            .drift(
                DriftRecord(
                    stream: "lab/t1", windowEndUs: t0 + 11 * hour, n: 11, crps: 0.21, mae: 0.3,
                    coverage: [.init(level: 0.5, value: 0.45), .init(level: 0.9, value: 0.91)], pitBins: [1, 2, 3],
                    alarm: false)))
        items.append(
            .drift(
                DriftRecord(
                    stream: "lab/t2", windowEndUs: t0 + 5 * hour, n: 5, crps: 0.8, mae: 0.5,
                    coverage: [.init(level: 0.8, value: 0.4)], pitBins: [], alarm: true)))
        items.append(.event(EventRecord(timeUs: t0 + 2 * hour, kind: "retrain_finished", model: "default")))
        items.append(
            .event(
                EventRecord(
                    timeUs: t0 + 3 * hour, kind: "promotion", model: "default", detailJSON: "{\"version\":2}")))
        items.append(
            .event(
                EventRecord(
                    timeUs: t0 + 5 * hour, kind: "drift_alarm", stream: "lab/t2", detailJSON: "{\"crps\":0.8}")))
        items.append(
            .reject(
                RejectRecord(
                    timeUs: t0 + 4 * hour, topic: "sensors/lab/t1/value", payload: Array("abc".utf8),
                    reason: "not a number")))
        items.append(
            .reject(
                RejectRecord(
                    timeUs: t0 + 6 * hour, topic: "sensors/lab/t3/value", payload: Array("{\"v\":1,\"x\":\"y\"}".utf8),
                    reason: "no value at path $.value")))
        let writer = store.makeWriter()
        guard writer.enqueue(items, overflow: .block(timeout: .seconds(10))) == .accepted else {
            throw CocoaError(.fileWriteUnknown)
        }
        try await writer.flush()
        _ = try store.saveCheckpoint(
            NewCheckpoint(
                model: "default", createdAtUs: t0 + hour, validationMetricsJSON: "{\"crps\":0.31}",
                blob: Array(repeating: 1, count: 64)), activate: true, keepLast: 5)
        let active = try store.saveCheckpoint(
            NewCheckpoint(
                model: "default", createdAtUs: t0 + 3 * hour, validationMetricsJSON: "{\"crps\":0.27}",
                blob: Array(repeating: 2, count: 96)), activate: true, keepLast: 5)
        _ = writer.enqueue(
            [
                .streamState(
                    StreamStateRecord(
                        stream: "lab/t1", checkpointID: active.id, tUs: t0 + 11 * hour, savedAtUs: t0 + 11 * hour,
                        hidden: [1], normaliser: [2], calibrator: [3]))
            ], overflow: .block(timeout: .seconds(10)))
        try await writer.flush()
        await writer.close()
        try store.close()
    }
}
