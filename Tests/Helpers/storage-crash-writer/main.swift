// A child process for StorageTests' crash and lock tests; not for people.
//
//   storage-crash-writer write PATH   writes batches forever; after each committed batch prints "committed K"
//   storage-crash-writer lock PATH    holds an exclusive write lock, prints "locked", releases at EOF on stdin
import Foundation
import GRDB
import Logging
import Storage

let arguments = CommandLine.arguments
guard arguments.count == 3 else {
    FileHandle.standardError.write(Data("usage: storage-crash-writer write|lock PATH\n".utf8))
    exit(2)
}
let path = arguments[2]

/// Rows per batch: batch K holds streams crash/0…crash/9 at t = K·100 + 0…99 ms.
let streamsPerBatch = 10
let stepsPerBatch = 100

func line(_ text: String) {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}

switch arguments[1] {
case "write":
    let store = try Store(path: path, logger: Logger(label: "storage-crash-writer"))
    let writer = store.makeWriter(configuration: WriterConfiguration(batchRows: 100_000, maxDelay: .seconds(60)))
    var batch: Int64 = 0
    while true {
        var items: [WriteItem] = []
        for step in 0..<Int64(stepsPerBatch) {
            for stream in 0..<streamsPerBatch {
                items.append(.observation(stream: "crash/\(stream)", tUs: batch * 100 + step, value: Double(step)))
            }
        }
        guard writer.enqueue(items, overflow: .block(timeout: .seconds(10))) == .accepted else { exit(3) }
        try await writer.flush()
        line("committed \(batch)")
        batch += 1
    }
case "lock":
    let queue = try DatabaseQueue(path: path)
    try queue.writeWithoutTransaction { db in
        try db.execute(sql: "BEGIN EXCLUSIVE")
        line("locked")
        while readLine() != nil {}
        try db.execute(sql: "ROLLBACK")
    }
default:
    exit(2)
}
