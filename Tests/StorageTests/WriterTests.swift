import GRDB
import StorageTestKit
import Testing

@testable import Storage

@Suite struct WriterTests {
    @Test func everyTableRoundTrips() async throws {
        let temporary = try TemporaryDatabase()
        let store = try temporary.open()
        let checkpoint = try store.saveCheckpoint(
            NewCheckpoint(model: "default", createdAtUs: 5, blob: [1, 2, 3]), activate: true, keepLast: 3)
        let writer = store.makeWriter()
        let levels = [0.05, 0.5, 0.95]
        var points: [ForecastPoint] = []
        for step in 1...3 {
            let offset = Float(step)
            points.append(
                ForecastPoint(
                    step: step, tUs: 2000 + Int64(step) * 1000, mean: 20 + Double(step),
                    quantiles: [19.5 + offset, 20 + offset, 20.5 + offset]))
        }
        let issue = ForecastIssue(stream: "lab/t1", issuedAtUs: 2000, levels: levels, points: points)
        let state = StreamStateRecord(
            stream: "lab/t1", checkpointID: checkpoint.id, tUs: 3000, savedAtUs: 3500, hidden: [9, 8, 7],
            normaliser: [1], calibrator: [])
        let drift = DriftRecord(
            stream: "lab/t1", windowEndUs: 3000, n: 12, crps: 0.25, mae: 0.5,
            coverage: [.init(level: 0.5, value: 0.48), .init(level: 0.9, value: 0.875)], pitBins: [1, 2, 3, 4],
            alarm: true)
        let event = EventRecord(timeUs: 3100, kind: "drift_alarm", model: "default", stream: "lab/t1", detailJSON: "{}")
        let payload = [UInt8](repeating: UInt8(ascii: "x"), count: 300)
        let reject = RejectRecord(timeUs: 3200, topic: "sensors/a/b/value", payload: payload, reason: "not a number")
        var items: [WriteItem] = [1000, 2000, 3000].map { .observation(stream: "lab/t1", tUs: $0, value: 20.5) }
        items.append(.observation(stream: "lab/t2", tUs: 1500, value: nil))
        items += [.forecast(issue), .streamState(state), .drift(drift), .event(event), .reject(reject)]
        #expect(writer.enqueue(items, overflow: .reject) == .accepted)
        try await writer.flush()

        let counters = writer.counters
        #expect(counters.observationsWritten == 4)
        #expect(counters.forecastRowsWritten == 3)
        #expect(counters.streamStatesWritten == 1)
        #expect(counters.driftRowsWritten == 1)
        #expect(counters.eventsWritten == 1)
        #expect(counters.rejectsWritten == 1)
        #expect(counters.batchesCommitted == 1, "one transaction per batch")
        #expect(counters.invalidRows == 0)

        let history = try store.history(stream: "lab/t1", fromUs: 0, toUs: 10_000, step: 1)
        #expect(history.map(\.tUs) == [1000, 2000, 3000])
        #expect(history[0].forecast == nil)
        #expect(history[2].value == 20.5)
        #expect(
            history[2].forecast
                == HistoryPoint.Forecast(
                    issuedAtUs: 2000, step: 1, mean: 21, levels: levels, quantiles: [20.5, 21, 21.5]))
        let step3 = try store.history(stream: "lab/t1", fromUs: 0, toUs: 10_000, step: 3)
        #expect(step3.last?.tUs == 5000)
        #expect(step3.last?.observed == false)
        #expect(step3.last?.forecast?.quantiles == [22.5, 23, 23.5])
        let gap = try store.history(stream: "lab/t2", fromUs: 0, toUs: 10_000)
        #expect(gap.count == 1 && gap[0].observed && gap[0].value == nil)

        #expect(try store.streamStates() == [state])
        #expect(try store.streamState(named: "lab/t1") == state)
        #expect(try store.streamState(named: "lab/t2") == nil)
        #expect(try store.streamsWithSavedState() == ["lab/t1"])
        #expect(try store.drift(stream: "lab/t1", fromUs: 0, toUs: 10_000) == [drift])
        #expect(try store.events() == [event])
        let rejects = try store.rejects()
        #expect(rejects.count == 1)
        #expect(rejects.first?.excerpt.utf8.count == RejectRecord.excerptLimit)
        #expect(rejects.first?.payloadBytes == 300)
        #expect(rejects.first?.reason == "not a number")

        let streams = try store.streams()
        #expect(streams.map(\.name) == ["lab/t1", "lab/t2"])
        #expect(streams[0].firstSeenUs == 1000)
        #expect(streams[0].lastSeenUs == 3000)
        #expect(streams[0].model == "default")
        #expect(streams[0].modelVersion == 1)
        #expect(streams[0].latestDrift == drift)
        #expect(streams[1].latestDrift == nil)
        #expect(try store.observations(stream: "lab/t1", afterUs: 1000).map(\.tUs) == [2000, 3000])

