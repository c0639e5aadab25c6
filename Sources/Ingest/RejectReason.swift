/// Why a message (or one record of it) was not turned into an observation.
///
/// The raw values are stable codes: they are stored in the `rejects` table and used as counter labels, so never
/// rename one. Rejecting is normal operation, not an error of the daemon: each reject becomes a row and a counter
/// increment, and ingestion carries on.
public enum RejectReason: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// The payload, or the value at the JSON path, is not a number (text, null, an object, a SenML `vs`/`vd`).
    case nonNumeric = "non_numeric"
    /// The value is NaN or ±infinity, or overflows a `Double`.
    case nonFinite = "non_finite"
    /// The payload is not valid JSON (for `json` and `senml` rules).
    case invalidJSON = "invalid_json"
    /// The JSON value path is absent from the document.
    case missingPath = "missing_path"
    /// The payload is larger than `engine.max_payload_bytes`.
    case oversized
    /// A SenML pack is malformed: not an array of objects, a record without a value, no record with a value at all
    /// (only base or ignored fields), a bad name or field type.
    case senmlInvalid = "senml_invalid"
    /// A SenML record has a field ending in `_` that barnnd does not understand (RFC 8428 §4.4: must reject).
    case senmlUnknownField = "senml_unknown_field"
    /// The payload's time is not a valid timestamp (unparseable, no UTC offset, not finite, before 1970).
    case invalidTimestamp = "invalid_timestamp"
    /// The payload's time is later than arrival plus `engine.max_future_skew`.
    case futureTimestamp = "future_timestamp"
    /// No rule's topic filter matches the topic.
    case noMatchingRule = "no_matching_rule"
    /// The stream-id template produced an empty id, one with `+`, `#`, NUL or control characters, or one too long.
    case invalidStreamID = "invalid_stream_id"
    /// The reading is older than the stream's latest step and is not a redelivered duplicate of an accepted
    /// reading (decided by the engine, not by ``Ingestor``; a duplicate is counted, not rejected).
    case outOfOrder = "out_of_order"
    /// The reading has the time of the stream's latest event step but a different value (decided by the engine).
    case duplicateTimestamp = "duplicate_timestamp"

    /// The stable code.
    public var description: String { rawValue }
}
