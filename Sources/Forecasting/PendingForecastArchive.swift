import Formats

/// A stream's pending forecasts as saved since stop 35: each forecast's header, and the row pairs of all of them in
/// one column-wise block, bit-exact. Saved one forecast at a time (``IssuedForecast``'s own encoding), a forecast's
/// few rows hardly resemble each other; across a stream's forecasts the same level's code at neighbouring steps,
/// the top bytes of their anchors and the calibrator's offset between a model and a raw code are nearly the same,
/// so the block is laid out column by column as differences and deflated on its own: 1.1 KB instead of 1.5 for the
/// 78 row pairs of the bundled H 12, K 7.
///
/// `{"forecasts": [null or {"steps", "levels", "first", "held", "published", "floor"?, "keptMedian"?}],
/// "rows": text}`. The text is ``ScalarPacking`` of ``Deflate`` of the block: the held row pairs of every
/// forecast in order as bytes (each ``RowPairCodes`` word little-endian), the raw code of a word replaced by its
/// difference from the model code beside it, then byte column c of row r at `c · rows + r` as its difference from
/// row r − 1's (wrapping; row −1 is 0). Every forecast holding rows has the same K.
public struct PendingForecastArchive: Sendable, Equatable {
    /// The forecasts, oldest first; nil where none was issued.
    public var issued: [IssuedForecast?]

    /// The archive of `issued`, or nil when the forecasts holding rows do not share one K (their block would not
    /// be one table; a stream's forecasts always do, so this only guards the format).
    public init?(_ issued: [IssuedForecast?]) {
        let held = issued.compactMap(\.self).filter { !$0.heldCodes.isEmpty }
        guard held.allSatisfy({ $0.levels == held.first?.levels }) else { return nil }
        self.issued = issued
    }

    /// Bytes of a row pair at K levels.
    static func rowBytes(levels k: Int) -> Int { 2 * RowPairCodes.length(levels: k) }

    /// The column-wise block of `rows` row pairs of `width` bytes given row by row.
    static func columns(of rowMajor: [UInt8], width: Int) -> [UInt8] {
        let rows = width == 0 ? 0 : rowMajor.count / width
        // Raw codes against the model codes beside them; `rows(of:)` undoes this last.
        var relative = rowMajor
        for r in 0..<rows {
            for c in stride(from: 7, to: width, by: 2) { relative[r * width + c] &-= rowMajor[r * width + c - 1] }
        }
        var block = [UInt8](repeating: 0, count: rowMajor.count)
        for c in 0..<width {
            var previous: UInt8 = 0
            for r in 0..<rows {
                let byte = relative[r * width + c]
                block[c * rows + r] = byte &- previous
                previous = byte
            }
        }
        return block
    }

    /// The row pairs, row by row, of a column-wise block of rows of `width` bytes.
    static func rows(of block: [UInt8], width: Int) -> [UInt8] {
        let rows = width == 0 ? 0 : block.count / width
        var rowMajor = [UInt8](repeating: 0, count: block.count)
        for c in 0..<width {
            var running: UInt8 = 0
            for r in 0..<rows {
                running &+= block[c * rows + r]
                rowMajor[r * width + c] = running
            }
        }
        // Raw codes back from their differences, after the model codes they were taken from are whole.
        for r in 0..<rows {
            for c in stride(from: 7, to: width, by: 2) { rowMajor[r * width + c] &+= rowMajor[r * width + c - 1] }
        }
        return rowMajor
    }
}

extension PendingForecastArchive: Codable {
    private enum CodingKeys: String, CodingKey { case forecasts, rows }
    private enum HeaderKeys: String, CodingKey { case steps, levels, first, held, floor, published, keptMedian }

