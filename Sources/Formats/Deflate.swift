import CZlib

/// zlib (RFC 1950) compression of small blobs, with their length in front: a blob is
/// `[length: UInt32, little-endian][zlib stream]`, so inflating allocates exactly what the blob claims, refuses a
/// claim no stream of its size can meet (deflate expands at most 1032-fold) or past a caller's limit before
/// allocating, and checks the result by the stream's Adler-32 and that length.
public enum Deflate {
    /// Why a blob did not inflate.
    public enum Failure: Error, Equatable, CustomStringConvertible {
        /// Shorter than its length prefix.
        case truncatedHeader
        /// It claims more bytes than the caller allows, or than a stream of its size can inflate to.
        case tooLarge(claimed: Int, limit: Int)
        /// zlib refused the stream (corrupt, truncated or a checksum mismatch), or it inflated to another length.
        case corrupt(String)

        public var description: String {
            switch self {
            case .truncatedHeader: "shorter than its 4-byte length"
            case .tooLarge(let claimed, let limit): "claims \(claimed) bytes, more than the \(limit) allowed"
            case .corrupt(let detail): "not a zlib stream of its length (\(detail))"
            }
        }
    }

    /// Bytes of the length prefix.
    public static let headerLength = 4

    /// The most a deflate stream expands: a 258-byte match costs at least 2 bits (zlib's documentation, 1032:1).
    static let largestExpansion = 1032

    /// The most bytes a zlib stream of `count` bytes can inflate to (its 2-byte header and 4-byte check aside).
    static func mostInflated(fromStreamOf count: Int) -> Int { max(0, count - 6) * largestExpansion }

    /// `bytes` compressed at zlib's `level` (1 fastest … 9 smallest), after their length. Traps on more than 4 GiB
    /// or a zlib failure, which for a buffer of `compressBound` bytes only lack of memory causes.
    public static func compress(_ bytes: [UInt8], level: Int32 = 6) -> [UInt8] {
        precondition(bytes.count <= Int(UInt32.max), "Deflate.compress: \(bytes.count) bytes")
        let bound = Int(compressBound(uLong(bytes.count)))
        var output = [UInt8](repeating: 0, count: headerLength + bound)
        let length = UInt32(bytes.count)
        for index in 0..<headerLength { output[index] = UInt8(truncatingIfNeeded: length >> (8 * index)) }
        var written = uLongf(bound)
        let status = output.withUnsafeMutableBufferPointer { out in
            bytes.withUnsafeBufferPointer { source in
                compress2(
                    out.baseAddress! + headerLength, &written, source.baseAddress, uLong(source.count), level)
            }
        }
        precondition(status == Z_OK, "zlib compress2 failed with status \(status)")
        output.removeLast(bound - Int(written))
        return output
    }

    /// The bytes `blob` holds.
    /// - Throws: ``Failure`` when it is shorter than its prefix, claims more than `limit` bytes or than its stream
    ///   can hold, or is not a zlib stream of exactly the length it claims.
    public static func decompress(_ blob: some Collection<UInt8>, limit: Int) throws(Failure) -> [UInt8] {
        let bytes = Array(blob)
        guard bytes.count >= headerLength else { throw .truncatedHeader }
        var claimed = 0
        for index in 0..<headerLength { claimed |= Int(bytes[index]) << (8 * index) }
        let most = min(limit, mostInflated(fromStreamOf: bytes.count - headerLength))
        guard claimed <= most else { throw .tooLarge(claimed: claimed, limit: most) }
        // One byte more than claimed, so a stream that inflates past its length is told from one that fits.
        var output = [UInt8](repeating: 0, count: claimed + 1)
        var written = uLongf(output.count)
        let status = output.withUnsafeMutableBufferPointer { out in
            bytes.withUnsafeBufferPointer { source in
                uncompress(
                    out.baseAddress, &written, source.baseAddress! + headerLength, uLong(source.count - headerLength))
            }
        }
        guard status == Z_OK else {
            throw .corrupt(status == Z_BUF_ERROR ? "longer than claimed" : "zlib status \(status)")
        }
        guard Int(written) == claimed else { throw .corrupt("\(written) bytes, \(claimed) claimed") }
        output.removeLast()
        return output
    }
}
