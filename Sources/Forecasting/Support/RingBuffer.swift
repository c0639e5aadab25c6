import Formats

/// A first-in first-out buffer of at most `capacity` elements; appending to a full buffer evicts the oldest.
///
/// Storage doubles as elements arrive, up to `capacity` and never past it, and is then reused, so a steady-state
/// `append` allocates nothing and a buffer that holds a few elements allocates for a few. A decoded buffer holds
/// exactly its elements and grows only as elements are appended.
/// Elements are iterated oldest first. The encoded form is `{capacity, elements}` in that order, so two
/// buffers with the same contents encode identically whatever their internal rotation.
public struct RingBuffer<Element>: Sendable where Element: Sendable {
    /// The most elements the buffer holds.
    public let capacity: Int
    private var storage: [Element]
    /// Index in `storage` of the oldest element once the buffer is full.
    private var head: Int

    /// Creates an empty buffer; traps if `capacity < 1` (a programmer error).
    public init(capacity: Int) {
        precondition(capacity >= 1, "RingBuffer capacity must be at least 1, got \(capacity)")
        self.capacity = capacity
        self.storage = []
        self.head = 0
    }

    /// The number of elements held, at most `capacity`.
    public var count: Int { storage.count }

    /// Whether the buffer holds `capacity` elements.
    public var isFull: Bool { storage.count == capacity }

    /// Appends `element`, returning the evicted oldest element when the buffer was full.
    /// - Complexity: O(1); allocates only while the buffer first grows to `capacity`.
    @discardableResult
    public mutating func append(_ element: Element) -> Element? {
        if storage.count < capacity {
            storage.append(element, growingUpTo: capacity)
            return nil
        }
        let evicted = storage[head]
        storage[head] = element
        head += 1
        if head == capacity { head = 0 }
        return evicted
    }

    /// Removes every element, keeping the allocated storage.
    public mutating func removeAll() {
        storage.removeAll(keepingCapacity: true)
        head = 0
    }

    /// The `i`-th oldest element (0 is the oldest); traps when out of range.
    public subscript(i: Int) -> Element {
        precondition(i >= 0 && i < storage.count, "RingBuffer index \(i) out of range 0..<\(storage.count)")
        let j = i + head
        return storage[j < capacity ? j : j - capacity]
    }

    /// A buffer of `capacity` holding `elements` (oldest first, at most `capacity` of them, a programmer error
    /// otherwise); allocates only what the elements need, so a capacity read from a saved state is not reserved.
    public init(capacity: Int, elements: [Element]) {
        precondition(elements.count <= capacity, "\(elements.count) elements for capacity \(capacity)")
        self.init(capacity: capacity)
        storage = elements
    }

    /// The newest element, or nil when empty.
    public var last: Element? { storage.isEmpty ? nil : self[storage.count - 1] }

    /// Elements the storage has room for (at most about `capacity`, whatever has been appended).
    var allocatedCapacity: Int { storage.capacity }
}

extension RingBuffer: RandomAccessCollection {
    public var startIndex: Int { 0 }
    public var endIndex: Int { storage.count }
}

extension RingBuffer: Equatable where Element: Equatable {
    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.capacity == rhs.capacity && lhs.elementsEqual(rhs)
    }
}

extension RingBuffer: Codable where Element: Codable {
    private enum CodingKeys: String, CodingKey { case capacity, elements }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let capacity = try container.decode(Int.self, forKey: .capacity)
        let elements: [Element]
        if let packed = Element.self as? any PackedScalar.Type,
            let text = try? container.decode(String.self, forKey: .elements)
        {
            // Packed by `encode(to:)`; a list of numbers (states saved before packing) is read below.
            guard let values = Self.unpack(text, as: packed) else {
                throw DecodingError.dataCorruptedError(
                    forKey: .elements, in: container,
                    debugDescription: "RingBuffer elements are not packed \(Element.self)")
            }
            elements = values
        } else {
            elements = try container.decode([Element].self, forKey: .elements)
        }
        guard capacity >= 1, elements.count <= capacity else {
            throw DecodingError.dataCorruptedError(
                forKey: .elements, in: container,
                debugDescription: "RingBuffer holds \(elements.count) elements for capacity \(capacity)")
        }
        // The decoded elements become the storage as they are: reserving the saved capacity would allocate
        // whatever a damaged state claims before its owner can check it against its configuration.
        self.capacity = capacity
        self.storage = elements
        self.head = 0
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(capacity, forKey: .capacity)
        if let packed = Self.pack(self) {
            try container.encode(packed, forKey: .elements)
        } else {
            try container.encode(Array(self), forKey: .elements)
        }
    }

    /// The elements as ``ScalarPacking`` text when they are ``PackedScalar``s.
    private static func pack(_ buffer: Self) -> String? {
        func packing<Scalar: PackedScalar>(_: Scalar.Type) -> String? {
            (Array(buffer) as? [Scalar]).map { ScalarPacking.pack($0) }
        }
        guard let scalar = Element.self as? any PackedScalar.Type else { return nil }
        return packing(scalar)
    }

    private static func unpack(_ text: String, as scalar: any PackedScalar.Type) -> [Element]? {
        func unpacking<Scalar: PackedScalar>(_ type: Scalar.Type) -> [Element]? {
            ScalarPacking.unpack(text, as: type) as? [Element]
        }
        return unpacking(scalar)
    }
}
