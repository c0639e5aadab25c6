import Daemon
import Testing

@Suite struct PayloadExcerptTests {
    @Test func shortPrintablePayloadIsKeptWhole() {
        #expect(IngestReject.excerpt(of: Array("21.5 °C".utf8)) == "21.5 °C")
        #expect(IngestReject.excerpt(of: [UInt8]()) == "")
    }

    @Test func controlCharactersAndInvalidBytesBecomeDots() {
        #expect(IngestReject.excerpt(of: [0x41, 0x00, 0x0A, 0xFF, 0x42]) == "A...B")
    }

    @Test func longPayloadIsCutToTheLimitWithAMarker() {
        let exact = IngestReject.excerpt(of: Array(String(repeating: "a", count: 64).utf8))
        #expect(exact == String(repeating: "a", count: 64))
        let long = IngestReject.excerpt(of: Array(String(repeating: "a", count: 100_000).utf8))
        #expect(long == String(repeating: "a", count: 61) + "...")
        // Multi-byte characters are never split.
        let wide = IngestReject.excerpt(of: Array(String(repeating: "é", count: 100).utf8))
        #expect(wide.utf8.count <= 64 && wide.hasSuffix("...") && wide.hasPrefix("éé"))
        #expect(IngestReject.excerpt(of: Array("abcdef".utf8), limit: 5) == "ab...")
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
