/// A column of fixed-width numbers as text of their bits' prediction errors, laid out value by value or byte plane by
/// byte plane, whichever deflates smallest: bit-exact (NaN and infinities included), and smaller after the deflate a
/// saved state goes through than ``ScalarPacking``'s plain column. Neighbouring `Double` readings share their sign,
/// exponent and leading mantissa bits: predicting each value's bits from the ones before (the previous value, or the
/// line through the two before) turns a slow drift into zero high bytes, and laid out as planes (every value's lowest
/// byte, then every value's second byte, …) bytes that barely vary form runs. Which of those helps depends on the
/// column: noisy readings gain from planes alone, a bucket's means (their repeating binary fractions) from
/// differences kept value by value. So ``pack(_:)`` deflates each of the six layouts of the first values at zlib's
/// fastest level (``Deflate/gaugedSize(_:)``) and keeps the smallest. A saved context of 262 full-precision readings
/// deflates 12–34 % smaller (the random low mantissa bytes cannot shrink).
///
/// Text: the predictor's order (one digit), the ``Layout``'s letter, then padded base64 of `count · width` bytes: the
/// errors `bits(vᵢ) − predictionᵢ` (wrapping), little-endian, value by value (`i`) or with byte `p` of value `i` at
/// `p · count + i` (`p`). Order 0 predicts 0; order 1 the previous value's bits; order 2
/// `2·bits(vᵢ₋₁) − bits(vᵢ₋₂)`; each falls back to the lower orders for the first values.
public enum DeltaPacking {
    /// The orders there are.
    public static let orders = 0...2

    /// How many of the first values ``pack(_:)`` gauges the layouts on.
    public static let gaugedValues = 128

    /// How the errors' bytes are laid out.
    public enum Layout: Character, CaseIterable, Sendable {
        /// Value by value, each little-endian.
        case interleaved = "i"
        /// Byte plane by byte plane.
        case planes = "p"
    }

    /// A predictor order and a layout.
    public struct Choice: Hashable, Sendable {
        /// The order, stored in a byte so that a ``Memo`` stays a few bytes.
        @usableFromInline let orderByte: UInt8
        /// The layout of the errors' bytes.
        public let layout: Layout
        /// The predictor's order (in ``DeltaPacking/orders``).
        public var order: Int { Int(orderByte) }

        /// The choice of `order` (in ``DeltaPacking/orders``) and `layout`.
        @inlinable
        public init(order: Int, layout: Layout) {
            precondition(orders.contains(order), "DeltaPacking: order \(order)")
            orderByte = UInt8(order)
            self.layout = layout
        }
    }

    /// The text of `values` in the order and layout whose first ``gaugedValues`` deflate smallest (``gauge(_:)``).
    /// Inlinable, as ``ScalarPacking`` is, so that callers get it specialized: generic across the module boundary,
    /// every byte's shift was a witness call (15 % of `engine-bench saves`' samples).
    @inlinable
    public static func pack<Scalar: PackedScalar>(_ values: some Collection<Scalar>) -> String {
        let bits = values.map(\.packedBits)
        return text(bits, choice: gauge(bits))
    }

    /// The order and layout whose errors of the first ``gaugedValues`` values deflate smallest at zlib's fastest level
    /// (the first tried on a tie: order 0 before 1 before 2, interleaved before planes).
    @inlinable
    public static func gauge<Scalar: PackedScalar>(_ values: some Collection<Scalar>) -> Choice {
        gauge(values.map(\.packedBits))
    }

    @inlinable
    static func gauge<Bits: FixedWidthInteger>(_ bits: [Bits]) -> Choice {
        // Gauged on the first values only: on six kinds of column the first 128 of 262 chose as all of them did,
        // at a third of the cost (each gauge is a deflate).
        let sample = Array(bits.prefix(gaugedValues))
        var best = (choice: Choice(order: 0, layout: .interleaved), size: Int.max)
        for order in orders {
            for layout in Layout.allCases {
                let size = Deflate.gaugedSize(errors(sample, order: order, layout: layout))
                if size < best.size { best = (Choice(order: order, layout: layout), size) }
            }
        }
        return best.choice
    }