        await writer.close()
        try store.close()
    }

    @Test func duplicateObservationsChangeNothingAndAreCounted() async throws {
        let temporary = try TemporaryDatabase()
        let store = try temporary.open()
        let writer = store.makeWriter()
        _ = writer.enqueue([.observation(stream: "a", tUs: 10, value: 1)], overflow: .reject)
        try await writer.flush()
        // A QoS 1 redelivery in a later batch and a duplicate within one batch.
        _ = writer.enqueue(
            [
                .observation(stream: "a", tUs: 10, value: 99), .observation(stream: "a", tUs: 20, value: 2),
                .observation(stream: "a", tUs: 20, value: 98),
            ], overflow: .reject)
        try await writer.flush()
        let counters = writer.counters
        #expect(counters.observationsWritten == 2)
        #expect(counters.duplicateObservations == 2)
        let history = try store.history(stream: "a", fromUs: 0, toUs: 100)
        #expect(history.map(\.value) == [1, 2])
        await writer.close()
        try store.close()
    }

    @Test func fullQueueRejectsAndCountsThenAcceptsAfterAFlush() async throws {
        let temporary = try TemporaryDatabase()
        let store = try temporary.open()
        let writer = store.makeWriter(
            configuration: WriterConfiguration(batchRows: 1000, maxDelay: .seconds(60), maximumPendingRows: 10))
        let ten = (0..<10).map { WriteItem.observation(stream: "a", tUs: Int64($0), value: 1) }
        let five = (10..<15).map { WriteItem.observation(stream: "a", tUs: Int64($0), value: 1) }
        #expect(writer.enqueue(ten, overflow: .reject) == .accepted)
        #expect(writer.enqueue(five, overflow: .reject) == .queueFull)
        #expect(writer.enqueue(five, overflow: .block(timeout: .milliseconds(20))) == .queueFull)
        // A refusal counts; a wait that timed out does not, since its caller keeps the rows and tries again.
        #expect(writer.counters.rowsRejected == 5)
        try await writer.flush()
        #expect(writer.enqueue(five, overflow: .reject) == .accepted)
        await writer.close()
        #expect(writer.counters.observationsWritten == 15)
        #expect(writer.enqueue(five, overflow: .reject) == .closed)
        try store.close()
    }

    @Test func closeDrainsEverythingQueued() async throws {
        let temporary = try TemporaryDatabase()
        let store = try temporary.open()
        let writer = store.makeWriter(
            configuration: WriterConfiguration(batchRows: 700, maximumTransactionRows: 700, maxDelay: .seconds(60)))
        for chunk in 0..<10 {
            let items = (0..<300).map { index in
                WriteItem.observation(stream: "s\(index % 7)", tUs: Int64(chunk * 300 + index), value: 0.5)
            }
            #expect(writer.enqueue(items, overflow: .block(timeout: .seconds(5))) == .accepted)
        }
        await writer.close()
        let counters = writer.counters
        #expect(counters.observationsWritten == 3000)
        #expect(counters.batchesCommitted >= 3000 / 700)
        let count = try await store.pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM observations") }
        #expect(count == 3000)
        try store.close()
    }

    @Test func anOpenReadTransactionDoesNotBlockTheWriter() async throws {
        let temporary = try TemporaryDatabase()
        let store = try temporary.open(StoreConfiguration(busyTimeout: .milliseconds(50)))
        let writer = store.makeWriter()
        _ = writer.enqueue([.observation(stream: "a", tUs: 1, value: 1)], overflow: .reject)
        try await writer.flush()
        var configuration = Configuration()
        configuration.allowsUnsafeTransactions = true
        let reader = try DatabaseQueue(path: temporary.path, configuration: configuration)
        let seen = try await reader.writeWithoutTransaction { db in
            try db.execute(sql: "BEGIN")
            return try Int.fetchOne(db, sql: "SELECT count(*) FROM observations")
        }
        #expect(seen == 1)
        _ = writer.enqueue([.observation(stream: "a", tUs: 2, value: 2)], overflow: .reject)
        try await writer.flush()
        let stillSeen = try await reader.writeWithoutTransaction { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM observations")
        }
        #expect(stillSeen == 1, "the reader keeps its snapshot")
        try await reader.writeWithoutTransaction { db in try db.execute(sql: "COMMIT") }
        try reader.close()
        #expect(try store.history(stream: "a", fromUs: 0, toUs: 10).count == 2)
        await writer.close()
        try store.close()
    }

    @Test func rowsTheSchemaRefusesAreSkippedAndCounted() async throws {
        let temporary = try TemporaryDatabase()
        let store = try temporary.open()
        let writer = store.makeWriter()
        let badIssue = ForecastIssue(
            stream: "a", issuedAtUs: 0, levels: [0.1, 0.9],
            points: [ForecastPoint(step: 1, tUs: 1, mean: 0, quantiles: [0])])
        let badState = StreamStateRecord(
            stream: "a", checkpointID: 12345, tUs: 0, savedAtUs: 0, hidden: [], normaliser: [], calibrator: [])
        _ = writer.enqueue(
            [.forecast(badIssue), .streamState(badState), .observation(stream: "a", tUs: 1, value: 3)],
            overflow: .reject)
        try await writer.flush()
        #expect(writer.counters.invalidRows == 2)
        #expect(writer.counters.observationsWritten == 1)
        await writer.close()
        try store.close()
    }
}
