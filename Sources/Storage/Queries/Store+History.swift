import Foundation
import GRDB

extension Store {
    /// A stream's observations between two times (inclusive), each beside the forecast issued for it at `step`,
    /// ordered by time. Times with a forecast but no observation (the future) are included with `observed == false`.
    /// When several forecasts target the same time at that step the latest issued one is returned.
    ///
    /// - Returns: an empty array for an unknown stream.
    public func history(
        stream: String, fromUs: Int64, toUs: Int64, step: Int = 1
    ) throws(StorageError)
        -> [HistoryPoint]
    {
        try read("reading history of \(stream)") { db in
            guard let id = try Int64.fetchOne(db, sql: "SELECT id FROM streams WHERE name = ?", arguments: [stream])
            else { return [] }
            var points: [Int64: HistoryPoint] = [:]
            let observations = try Row.fetchCursor(
                db, sql: "SELECT t_us, value FROM observations WHERE stream_id = ? AND t_us BETWEEN ? AND ?",
                arguments: [id, fromUs, toUs])
            while let row = try observations.next() {
                let tUs: Int64 = row[0]
                points[tUs] = HistoryPoint(tUs: tUs, observed: true, value: row[1], forecast: nil)
            }
            let forecasts = try Row.fetchCursor(
                db,
                sql: """
                    SELECT f.t_us, f.issued_at_us, f.mean, l.levels, f.quantiles
                    FROM forecasts f JOIN quantile_levels l ON l.id = f.levels_id
                    WHERE f.stream_id = ? AND f.step = ? AND f.t_us BETWEEN ? AND ?
                    ORDER BY f.t_us, f.issued_at_us
                    """,
                arguments: [id, step, fromUs, toUs])
            var levelCache: [String: [Double]] = [:]
            while let row = try forecasts.next() {
                let tUs: Int64 = row[0]
                let text: String = row[3]
                let levels = levelCache[text] ?? JSONText.decodeDoubles(text)
                levelCache[text] = levels
                let forecast = HistoryPoint.Forecast(
                    issuedAtUs: row[1], step: step, mean: row[2], levels: levels,
                    quantiles: QuantileCoding.decode([UInt8]((row[4] as Data?) ?? Data())))
                points[tUs, default: HistoryPoint(tUs: tUs, observed: false, value: nil, forecast: nil)].forecast =
                    forecast
            }
            return points.values.sorted { $0.tUs < $1.tUs }
        }
    }
}
