/// One step of an issued forecast, its model row and its raw (calibrated, unrearranged) row of K quantiles each, as
/// `3 + K` 16-bit words holding 2K 8-bit codes instead of `2K` `Float`s: 20 bytes instead of 56 at K 7, so a stream's
/// pending rows take 1.6 KB instead of 4.4 at H 12 (38 KB instead of 119 at H 48, K 13), in memory and saved.
///
/// Layout: the anchor `a` (the model's middle quantile as a `Float`, two words), the exponent `e` of the unit
/// `u = 2ᵉ` (one word), then the K model and K raw codes, two to a word (low byte first). A code `c` stands for
/// `a + c·u`, with `u` the smallest power of two that puts the row pair's farthest value from `a` within ±124 units,
/// so a value is within `u/2` of what was issued: at most 1/124 of the rows' half-range, about 1/500 of the interval
/// width the calibrator scores in. That is what scoring needs: an outcome's hit flips only when it lands that close
/// to a quantile (unbiased, since codes round to nearest), and a score moves by at most 0.2 % of the width, far less
/// than a quantile's Monte Carlo error from 256 paths. The 14-dataset backtest is level with 16-bit codes (stop 33,
/// README), which took 34 bytes a step (and 2.5 KB of a 5.3 KB saved state).
///
/// Exact where an outcome can land *on* a quantile, which the hit indicators count apart (see
/// ``ConformalCalibrator/hit(outcome:quantile:level:)``): ``floorCode`` stands for the stream's floor (a count at
/// 0 all night meets quantiles raised to 0), and since `u` is a power of two every value on its grid comes back
/// exactly: the anchor (a kept median), and integers whenever the rows span less than 124. Non-finite values have
/// codes of their own, so the calibrator refuses them as before.
enum RowPairCodes {
    /// The code that stands for the floor.
    static let floorCode: UInt8 = 0x80
    /// The codes of NaN, +∞ and −∞.
    static let nanCode: UInt8 = 0x81
    static let infinityCode: UInt8 = 0x82
    static let negativeInfinityCode: UInt8 = 0x83
    /// The largest code magnitude of a finite value (the four codes above lie below its negative).
    private static let largestCode = 124.0

    /// Words of one row pair of `levels` quantiles.
    @inline(__always)
    static func length(levels k: Int) -> Int { 3 + k }

    /// Appends the codes of `model` and `raw` (K each); values equal to `floor` get ``floorCode``.
    static func append(model: [Double], raw: [Double], floor: Double, to words: inout [UInt16]) {
        precondition(model.count == raw.count, "\(model.count) model and \(raw.count) raw quantiles")
        let middle = model.isEmpty ? 0 : Float(model[model.count / 2])
        let anchor = middle.isFinite ? middle : 0
        let a = Double(anchor)
        var spread = 0.0
        for v in model where v.isFinite && v != floor { spread = max(spread, abs(v - a)) }
        for v in raw where v.isFinite && v != floor { spread = max(spread, abs(v - a)) }
        var exponent = 0
        if spread > 0 && spread.isFinite {
            let ratio = spread / largestCode
            exponent = Int(ratio.exponent)
            if ratio.significand > 1 { exponent += 1 }
            exponent = max(exponent, Int(Double.leastNonzeroMagnitude.exponent))
        }
        let unit = Double(sign: .plus, exponent: exponent, significand: 1)
        words.append(UInt16(truncatingIfNeeded: anchor.bitPattern))
        words.append(UInt16(truncatingIfNeeded: anchor.bitPattern >> 16))
        words.append(UInt16(bitPattern: Int16(exponent)))
        // Model code j and raw code j share word j (the model's in the low byte): K words, no odd byte at any K.
        for j in model.indices {
            let low = UInt16(code(model[j], anchor: a, unit: unit, floor: floor))
            let high = UInt16(code(raw[j], anchor: a, unit: unit, floor: floor))
            words.append(low | high << 8)
        }
    }

    @inline(__always)
    private static func code(_ v: Double, anchor a: Double, unit: Double, floor: Double) -> UInt8 {
        if v == floor { return floorCode }
        if v.isNaN { return nanCode }
        if v.isInfinite { return v > 0 ? infinityCode : negativeInfinityCode }
        // The spread of a finite row pair is finite; a pair whose spread overflowed clamps.
        let code = max(-largestCode, min(largestCode, ((v - a) / unit).rounded()))
        return UInt8(bitPattern: Int8(code))
    }

    /// The model and raw rows of the row pair at `start` in `words` (K each), the floor code read as `floor`.
    static func decode(
        _ words: [UInt16], at start: Int, levels k: Int, floor: Float
    ) -> (model: [Double], raw: [Double]) {
        let (anchor, unit) = header(words, at: start)
        let floor = Double(floor)
        @inline(__always) func value(_ code: UInt8) -> Double {
            switch code {
            case floorCode: floor
            case nanCode: .nan
            case infinityCode: .infinity
            case negativeInfinityCode: -.infinity
            default: anchor + Double(Int8(bitPattern: code)) * unit
            }
        }
        var model = [Double](repeating: 0, count: k)
        var raw = [Double](repeating: 0, count: k)
        for j in 0..<k {
            let word = words[start + 3 + j]
            model[j] = value(UInt8(truncatingIfNeeded: word))
            raw[j] = value(UInt8(truncatingIfNeeded: word >> 8))
        }
        return (model, raw)
    }

    /// The anchor and unit of the row pair at `start`: its first three words, the same in both code widths.
    @inline(__always)
    private static func header(_ words: [UInt16], at start: Int) -> (anchor: Double, unit: Double) {
        let anchor = Double(Float(bitPattern: UInt32(words[start]) | UInt32(words[start + 1]) << 16))
        return (anchor, Double(sign: .plus, exponent: Int(Int16(bitPattern: words[start + 2])), significand: 1))
    }

    /// Words of one row pair of `levels` quantiles in the 16-bit codes states were saved with before (stop 30–32).
    @inline(__always)
    static func sixteenBitLength(levels k: Int) -> Int { 3 + 2 * k }

    /// The rows of a row pair at `start` of 16-bit codes as saved before (the same anchor and exponent words, then K
    /// model and K raw codes of a word each; the floor, NaN, +∞ and −∞ at 0x8000…0x8003).
    static func decodeSixteenBit(
        _ words: [UInt16], at start: Int, levels k: Int, floor: Float
    ) -> (model: [Double], raw: [Double]) {
        let (anchor, unit) = header(words, at: start)
        @inline(__always) func value(_ word: UInt16) -> Double {
            switch word {
            case 0x8000: Double(floor)
            case 0x8001: .nan
            case 0x8002: .infinity
            case 0x8003: -.infinity
            default: anchor + Double(Int16(bitPattern: word)) * unit
            }
        }
        let model = (0..<k).map { value(words[start + 3 + $0]) }
        let raw = (0..<k).map { value(words[start + 3 + k + $0]) }
        return (model, raw)
    }
}
