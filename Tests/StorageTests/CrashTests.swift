import Foundation
import GRDB
import ProcessTestKit
import StorageTestKit
import Testing

@testable import Storage

@Suite struct CrashTests {
    @Test func everyBatchReportedCommittedSurvivesSIGKILL() throws {
        let temporary = try TemporaryDatabase()
        let child = try ChildProcess.piped(try ChildProcess.sibling("storage-crash-writer"), ["write", temporary.path])
        var committed: [Int64] = []
        while committed.count < 8, let line = child.nextLine() {
            if line.hasPrefix("committed "), let batch = Int64(line.dropFirst("committed ".count)) {
                committed.append(batch)
            }
        }
        child.signal(SIGKILL)
        #expect(ChildProcess.terminatingSignal(child.wait()) == SIGKILL)
        try #require(committed.count == 8, "the child reported \(committed.count) batches before exiting")

        let store = try temporary.open()
        #expect(try store.integrityCheck() == ["ok"])
        try store.pool.read { db throws in
            for batch in committed {
                let rows = try Int.fetchOne(
                    db, sql: "SELECT count(*) FROM observations WHERE t_us BETWEEN ? AND ?",
                    arguments: [batch * 100, batch * 100 + 99])
                #expect(rows == 1000, "batch \(batch)")
            }
        }
        try store.close()
    }
}
