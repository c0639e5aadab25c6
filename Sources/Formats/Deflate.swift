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

    /// `bytes` compressed at zlib's `level` (1 fastest … 9 smallest), after their length; with a preset `dictionary`
    /// (RFC 1950's FDICT: text the stream may refer back to, such as a format's key names), which inflating must
    /// then be given. Traps on more than 4 GiB or a zlib failure, which for a buffer of `deflateBound` bytes only
    /// lack of memory causes.
    ///
    /// zlib's window is sized to what it can refer back to (the dictionary and the bytes, 512 B at least): its default
    /// 32 KB window makes a state of about 270 KB, whose fresh pages and clearing cost about 50 µs a call, more than
    /// compressing a saved state's part. The stream is the same bytes but for the window size its header names
    /// (checked on saved parts with Python's zlib), and inflating reads any.
    public static func compress(_ bytes: [UInt8], level: Int32 = 6, dictionary: [UInt8] = []) -> [UInt8] {
        precondition(bytes.count <= Int(UInt32.max), "Deflate.compress: \(bytes.count) bytes")
        // zlib keeps its last 262 bytes of window for lookahead, so a match may reach back 262 bytes less than it.
        let reach = bytes.count + dictionary.count + 262
        let windowBits = Int32(min(15, max(9, Int.bitWidth - (reach - 1).leadingZeroBitCount)))
        var stream = z_stream()
        var status = deflateInit2_(
            &stream, level, Z_DEFLATED, windowBits, 8, Z_DEFAULT_STRATEGY, zlibVersion(),
            Int32(MemoryLayout<z_stream>.size))
        precondition(status == Z_OK, "zlib deflateInit failed with status \(status)")
        defer { deflateEnd(&stream) }
        if !dictionary.isEmpty {
            status = dictionary.withUnsafeBufferPointer {
                deflateSetDictionary(&stream, $0.baseAddress, uInt($0.count))
            }
            precondition(status == Z_OK, "zlib deflateSetDictionary failed with status \(status)")
        }
        let bound = Int(deflateBound(&stream, uLong(bytes.count)))
        var output = [UInt8](repeating: 0, count: headerLength + bound)
        let length = UInt32(bytes.count)
        for index in 0..<headerLength { output[index] = UInt8(truncatingIfNeeded: length >> (8 * index)) }
        status = output.withUnsafeMutableBufferPointer { out in
            bytes.withUnsafeBufferPointer { source in
                // zlib's `next_in` is not `const` in its Swift import; deflate only reads through it.
                stream.next_in = UnsafeMutablePointer(mutating: source.baseAddress)
                stream.avail_in = uInt(source.count)
                stream.next_out = out.baseAddress! + headerLength
                stream.avail_out = uInt(bound)
                defer {
                    stream.next_in = nil
                    stream.next_out = nil
                }
                return deflate(&stream, Z_FINISH)
            }
        }
        precondition(status == Z_STREAM_END, "zlib deflate failed with status \(status)")
        output.removeLast(bound - Int(stream.total_out))
        return output
    }

    /// Bytes of the zlib stream of `bytes` at zlib's fastest level: a gauge for choosing between layouts of a few
    /// kilobytes (``DeltaPacking``).
    public static func gaugedSize(_ bytes: [UInt8]) -> Int { compress(bytes, level: 1).count - headerLength }

    /// The bytes `blob` holds; `dictionary` is the preset dictionary it was compressed with, if any.
    /// - Throws: ``Failure`` when it is shorter than its prefix, claims more than `limit` bytes or than its stream
    ///   can hold, is not a zlib stream of exactly the length it claims, or needs a dictionary other than the one
    ///   given.
    public static func decompress(
        _ blob: some Collection<UInt8>, limit: Int, dictionary: [UInt8] = []
    ) throws(Failure) -> [UInt8] {
        var bytes = Array(blob)
        guard bytes.count >= headerLength else { throw .truncatedHeader }
        var claimed = 0
        for index in 0..<headerLength { claimed |= Int(bytes[index]) << (8 * index) }
        let most = min(limit, mostInflated(fromStreamOf: bytes.count - headerLength))
        guard claimed <= most else { throw .tooLarge(claimed: claimed, limit: most) }
        var stream = z_stream()
        var status = inflateInit_(&stream, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else { throw .corrupt("zlib inflateInit status \(status)") }
        defer { inflateEnd(&stream) }
        // One byte more than claimed, so a stream that inflates past its length is told from one that fits.
        var output = [UInt8](repeating: 0, count: claimed + 1)
        status = output.withUnsafeMutableBufferPointer { out in
            bytes.withUnsafeMutableBufferPointer { source in
                stream.next_in = source.baseAddress! + headerLength
                stream.avail_in = uInt(source.count - headerLength)
                stream.next_out = out.baseAddress
                stream.avail_out = uInt(out.count)
                defer {
                    stream.next_in = nil
                    stream.next_out = nil
                }
                var status = inflate(&stream, Z_FINISH)
                if status == Z_NEED_DICT {
                    guard !dictionary.isEmpty else { return Z_NEED_DICT }
                    status = dictionary.withUnsafeBufferPointer {
                        inflateSetDictionary(&stream, $0.baseAddress, uInt($0.count))
                    }
                    guard status == Z_OK else { return Z_NEED_DICT }
                    status = inflate(&stream, Z_FINISH)
                }
                return status
            }
        }
        switch status {
        case Z_STREAM_END: break
        case Z_NEED_DICT: throw .corrupt("needs another preset dictionary")
        case Z_BUF_ERROR where stream.avail_out == 0: throw .corrupt("longer than claimed")
        case Z_BUF_ERROR: throw .corrupt("cut short")
        default: throw .corrupt("zlib status \(status)")
        }
        guard Int(stream.total_out) == claimed else { throw .corrupt("\(stream.total_out) bytes, \(claimed) claimed") }
        output.removeLast()
        return output
    }
}
