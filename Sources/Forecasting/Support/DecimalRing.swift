import Formats

/// A first-in first-out ring of `Double`s (NaN for a missing step) that holds them as 16- or 32-bit integers at a
/// shared number of decimal places while every value is such a decimal, which readings published as text are
/// (`21.37`, `1013`): a quarter or half the memory of the `Double`s (1.5 or 1 KB less a stream at a 262-step
/// context), and every value reads back bit for bit.
///
/// A value is held as the integer `m` with `m / 10^places == value` bit for bit (``DecimalPacking``'s test), in 16
/// bits while every `m` held fits (a temperature of two decimals, a count below 32,767), else in 32. A value that
/// needs more places rescales the integers held (the same rational, so the same `Double` back) while they still
/// fit; one that fits no places up to nine, or no 32-bit integer (computed values such as a bucket's mean, −0,
/// infinities), turns the ring into `Double`s. A whole ring after the values last needed a wider form, they are
/// tried in the narrower one again.
public struct DecimalRing: Sendable {
    /// The most values held.
    public let capacity: Int
    /// The values as integers at `places` decimals, `Int16.min` for NaN, while ``holdsDoubles`` and ``holdsWide``
    /// are false.
    private var narrow: [Int16] = []
    /// The values as integers at `places` decimals, `Int32.min` for NaN, while ``holdsWide`` is true.
    private var codes: [Int32] = []
    /// The values themselves, while ``holdsDoubles`` is true.
    private var doubles: [Double] = []
    /// Index of the oldest value once the ring is full.
    private var head = 0
    private var places = 0
    /// 10^places.
    private var scale = 1.0
    /// Whether the values are held as `Double`s.
    private(set) var holdsDoubles = false
    /// Whether the integers are held in 32 bits (`codes`) rather than 16 (`narrow`).
    private(set) var holdsWide = false
    /// Values appended after the last that was found not to be a decimal (or since the values were last tried).
    private var appendedAsDoubles = 0
    /// Values appended, while the integers are held in 32 bits, after the last that needed them (or the last rescale):
    /// once a whole ring, every integer held fits 16 bits.
    private var appendedNarrow = 0

    private static let missing = Int32.min
    private static let narrowMissing = Int16.min
    private static let mostPlaces = 9

    /// An empty ring; traps if `capacity < 1` (a programmer error).
    public init(capacity: Int) {
        precondition(capacity >= 1, "DecimalRing capacity must be at least 1, got \(capacity)")
        self.capacity = capacity
    }

    /// The number of values held, at most `capacity`.
    public var count: Int { holdsDoubles ? doubles.count : holdsWide ? codes.count : narrow.count }

    /// Whether the ring holds `capacity` values.
    public var isFull: Bool { count == capacity }

    /// Appends `value`, evicting the oldest when full.
    /// - Complexity: O(1) amortised; O(count) when a value needs more places or the representation changes, which
    ///   happens at most a few times a ring.
    public mutating func append(_ value: Double) {
        if !holdsDoubles {
            if let code = code(value) ?? rescaled(toFit: value) {
                storeCode(code)
                return
            }
            let values = Array(self)
            holdsDoubles = true
            doubles = values
            codes = []
            narrow = []
            holdsWide = false
            head = 0
            // Counted from the next value: `capacity` values later, this one has been evicted.
            appendedAsDoubles = -1
        }
        Self.store(value, in: &doubles, head: &head, capacity: capacity)
        appendedAsDoubles += 1
        if appendedAsDoubles >= capacity {
            appendedAsDoubles = 0
            returnToDecimals()
        }
    }

    /// Stores an integer in the form held, widening the ring to 32 bits for one that needs them and narrowing it
    /// again a whole ring after the last that did.
    private mutating func storeCode(_ code: Int32) {
        let narrowCode = Self.narrowCode(code)
        if !holdsWide {
            if let narrowCode {
                Self.store(narrowCode, in: &narrow, head: &head, capacity: capacity)
                return
            }
            widen()
        }
        Self.store(code, in: &codes, head: &head, capacity: capacity)
        appendedNarrow = narrowCode == nil ? 0 : appendedNarrow + 1
        if appendedNarrow >= capacity {
            // Every integer held was appended since the last that needed 32 bits, at the places held now.
            appendedNarrow = 0
            let narrowed = codes.compactMap(Self.narrowCode)
            guard narrowed.count == codes.count else { return }
            narrow = narrowed
            codes = []
            holdsWide = false
        }
    }

    /// Moves the 16-bit integers into 32 bits, in place (the same slots, the same head).
    private mutating func widen() {
        codes = narrow.map(Self.wideCode)
        codes.reserveCapacity(Swift.min(capacity, narrow.capacity))
        narrow = []
        holdsWide = true
    }

