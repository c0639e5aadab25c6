/// Why a checkpoint could not be loaded; each kind of damage has its own case.
public enum CheckpointError: Error, Equatable, CustomStringConvertible {
    /// The file ends before `needed` bytes (only `available` exist).
    case truncated(needed: Int, available: Int)
    /// The first 8 bytes are not `BARNNCKP`.
    case badMagic
    /// The format version is not one this build reads.
    case unsupportedVersion(UInt32)
    /// The declared header size is absurd (larger than `Checkpoint.maximumHeaderSize` or the file).
    case headerTooLarge(Int)
    /// The header is malformed (reason given).
    case invalidHeader(String)
    /// The CRC-32 stored after the payload does not match the bytes before it.
    case checksumMismatch(stored: UInt32, computed: UInt32)
    /// A tensor's shape or name differs from what the header's configuration implies.
    case shapeMismatch(tensor: String, expected: [Int], found: [Int])
    /// The checkpoint is valid but for a different configuration than the caller expected.
    case configurationMismatch(expected: BARNNConfiguration, found: BARNNConfiguration)
    /// A parameter is NaN or infinite.
    case nonFiniteParameter(index: Int)
    /// Bytes follow the checksum.
    case trailingBytes(Int)

    public var description: String {
        switch self {
        case .truncated(let needed, let available): "checkpoint truncated: needs \(needed) bytes, has \(available)"
        case .badMagic: "not a BARNN checkpoint (bad magic)"
        case .unsupportedVersion(let v):
            "unsupported checkpoint format version \(v) (this build reads \(Checkpoint.formatVersion))"
        case .headerTooLarge(let n): "checkpoint header size \(n) is implausible"
        case .invalidHeader(let why): "invalid checkpoint header: \(why)"
        case .checksumMismatch(let stored, let computed):
            "checkpoint checksum mismatch: stored \(stored), computed \(computed) (corrupted file)"
        case .shapeMismatch(let tensor, let expected, let found):
            "checkpoint tensor \(tensor) has shape \(found), expected \(expected)"
        case .configurationMismatch(let expected, let found):
            "checkpoint configuration \(found) differs from the expected \(expected)"
        case .nonFiniteParameter(let index): "checkpoint parameter \(index) is not finite"
        case .trailingBytes(let n): "checkpoint has \(n) unexpected bytes after its checksum"
        }
    }
}
