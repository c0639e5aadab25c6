import Formats

/// How `barnnd replay` encodes a reading as a sensor message, mirroring the payload formats barnnd ingests.
public enum ReplayPayloadFormat: String, Sendable, CaseIterable {
    /// The bare decimal value; the broker's arrival time is the reading's time.
    case number
    /// `{"value":…,"time":"ISO-8601"}`: the reading carries its own time.
    case json
    /// A one-record SenML pack `[{"n":"<stream>","v":…,"t":<unix seconds>}]` (RFC 8428).
    case senml

    /// The payload bytes for one reading.
    public func payload(for row: ReplayRecording.Row) -> [UInt8] {
        guard let value = row.value else { return [] }
        var out = JSONWriter()
        switch self {
        case .number:
            out.raw("\(value)")
        case .json:
            out.raw("{\"value\":")
            out.number(value)
            out.raw(",\"time\":")
            out.string(UTCTimestamp.format(row.time))
            out.raw("}")
        case .senml:
            out.raw("[{\"n\":")
            out.string(row.stream)
            out.raw(",\"v\":")
            out.number(value)
            out.raw(",\"t\":")
            out.number(row.time)
            out.raw("}]")
        }
        return out.bytes
    }

    /// Expands `{stream}` in a topic template; `/` inside a stream name becomes a topic level.
    public static func topic(template: String, stream: String) -> String {
        template.replacing("{stream}", with: stream)
    }
}