    /// `code` in 16 bits, or nil when it needs more.
    private static func narrowCode(_ code: Int32) -> Int16? {
        if code == missing { return narrowMissing }
        return code.magnitude <= Int16.max.magnitude ? Int16(code) : nil
    }

    /// A 16-bit integer in 32 bits.
    private static func wideCode(_ code: Int16) -> Int32 { code == narrowMissing ? missing : Int32(code) }

    private static func store<Element>(
        _ element: Element, in storage: inout [Element], head: inout Int, capacity: Int
    ) {
        if storage.count < capacity {
            storage.append(element, growingUpTo: capacity)
        } else {
            storage[head] = element
            head += 1
            if head == capacity { head = 0 }
        }
    }

    /// `value`'s integer at the current places, or nil when it has none that fits.
    private func code(_ value: Double) -> Int32? { Self.code(value, scale: scale) }

    /// `value`'s integer at `scale` = 10^places (``missing`` for NaN), or nil when it has none within ±(2³¹ − 1).
    private static func code(_ value: Double, scale: Double) -> Int32? {
        if value.isNaN { return missing }
        guard let m = DecimalPacking.integer(value, scale: scale), m.magnitude <= Int32.max.magnitude else {
            return nil
        }
        return Int32(m)
    }

    /// Raises the places to the fewest at which `value` has an integer and the integers held still fit, rescaling
    /// them, and returns `value`'s; nil (nothing changed) when there are none.
    private mutating func rescaled(toFit value: Double) -> Int32? {
        guard places < Self.mostPlaces else { return nil }
        let largest =
            holdsWide
            ? codes.lazy.filter { $0 != Self.missing }.map(\.magnitude).max() ?? 0
            : UInt32(narrow.lazy.filter { $0 != Self.narrowMissing }.map(\.magnitude).max() ?? 0)
        var factor: Int64 = 1
        for candidate in (places + 1)...Self.mostPlaces {
            factor *= 10
            guard Int64(largest) * factor <= Int64(Int32.max) else { return nil }
            let candidateScale = DecimalPacking.power(of: candidate)
            guard let m = Self.code(value, scale: candidateScale) else { continue }
            // m·f / 10^(p+k) is the same rational as m / 10^p, so each value reads back as the same `Double`.
            if !holdsWide && Int64(largest) * factor <= Int64(Int16.max) {
                for index in narrow.indices where narrow[index] != Self.narrowMissing {
                    narrow[index] = Int16(Int64(narrow[index]) * factor)
                }
            } else {
                if !holdsWide { widen() }
                for index in codes.indices where codes[index] != Self.missing {
                    codes[index] = Int32(Int64(codes[index]) * factor)
                }
                // The integers held grew: a whole ring must pass before they are known to fit 16 bits again.
                appendedNarrow = -1
            }
            places = candidate
            scale = candidateScale
            return m
        }
        return nil
    }

    /// Holds the values as integers again when they all are decimals at some places up to nine.
    private mutating func returnToDecimals() {
        let values = Array(self)
        guard let fewest = DecimalPacking.fewestPlaces(values, largest: Int64(Int32.max)) else { return }
        let fewestScale = DecimalPacking.power(of: fewest)
        let decimals = values.compactMap { Self.code($0, scale: fewestScale) }
        guard decimals.count == values.count else { return }
        let narrowDecimals = decimals.compactMap(Self.narrowCode)
        if narrowDecimals.count == decimals.count {
            narrow = narrowDecimals
            holdsWide = false
        } else {
            codes = decimals
            holdsWide = true
            appendedNarrow = 0
        }
        doubles = []
        head = 0
        places = fewest
        scale = fewestScale
        holdsDoubles = false
    }

    /// Bytes the ring has allocated for its values, for memory accounting.
    var allocatedBytes: Int { narrow.capacity * 2 + codes.capacity * 4 + doubles.capacity * 8 }
}

extension DecimalRing: RandomAccessCollection {
    public var startIndex: Int { 0 }
    public var endIndex: Int { count }

    /// The `i`-th oldest value (0 is the oldest); traps when out of range.
    public subscript(i: Int) -> Double {
        precondition(i >= 0 && i < count, "DecimalRing index \(i) out of range 0..<\(count)")
        let j = i + head < capacity ? i + head : i + head - capacity
        if holdsDoubles { return doubles[j] }
        if !holdsWide {
            let code = narrow[j]
            return code == Self.narrowMissing ? .nan : Double(code) / scale
        }
        let code = codes[j]
        return code == Self.missing ? .nan : Double(code) / scale
    }
}
