import Backtest
import Foundation
import Testing

@Suite struct ReplayRecordingTests {
    @Test func sortsByTimeKeepingFileOrderForTies() throws {
        let recording = try ReplayRecording(
            csv: """
                timestamp,stream,value
                2024-01-01T00:01:00Z,b,2
                2024-01-01T00:00:00Z,a,1
                2024-01-01T00:01:00Z,a,3
                2024-01-01T00:02:00Z,a,
                """)
        #expect(recording.rows.map(\.stream) == ["a", "b", "a", "a"])
        #expect(recording.rows.map(\.value) == [1, 2, 3, nil])
        #expect(recording.streams == ["a", "b"])
        #expect(recording.wallOffset(of: recording.rows[3], speed: 60) == 2)
        #expect(recording.wallOffset(of: recording.rows[3], speed: .infinity) == 0)
    }

    @Test func reportsTheLineOfBadRows() {
        #expect(throws: ReplayRecording.ParseError(line: 3, message: "unreadable value 'abc'")) {
            try ReplayRecording(csv: "timestamp,stream,value\n2024-01-01T00:00:00Z,a,1\n2024-01-01T00:01:00Z,a,abc\n")
        }
        #expect(throws: ReplayRecording.ParseError.self) { try ReplayRecording(csv: "time,name\n1,2\n") }
        #expect(throws: ReplayRecording.ParseError.self) {
            try ReplayRecording(csv: "timestamp,stream,value\nnope,a,1\n")
        }
    }

    @Test func readsARecordingInTheSharedDatasetsFormat() throws {
        // The shared datasets' format (ISO-8601 UTC times, several streams interleaved), from a fixture in the
        // repository: tests read nothing outside it.
        let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/Recordings/two-hourly-streams.csv")
        let recording = try ReplayRecording(csv: try String(contentsOf: fixture, encoding: .utf8))
        #expect(recording.rows.count == 96)
        #expect(recording.streams == ["flow_lps", "site/level_m"])
        #expect(recording.rows.first?.time == 1_647_770_400)
        #expect(recording.rows.first?.value == 100)
    }

    @Test func payloadFormatsAreWhatIngestReads() throws {
        let row = ReplayRecording.Row(time: 1_704_067_200, stream: "lab/t1", value: 21.5)
        #expect(String(decoding: ReplayPayloadFormat.number.payload(for: row), as: UTF8.self) == "21.5")
        #expect(
            String(decoding: ReplayPayloadFormat.json.payload(for: row), as: UTF8.self)
                == #"{"value":21.5,"time":"2024-01-01T00:00:00Z"}"#)
        #expect(
            String(decoding: ReplayPayloadFormat.senml.payload(for: row), as: UTF8.self)
                == #"[{"n":"lab/t1","v":21.5,"t":1704067200}]"#)
        #expect(ReplayPayloadFormat.topic(template: "sensors/{stream}", stream: "lab/t1") == "sensors/lab/t1")
    }
}
