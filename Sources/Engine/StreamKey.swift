/// A stream id compared, hashed and ordered by its UTF-8 bytes.
///
/// Swift's `String` equality and hashing follow canonical equivalence, so as `[String: X]` keys `caf\u{e9}` and
/// `cafe\u{301}` would be one stream although MQTT (and the Store's `streams.name`) see two different topics.
struct StreamKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The stream id as received.
    let id: String

    init(_ id: String) {
        var id = id
        // Native contiguous storage makes every later comparison and hash a plain byte scan.
        id.makeContiguousUTF8()
        self.id = id
    }

    var description: String { id }

    static func == (lhs: StreamKey, rhs: StreamKey) -> Bool {
        lhs.id.utf8.elementsEqual(rhs.id.utf8)
    }

    static func < (lhs: StreamKey, rhs: StreamKey) -> Bool {
        lhs.id.utf8.lexicographicallyPrecedes(rhs.id.utf8)
    }

    func hash(into hasher: inout Hasher) {
        var id = id
        id.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
        hasher.combine(id.utf8.count)
    }
}

/// Stream ids to values, keyed bytewise (``StreamKey``) but read and written with plain `String` ids.
struct StreamTable<Value> {
    private var storage: [StreamKey: Value] = [:]

    subscript(id: String) -> Value? {
        get { storage[StreamKey(id)] }
        set { storage[StreamKey(id)] = newValue }
    }

    /// The values, in no particular order.
    var values: Dictionary<StreamKey, Value>.Values { storage.values }
    /// The ids in bytewise order, so that iteration does not depend on hashing or on canonical equivalence.
    var sortedIDs: [String] { storage.keys.sorted().map(\.id) }
    var count: Int { storage.count }
    var isEmpty: Bool { storage.isEmpty }

    subscript(key: StreamKey) -> Value? {
        get { storage[key] }
        set { storage[key] = newValue }
    }

    @discardableResult
    mutating func removeValue(forKey id: String) -> Value? {
        storage.removeValue(forKey: StreamKey(id))
    }
}

extension String {
    /// Bytewise order of stream ids (Swift's `<` on `String` orders by canonical equivalence).
    func precedesBytewise(_ other: String) -> Bool {
        utf8.lexicographicallyPrecedes(other.utf8)
    }

    /// Whether two ids are the same bytes (Swift's `==` on `String` is canonical equivalence).
    func equalsBytewise(_ other: String) -> Bool {
        utf8.elementsEqual(other.utf8)
    }
}