    /// Writes the headers and the block (see the type's documentation).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        var headers = container.nestedUnkeyedContainer(forKey: .forecasts)
        var rowMajor: [UInt8] = []
        var width = 0
        for forecast in issued {
            guard let forecast else {
                try headers.encodeNil()
                continue
            }
            var header = headers.nestedContainer(keyedBy: HeaderKeys.self)
            try header.encode(forecast.steps, forKey: .steps)
            try header.encode(forecast.levels, forKey: .levels)
            try header.encode(forecast.heldSteps.lowerBound, forKey: .first)
            try header.encode(forecast.heldSteps.count, forKey: .held)
            try header.encode(ScalarPacking.pack(forecast.publishedRow), forKey: .published)
            if forecast.floor != 0 { try header.encode(forecast.floor, forKey: .floor) }
            if forecast.keptMedian { try header.encode(true, forKey: .keptMedian) }
            let codes = forecast.heldCodes
            guard !codes.isEmpty else { continue }
            width = Self.rowBytes(levels: forecast.levels)
            for word in codes {
                rowMajor.append(UInt8(truncatingIfNeeded: word))
                rowMajor.append(UInt8(truncatingIfNeeded: word >> 8))
            }
        }
        let block = Self.columns(of: rowMajor, width: width)
        try container.encode(block.isEmpty ? "" : ScalarPacking.pack(Deflate.compress(block)), forKey: .rows)
    }

    /// Reads an archive, each forecast checked as ``IssuedForecast`` checks its own form (steps, levels and held
    /// rows within the forecast and the decoder's ``IssuedForecast/Limits``), and the block against the headers.
    /// - Throws: `DecodingError` for a header out of bounds, forecasts of different K, or a block that is not a
    ///   deflated block of exactly the rows the headers claim.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let limits = decoder.userInfo[IssuedForecast.limitsKey] as? IssuedForecast.Limits
        var headers = try container.nestedUnkeyedContainer(forKey: .forecasts)
        struct Header {
            var steps: Int, levels: Int, first: Int, held: Int, floor: Float, published: [Float], keptMedian: Bool
        }
        var list: [Header?] = []
        var k: Int?
        while !headers.isAtEnd {
            if try headers.decodeNil() {
                list.append(nil)
                continue
            }
            let header = try headers.nestedContainer(keyedBy: HeaderKeys.self)
            let steps = try header.decode(Int.self, forKey: .steps)
            let levels = try header.decode(Int.self, forKey: .levels)
            let first = try header.decode(Int.self, forKey: .first)
            let held = try header.decode(Int.self, forKey: .held)
            guard (1...(limits?.steps ?? 10_000)).contains(steps), (0...(limits?.levels ?? 1000)).contains(levels),
                (1...(steps + 1)).contains(first), held >= 0, first - 1 + held <= steps, levels > 0 || held == 0,
                held == 0 || k == nil || k == levels
            else {
                throw DecodingError.dataCorruptedError(
                    forKey: .held, in: header,
                    debugDescription:
                        "\(steps) steps, \(levels) levels, first step \(first) or \(held) held rows out of bounds")
            }
            if held > 0 { k = levels }
            guard
                let published = ScalarPacking.unpack(
                    try header.decode(String.self, forKey: .published), as: Float.self),
                published.isEmpty || (levels > 0 && published.count == levels)
            else {
                throw DecodingError.dataCorruptedError(
                    forKey: .published, in: header, debugDescription: "expected \(levels) packed numbers")
            }
            list.append(
                Header(
                    steps: steps, levels: levels, first: first, held: held,
                    floor: try header.decodeIfPresent(Float.self, forKey: .floor) ?? 0, published: published,
                    keptMedian: try header.decodeIfPresent(Bool.self, forKey: .keptMedian) ?? false))
        }
        let width = k.map(Self.rowBytes(levels:)) ?? 0
        let expected = list.reduce(0) { $0 + ($1?.held ?? 0) } * width
        let text = try container.decode(String.self, forKey: .rows)
        var rowMajor: [UInt8] = []
        if expected > 0 || !text.isEmpty {
            guard let deflated = ScalarPacking.unpack(text, as: UInt8.self),
                let block = try? Deflate.decompress(deflated, limit: expected), block.count == expected
            else {
                throw DecodingError.dataCorruptedError(
                    forKey: .rows, in: container,
                    debugDescription: "rows are not a deflated block of the \(expected) bytes the forecasts hold")
            }
            rowMajor = Self.rows(of: block, width: width)
        }
        var offset = 0
        issued = list.map { header in
            header.map { h in
                var words: [UInt16] = []
                words.reserveCapacity(h.held * width / 2)
                for index in stride(from: offset, to: offset + h.held * width, by: 2) {
                    words.append(UInt16(rowMajor[index]) | UInt16(rowMajor[index + 1]) << 8)
                }
                offset += h.held * width
                return IssuedForecast(
                    steps: h.steps, levels: h.levels, first: h.first, held: words, floor: h.floor,
                    published: h.published, keptMedian: h.keptMedian)
            }
        }
    }
}
