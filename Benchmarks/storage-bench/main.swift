// storage-bench: rows/s through Storage's batched writer next to raw SQLite C API inserts into the same schema,
// in the same run. Prints JSON lines. Run: swift run -c release storage-bench [streams] [steps] [writer cache KiB]
import BenchmarkSupport
import Foundation
import GRDBSQLite
import Logging
import Storage

beginBenchmark()

let arguments = CommandLine.arguments
let streams = arguments.count > 1 ? Int(arguments[1]) ?? 1000 : 1000
let steps = arguments.count > 2 ? Int(arguments[2]) ?? 1000 : 1000
/// The writer connection's page cache in KiB (the daemon's `storage.cache_mib` · 1024), also the raw reference's.
let writerCacheKiB = (arguments.count > 3 ? Int(arguments[3]) : nil) ?? StoreConfiguration().writerCacheKiB
let writerConfiguration = WriterConfiguration()
/// Raw references commit every `batchRows` (the writer's trigger) and every `maximumTransactionRows` (the most
/// the writer puts in one transaction when a backlog builds up); the writer is compared with the faster one.
let rawBatchSizes = [writerConfiguration.batchRows, writerConfiguration.maximumTransactionRows]
let horizon = 12
let issues = max(1, steps / 20)
let levels = [0.05, 0.25, 0.5, 0.75, 0.95]

let directory = FileManager.default.temporaryDirectory.appendingPathComponent("storage-bench-\(UUID().uuidString)")
try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: directory) }
var benchLogger = Logger(label: "storage-bench")
benchLogger.logLevel = .warning
let logger = benchLogger

/// A fresh file with barnnd's schema, made by `Store` and closed again.
func freshDatabase(_ name: String) throws -> String {
    let path = directory.appendingPathComponent("\(name).sqlite").path
    try Store(path: path, logger: logger).close()
    return path
}

func fileBytes(_ path: String) -> Int {
    let main = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
    let wal = (try? FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int) ?? 0
    return main + wal
}

// MARK: Raw C API reference

final class RawConnection {
    /// `SQLITE_TRANSIENT`, which does not import into Swift.
    static var transient: sqlite3_destructor_type { unsafeBitCast(-1, to: sqlite3_destructor_type.self) }
    let db: OpaquePointer

    init(_ path: String) {
        var handle: OpaquePointer?
        precondition(sqlite3_open_v2(path, &handle, SQLITE_OPEN_READWRITE, nil) == SQLITE_OK)
        db = handle!
        // The same settings Store uses for its writer connection.
        exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON")
        exec("PRAGMA cache_size = -\(writerCacheKiB)")
    }

    deinit { sqlite3_close_v2(db) }

    func exec(_ sql: String) {
        let code = sqlite3_exec(db, sql, nil, nil, nil)
        precondition(code == SQLITE_OK, "\(sql): \(String(cString: sqlite3_errmsg(db)))")
    }

    func prepare(_ sql: String) -> OpaquePointer {
        var statement: OpaquePointer?
        precondition(sqlite3_prepare_v3(db, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil) == SQLITE_OK)
        return statement!
    }

    func step(_ statement: OpaquePointer) {
        let code = sqlite3_step(statement)
        precondition(code == SQLITE_DONE, String(cString: sqlite3_errmsg(db)))
        sqlite3_reset(statement)
    }

    func insertStreams(_ count: Int) {
        exec("BEGIN")
        let insert = prepare("INSERT INTO streams(id, name, first_seen_us, last_seen_us) VALUES (?, ?, 0, 0)")
        for index in 0..<count {
            sqlite3_bind_int64(insert, 1, Int64(index + 1))
            sqlite3_bind_text(insert, 2, "bench/\(index)", -1, RawConnection.transient)
            step(insert)
        }
        sqlite3_finalize(insert)
        exec("INSERT INTO quantile_levels(id, levels) VALUES (1, '[0.05,0.25,0.5,0.75,0.95]')")
        exec("COMMIT")
    }
}

func rawObservations(_ path: String, batchRows: Int) -> Double {
    let connection = RawConnection(path)
    connection.insertStreams(streams)
    let insert = connection.prepare(
        "INSERT INTO observations(stream_id, t_us, value) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")
    defer { sqlite3_finalize(insert) }
    return timed {
        var inBatch = 0
        connection.exec("BEGIN")
        for step in 0..<steps {
            for stream in 0..<streams {
                sqlite3_bind_int64(insert, 1, Int64(stream + 1))
                sqlite3_bind_int64(insert, 2, Int64(step) * 1_000_000)
                sqlite3_bind_double(insert, 3, Double(step))
                connection.step(insert)
                inBatch += 1
                if inBatch == batchRows {
                    connection.exec("COMMIT; BEGIN")
                    inBatch = 0
                }
            }
        }
        connection.exec("COMMIT")
    }
}

