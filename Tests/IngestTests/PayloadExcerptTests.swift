import Formats
import Ingest
import Storage
import Testing

@Suite struct PayloadExcerptTests {
    /// The excerpt of `text` under the reject detail's limit.
    private func excerpt(_ bytes: [UInt8], limit: Int = IngestReject.excerptLimit) -> String {
        PayloadExcerpt.make(of: bytes, limit: limit)
    }

    @Test func shortPrintablePayloadIsKeptWhole() {
        #expect(excerpt(Array("21.5 °C".utf8)) == "21.5 °C")
        #expect(excerpt([]) == "")
    }

    @Test func controlCharactersAndInvalidBytesBecomeDots() {
        #expect(excerpt([0x41, 0x00, 0x0A, 0xFF, 0x42]) == "A...B")
    }

    @Test func longPayloadIsCutToTheLimitWithAMarker() {
        let exact = excerpt(Array(String(repeating: "a", count: 64).utf8))
        #expect(exact == String(repeating: "a", count: 64))
        let long = excerpt(Array(String(repeating: "a", count: 100_000).utf8))
        #expect(long == String(repeating: "a", count: 61) + "...")
        // Multi-byte characters are never split.
        let wide = excerpt(Array(String(repeating: "é", count: 100).utf8))
        #expect(wide.utf8.count <= 64 && wide.hasSuffix("...") && wide.hasPrefix("éé"))
        #expect(excerpt(Array("abcdef".utf8), limit: 5) == "ab...")
    }

    @Test func storedRejectRowsUseTheSamePolicy() {
        let payload: [UInt8] = [0x41, 0x00] + Array(repeating: UInt8(ascii: "x"), count: 300)
        let row = RejectRecord(timeUs: 0, topic: "t", payload: payload, reason: "r")
        #expect(row.excerpt == excerpt(payload, limit: RejectRecord.excerptLimit))
        #expect(row.excerpt.hasPrefix("A.x") && row.excerpt.utf8.count == RejectRecord.excerptLimit)
        #expect(row.payloadBytes == 302)
    }

    @Test func rejectCodesAreStable() {
        #expect(
            RejectReason.allCases.map(\.rawValue) == [
                "non_numeric", "non_finite", "invalid_json", "missing_path", "oversized", "senml_invalid",
                "senml_unknown_field", "invalid_timestamp", "future_timestamp", "no_matching_rule", "invalid_stream_id",
                "out_of_order", "duplicate_timestamp",
            ])
    }
}
