/// One step of an issued forecast, its model row and its raw (calibrated, unrearranged) row of K quantiles each, as
/// `3 + 2K` 16-bit words instead of `2K` `Float`s: 34 bytes instead of 56 at K 7, so a stream's pending rows take
/// 2.7 KB instead of 4.4 at H 12 (65 KB instead of 119 at H 48, K 13), and a saved state 2 KB less.
///
/// Layout: the anchor `a` (the model's middle quantile as a `Float`, two words), the exponent `e` of the unit
/// `u = 2ᵉ` (one word), then K model and K raw codes. A code `c` stands for `a + c·u`, with `u` the smallest power of
/// two that puts the row pair's farthest value from `a` within ±32,764 units, so a value is within `u/2` of what
/// was issued: at most 3·10⁻⁵ of the rows' half-range. The calibrator compares outcomes with these rows (hits, and
/// scores in units of the width); the Monte Carlo error of a quantile from 256 paths is about a thousand times
/// larger.
///
/// Exact where an outcome can land *on* a quantile, which the hit indicators count apart (see
/// ``ConformalCalibrator/hit(outcome:quantile:level:)``): ``floorCode`` stands for the stream's floor (a count at
/// 0 all night meets quantiles raised to 0), and since `u` is a power of two every value on its grid comes back
/// exactly: the anchor (a kept median), and integers whenever the rows span less than 32,764 (counts). Non-finite
/// values have codes of their own, so the calibrator refuses them as before.
enum RowPairCodes {
    /// The code that stands for the floor.
    static let floorCode: UInt16 = 0x8000
    /// The codes of NaN, +∞ and −∞.
    static let nanCode: UInt16 = 0x8001
    static let infinityCode: UInt16 = 0x8002
    static let negativeInfinityCode: UInt16 = 0x8003
    /// The largest code magnitude of a finite value (the four codes above lie below its negative).
    private static let largestCode = 32_764.0

    /// Words of one row pair of `levels` quantiles.
    @inline(__always)
    static func length(levels k: Int) -> Int { 3 + 2 * k }

    /// Appends the codes of `model` and `raw` (K each); values equal to `floor` get ``floorCode``.
    static func append(model: [Double], raw: [Double], floor: Double, to words: inout [UInt16]) {
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
        // Two calls, not a loop over `[model, raw]`: that array was an allocation per step of every issue.
        appendCodes(model, anchor: a, unit: unit, floor: floor, to: &words)
        appendCodes(raw, anchor: a, unit: unit, floor: floor, to: &words)
    }

    private static func appendCodes(
        _ row: [Double], anchor a: Double, unit: Double, floor: Double, to words: inout [UInt16]
    ) {
        for v in row {
            if v == floor {
                words.append(floorCode)
            } else if v.isNaN {
                words.append(nanCode)
            } else if v.isInfinite {
                words.append(v > 0 ? infinityCode : negativeInfinityCode)
            } else {
                // The spread of a finite row pair is finite; a pair whose spread overflowed clamps.
                let code = max(-largestCode, min(largestCode, ((v - a) / unit).rounded()))
                words.append(UInt16(bitPattern: Int16(code)))
            }
        }
    }

    /// The model and raw rows of the row pair at `start` in `words` (K each), the floor code read as `floor`.
    static func decode(
        _ words: [UInt16], at start: Int, levels k: Int, floor: Float
    ) -> (model: [Double], raw: [Double]) {
        let anchor = Double(Float(bitPattern: UInt32(words[start]) | UInt32(words[start + 1]) << 16))
        let unit = Double(sign: .plus, exponent: Int(Int16(bitPattern: words[start + 2])), significand: 1)
        let floor = Double(floor)
        @inline(__always) func value(_ word: UInt16) -> Double {
            switch word {
            case floorCode: floor
            case nanCode: .nan
            case infinityCode: .infinity
            case negativeInfinityCode: -.infinity
            default: anchor + Double(Int16(bitPattern: word)) * unit
            }
        }
        var model = [Double](repeating: 0, count: k)
        var raw = [Double](repeating: 0, count: k)
        for j in 0..<k {
            model[j] = value(words[start + 3 + j])
            raw[j] = value(words[start + 3 + k + j])
        }
        return (model, raw)
    }
}