func rawForecasts(_ path: String, json: Bool, batchRows: Int) -> Double {
    let connection = RawConnection(path)
    connection.insertStreams(streams)
    let insert = connection.prepare(
        """
        INSERT INTO forecasts(stream_id, issued_at_us, step, t_us, mean, levels_id, quantiles)
        VALUES (?, ?, ?, ?, ?, 1, ?)
        """)
    defer { sqlite3_finalize(insert) }
    return timed {
        var inBatch = 0
        connection.exec("BEGIN")
        for issue in 0..<issues {
            for stream in 0..<streams {
                for step in 1...horizon {
                    let base = Float(issue + step) * 1.0371 + 0.123
                    let quantiles: [Float] = [base - 2, base - 1, base, base + 1, base + 2]
                    sqlite3_bind_int64(insert, 1, Int64(stream + 1))
                    sqlite3_bind_int64(insert, 2, Int64(issue) * 60_000_000)
                    sqlite3_bind_int64(insert, 3, Int64(step))
                    sqlite3_bind_int64(insert, 4, Int64(issue) * 60_000_000 + Int64(step) * 5_000_000)
                    sqlite3_bind_double(insert, 5, Double(base))
                    if json {
                        let text = "[" + quantiles.map { "\($0)" }.joined(separator: ",") + "]"
                        sqlite3_bind_text(insert, 6, text, -1, RawConnection.transient)
                    } else {
                        quantiles.withUnsafeBytes { bytes in
                            _ = sqlite3_bind_blob(
                                insert, 6, bytes.baseAddress, Int32(bytes.count), RawConnection.transient)
                        }
                    }
                    connection.step(insert)
                    inBatch += 1
                    if inBatch >= batchRows {
                        connection.exec("COMMIT; BEGIN")
                        inBatch = 0
                    }
                }
            }
        }
        connection.exec("COMMIT")
        connection.exec("PRAGMA wal_checkpoint(TRUNCATE)")
    }
}

// MARK: Storage's writer

func writerRun(_ path: String, items: [[WriteItem]]) async throws -> (Double, WriterCounters) {
    let store = try Store(path: path, configuration: StoreConfiguration(writerCacheKiB: writerCacheKiB), logger: logger)
    let writer = store.makeWriter(configuration: writerConfiguration)
    let stopwatch = Stopwatch()
    for chunk in items {
        guard writer.enqueue(chunk, overflow: .block(timeout: .seconds(60))) == .accepted else {
            fatalError("storage-bench: the writer refused a chunk")
        }
    }
    try await writer.flush()
    let elapsed = stopwatch.elapsed
    await writer.close()
    try store.close()
    return (elapsed, writer.counters)
}

let names = (0..<streams).map { "bench/\($0)" }
let observationChunks: [[WriteItem]] = (0..<steps).map { step in
    names.map { WriteItem.observation(stream: $0, tUs: Int64(step) * 1_000_000, value: Double(step)) }
}
let rows = streams * steps

let common: [String: Any] = [
    "streams": streams, "rows": rows, "order": "interleaved", "writer_cache_kib": writerCacheKiB,
]
var bestRawRate = 0.0
for batch in rawBatchSizes {
    let rate = Double(rows) / rawObservations(try freshDatabase("observations-raw-\(batch)"), batchRows: batch)
    bestRawRate = max(bestRawRate, rate)
    emit(common.merging(["bench": "observations.raw_c", "batch_rows": batch, "rows_per_s": Int(rate)]) { $1 })
}
let (writerSeconds, observationCounters) = try await writerRun(
    try freshDatabase("observations-writer"), items: observationChunks)
precondition(observationCounters.observationsWritten == rows, "writer wrote \(observationCounters)")
let writerRate = Double(rows) / writerSeconds
emit(
    common.merging([
        "bench": "observations.writer", "batch_rows": writerConfiguration.batchRows,
        "max_transaction_rows": writerConfiguration.maximumTransactionRows, "rows_per_s": Int(writerRate),
        "ratio_to_best_raw": rounded(writerRate / bestRawRate, 2),
        "transactions": observationCounters.batchesCommitted,
    ]) { $1 })

let forecastChunks: [[WriteItem]] = (0..<issues).map { issue in
    names.map { name in
        WriteItem.forecast(
            ForecastIssue(
                stream: name, issuedAtUs: Int64(issue) * 60_000_000, levels: levels,
                points: (1...horizon).map { step in
                    let base = Float(issue + step) * 1.0371 + 0.123
                    return ForecastPoint(
                        step: step, tUs: Int64(issue) * 60_000_000 + Int64(step) * 5_000_000, mean: Double(base),
                        quantiles: [base - 2, base - 1, base, base + 1, base + 2])
                }))
    }
}
let forecastRows = issues * streams * horizon
let forecastCommon: [String: Any] = [
    "streams": streams, "horizon": horizon, "levels": levels.count, "rows": forecastRows,
]
var bestForecastRawRate = 0.0
for json in [false, true] {
    for batch in rawBatchSizes {
        let path = try freshDatabase("forecasts-raw-\(json)-\(batch)")
        let rate = Double(forecastRows) / rawForecasts(path, json: json, batchRows: batch)
        if !json { bestForecastRawRate = max(bestForecastRawRate, rate) }
        emit(
            forecastCommon.merging([
                "bench": json ? "forecasts.raw_c.json_text" : "forecasts.raw_c.blob_f32", "batch_rows": batch,
                "rows_per_s": Int(rate),
                "file_bytes_per_row": rounded(Double(fileBytes(path)) / Double(forecastRows), 1),
            ]) { $1 })
    }
}
let (forecastWriterSeconds, forecastCounters) = try await writerRun(
    try freshDatabase("forecasts-writer"), items: forecastChunks)
precondition(forecastCounters.forecastRowsWritten == forecastRows, "writer wrote \(forecastCounters)")
let forecastWriterRate = Double(forecastRows) / forecastWriterSeconds
emit(
    forecastCommon.merging([
        "bench": "forecasts.writer.blob_f32", "rows_per_s": Int(forecastWriterRate),
        "ratio_to_best_raw": rounded(forecastWriterRate / bestForecastRawRate, 2),
        "transactions": forecastCounters.batchesCommitted,
    ]) { $1 })
