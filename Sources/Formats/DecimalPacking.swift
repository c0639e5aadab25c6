/// A column of `Double`s that are all short decimals (what sensors publish as text: `21.37`, `1013`, `0.004`) as the
/// integers they are at the fewest decimal places, saved as zigzag varints of their differences: bit-exact, and
/// about a fifth of ``ScalarPacking``'s text for a smooth sensor (a stream's context of 262 readings at two places:
/// about 0.5 KB of text instead of 2.8). NaN (a missing step) has a code of its own.
///
/// Text: the number of places (one digit, 0–9), then padded base64 of the varints. Entry `0` is NaN; entry
/// `zigzag(m − previous) + 1` is the value `m / 10^places`, `previous` the last value's integer (0 at first).
public enum DecimalPacking {
    /// Integers beyond 2⁵³ are not all `Double`s.
    private static let largestInteger = 9_007_199_254_740_992.0

    /// The text of `values`, or nil when one of them is not a decimal of at most nine places that `m / 10^places`
    /// gives back bit for bit (−0, infinities, most computed values), or its integer exceeds 2⁵³.
    public static func pack(_ values: [Double]) -> String? {
        guard let places = fewestPlaces(values) else { return nil }
        let scale = power(of: places)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(values.count * 2)
        var previous: Int64 = 0
        for value in values {
            guard !value.isNaN, let m = integer(value, scale: scale) else {
                bytes.append(0)
                continue
            }
            // Both within ±2⁵³, so the difference and its zigzag fit.
            let difference = m - previous
            var entry = UInt64(bitPattern: (difference << 1) ^ (difference >> 63)) + 1
            while entry >= 0x80 {
                bytes.append(UInt8(truncatingIfNeeded: entry) | 0x80)
                entry >>= 7
            }
            bytes.append(UInt8(entry))
            previous = m
        }
        return String(places) + ScalarPacking.pack(bytes)
    }

    /// The values of `text`, or nil when it is not such text.
    public static func unpack(_ text: String) -> [Double]? {
        guard let first = text.utf8.first, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first),
            let bytes = ScalarPacking.unpack(String(text.dropFirst()), as: UInt8.self)
        else { return nil }
        let scale = power(of: Int(first - UInt8(ascii: "0")))
        var values: [Double] = []
        values.reserveCapacity(bytes.count)
        var previous: Int64 = 0
        var index = 0
        while index < bytes.count {
            var entry: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                guard index < bytes.count, shift < 64 else { return nil }
                let byte = bytes[index]
                index += 1
                entry |= UInt64(byte & 0x7F) << shift
                shift += 7
                if byte < 0x80 { break }
            }
            if entry == 0 {
                values.append(.nan)
                continue
            }
            let zigzag = entry - 1
            let difference = Int64(bitPattern: zigzag >> 1) ^ -Int64(bitPattern: zigzag & 1)
            let (m, overflow) = previous.addingReportingOverflow(difference)
            guard !overflow, Double(m.magnitude) <= largestInteger else { return nil }
            values.append(Double(m) / scale)
            previous = m
        }
        return values
    }

    /// The fewest places, up to nine, at which every one of `values` is a decimal whose integer's magnitude is at most
    /// `largest` (NaN counts as one), or nil.
    public static func fewestPlaces(_ values: [Double], largest: Int64 = 1 << 53) -> Int? {
        (0...9).first { places in
            let scale = power(of: places)
            return values.allSatisfy { integer($0, scale: scale).map { $0.magnitude <= largest.magnitude } ?? false }
        }
    }

    /// `value`'s integer at `scale` = 10^places (`value = m / scale` bit for bit, as ``unpack(_:)`` computes it; −0
    /// has none), 0 for NaN (which has a code of its own), or nil.
    public static func integer(_ value: Double, scale: Double) -> Int64? {
        if value.isNaN { return 0 }
        let rounded = (value * scale).rounded()
        guard rounded.isFinite, abs(rounded) <= largestInteger else { return nil }
        let m = Int64(rounded)
        return (Double(m) / scale).bitPattern == value.bitPattern ? m : nil
    }

    /// 10^places, exact as a `Double` for places ≤ 22.
    public static func power(of places: Int) -> Double {
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        return scale
    }
}