    /// A column's ``Choice`` kept from one packing to the next and gauged again every ``regaugeInterval`` packings:
    /// what suits a column depends on the kind of readings, which rarely changes between two saves of a stream, while
    /// a gauge costs six deflates (it had doubled zlib's share of `engine-bench saves`). A young stream's context grows
    /// between saves, and a choice gauged on its first few values may not suit it later: a choice is also gauged again
    /// once the column offers the gauge twice the values it was gauged on, so a context filling up is gauged about
    /// log₂ ``gaugedValues`` times, not at every save.
    public struct Memo: Sendable {
        /// How many packings reuse a gauged choice.
        public static let regaugeInterval = 16
        @usableFromInline var choice: Choice?
        @usableFromInline var packedSinceGauge: UInt8 = 0
        /// How many values the kept choice was gauged on.
        @usableFromInline var gaugedOn: UInt16 = 0

        /// A memo with no choice yet: the first packing gauges.
        public init() {}

        /// The text of `values` with the kept choice, gauging first when there is none, it has served
        /// ``regaugeInterval`` packings, or `values` offer the gauge twice the values it was gauged on. Any choice
        /// gives text that unpacks to the same values.
        @inlinable
        public mutating func pack<Scalar: PackedScalar>(_ values: some Collection<Scalar>) -> String {
            let bits = values.map(\.packedBits)
            let offered = Swift.min(bits.count, DeltaPacking.gaugedValues)
            let choice: Choice
            if let kept = self.choice, Int(packedSinceGauge) < Self.regaugeInterval, 2 * Int(gaugedOn) > offered {
                choice = kept
            } else {
                choice = DeltaPacking.gauge(bits)
                self.choice = choice
                packedSinceGauge = 0
                gaugedOn = UInt16(Swift.min(offered, Int(UInt16.max)))
            }
            packedSinceGauge += 1
            return DeltaPacking.text(bits, choice: choice)
        }
    }

    /// The text of `values` with the predictor of `order` (in ``orders``) and `layout`.
    @inlinable
    public static func pack<Scalar: PackedScalar>(
        _ values: some Collection<Scalar>, order: Int, layout: Layout
    ) -> String {
        text(values.map(\.packedBits), choice: Choice(order: order, layout: layout))
    }

    @usableFromInline
    static func text(_ bytes: [UInt8], order: Int, layout: Layout) -> String {
        String(order) + String(layout.rawValue) + ScalarPacking.pack(bytes)
    }

    @inlinable
    static func text<Bits: FixedWidthInteger>(_ bits: [Bits], choice: Choice) -> String {
        text(errors(bits, order: choice.order, layout: choice.layout), order: choice.order, layout: choice.layout)
    }

    /// The values of `text`, or nil when it is not such text of a whole number of them.
    @inlinable
    public static func unpack<Scalar: PackedScalar>(_ text: String, as _: Scalar.Type) -> [Scalar]? {
        let prefix = Array(text.prefix(2))
        guard prefix.count == 2, prefix[0].isASCII, let order = prefix[0].wholeNumberValue, orders.contains(order),
            let layout = Layout(rawValue: prefix[1]),
            let bytes = ScalarPacking.unpack(String(text.dropFirst(2)), as: UInt8.self)
        else { return nil }
        let width = MemoryLayout<Scalar.Bits>.size
        guard bytes.count % width == 0 else { return nil }
        let count = bytes.count / width
        let (valueStride, byteStride) = layout == .planes ? (1, count) : (width, 1)
        var bits: [Scalar.Bits] = []
        bits.reserveCapacity(count)
        for index in 0..<count {
            var error: Scalar.Bits = 0
            for byte in 0..<width {
                error |= Scalar.Bits(bytes[index * valueStride + byte * byteStride]) << (8 * byte)
            }
            bits.append(prediction(bits, index, order: order) &+ error)
        }
        return bits.map(Scalar.init(packedBits:))
    }

    @inlinable @inline(__always)
    static func prediction<Bits: FixedWidthInteger>(_ bits: [Bits], _ index: Int, order: Int) -> Bits {
        switch min(order, index) {
        case 0: 0
        case 1: bits[index - 1]
        default: bits[index - 1] &* 2 &- bits[index - 2]
        }
    }

    @inlinable
    static func errors<Bits: FixedWidthInteger>(_ bits: [Bits], order: Int, layout: Layout) -> [UInt8] {
        let width = MemoryLayout<Bits>.size
        let count = bits.count
        let (valueStride, byteStride) = layout == .planes ? (1, count) : (width, 1)
        var bytes = [UInt8](repeating: 0, count: count * width)
        for index in 0..<count {
            let error = bits[index] &- prediction(bits, index, order: order)
            for byte in 0..<width {
                bytes[index * valueStride + byte * byteStride] = UInt8(truncatingIfNeeded: error >> (8 * byte))
            }
        }
        return bytes
    }
}
