import GRDB
import StorageTestKit
import Testing

@testable import Storage

@Suite struct RetentionTests {
    @Test func deletesByAgeAndRowCapInSmallTransactions() async throws {
        let temporary = try TemporaryDatabase()
        let store = try temporary.open()
        let writer = store.makeWriter()
        var items: [WriteItem] = []
        for t in 0..<1000 {
            items.append(.observation(stream: "a", tUs: Int64(t), value: 1))
            items.append(.observation(stream: "b", tUs: Int64(t), value: 2))
        }
        for issued in 0..<100 {
            let points = (1...4).map { ForecastPoint(step: $0, tUs: Int64(issued + $0), mean: 0, quantiles: [0]) }
            items.append(
                .forecast(ForecastIssue(stream: "a", issuedAtUs: Int64(issued), levels: [0.5], points: points)))
        }
        for index in 0..<50 {
            items.append(.event(EventRecord(timeUs: Int64(index * 10), kind: "tick")))
            items.append(.reject(RejectRecord(timeUs: Int64(index * 10), topic: "t", payload: [1], reason: "bad")))
        }
        _ = writer.enqueue(items, overflow: .reject)
        try await writer.flush()

        let policy = RetentionPolicy(
            observations: .init(maxAge: .microseconds(500)), forecasts: .init(maxRows: 40),
            events: .init(maxRows: 10), rejects: .init(maxAge: .microseconds(750)), chunkRows: 100)
        let report = try store.applyRetention(policy, nowUs: 1000)
        #expect(report.observations == 1000)
        #expect(report.forecasts == 360)
        #expect(report.events == 40)
        #expect(report.rejects == 25)
        #expect(report.transactions > 10, "deletes are chunked")

        try await store.pool.read { db throws in
            #expect(try Int.fetchOne(db, sql: "SELECT min(t_us) FROM observations") == 500)
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM observations") == 1000)
            #expect(try Int.fetchOne(db, sql: "SELECT min(issued_at_us) FROM forecasts") == 90)
            #expect(try Int.fetchOne(db, sql: "SELECT min(time_us) FROM events") == 400)
            #expect(try Int.fetchOne(db, sql: "SELECT min(time_us) FROM rejects") == 250)
            #expect(try Int.fetchOne(db, sql: "PRAGMA freelist_count") == 0, "incremental vacuum ran")
        }
        // A second pass finds nothing left to delete.
        #expect(try store.applyRetention(policy, nowUs: 1000).observations == 0)
        await writer.close()
        try store.close()
    }
}
