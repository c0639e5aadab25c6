// Keys compare by their exact UTF-8 bytes: TOML does not normalise keys, while Swift's `String` equality
// would treat NFC and NFD spellings as one key and silently merge or reject distinct entries.

/// A TOML table: keys in definition order, each with the source position that defined it.
public struct TOMLTable: Sendable, Equatable, Sequence {
    struct Entry: Sendable {
        var value: TOMLValue
        var position: TOMLPosition?
    }

    /// The keys in definition order.
    public private(set) var keys: [String] = []
    /// Parallel to `keys`; the order is the document's, the index makes lookups constant time.
    private var entries: [Entry] = []
    private var index: [ExactKey: Int] = [:]
    /// Where the table itself was defined: its `[header]`, `[[header]]`, `{`, or first dotted key; nil if built in code.
    public var position: TOMLPosition?

    /// Creates an empty table, for example to hold defaults.
    public init() {}

    init(keys: [String], entries: [Entry], index: [ExactKey: Int], position: TOMLPosition?) {
        self.keys = keys
        self.entries = entries
        self.index = index
        self.position = position
    }

    /// The number of keys.
    public var count: Int { keys.count }
    /// Whether the table has no keys.
    public var isEmpty: Bool { keys.isEmpty }

    /// The value for `key`; setting nil removes the key, setting a new key appends it without a position.
    public subscript(key: String) -> TOMLValue? {
        get {
            guard let position = index[ExactKey(key)] else { return nil }
            return entries[position].value
        }
        set {
            let exact = ExactKey(key)
            if let newValue {
                if let position = index[exact] {
                    entries[position].value = newValue
                } else {
                    index[exact] = entries.count
                    keys.append(key)
                    entries.append(Entry(value: newValue, position: nil))
                }
            } else if let position = index.removeValue(forKey: exact) {
                keys.remove(at: position)
                entries.remove(at: position)
                for later in keys[position...] {
                    index[ExactKey(later)]? -= 1
                }
            }
        }
    }

    /// The value at a dotted path of keys, descending through nested tables.
    public subscript(path path: [String]) -> TOMLValue? {
        var table = self
        for (offset, key) in path.enumerated() {
            guard let value = table[key] else { return nil }
            if offset == path.count - 1 { return value }
            guard case .table(let next) = value else { return nil }
            table = next
        }
        return nil
    }

    /// Where `key` was defined: the key itself for `key = value` and dotted keys, the header for tables.
    public func position(of key: String) -> TOMLPosition? {
        guard let position = index[ExactKey(key)] else { return nil }
        return entries[position].position
    }

    /// Iterates `(key, value)` pairs in definition order.
    public func makeIterator() -> Iterator {
        Iterator(table: self)
    }

    /// Iterates a table's entries in definition order.
    public struct Iterator: IteratorProtocol {
        let table: TOMLTable
        var index = 0

        /// The next `(key, value)` pair.
        public mutating func next() -> (key: String, value: TOMLValue)? {
            guard index < table.keys.count else { return nil }
            defer { index += 1 }
            return (table.keys[index], table.entries[index].value)
        }
    }

    /// Tables are equal when they hold the same keys with equal values; key order and positions are ignored.
    public static func == (lhs: TOMLTable, rhs: TOMLTable) -> Bool {
        guard lhs.entries.count == rhs.entries.count else { return false }
        for (key, entry) in zip(lhs.keys, lhs.entries) {
            guard let position = rhs.index[ExactKey(key)], rhs.entries[position].value == entry.value else {
                return false
            }
        }
        return true
    }
}

/// A dictionary key that hashes and compares UTF-8 bytes, so distinct TOML keys never collide.
struct ExactKey: Hashable, Sendable {
    let string: String

    init(_ string: String) {
        self.string = string
    }

    static func == (lhs: ExactKey, rhs: ExactKey) -> Bool {
        lhs.string.utf8.elementsEqual(rhs.string.utf8)
    }

    func hash(into hasher: inout Hasher) {
        let hashed: Void? = string.utf8.withContiguousStorageIfAvailable { buffer in
            hasher.combine(bytes: UnsafeRawBufferPointer(buffer))
        }
        if hashed == nil {
            // Hash exactly the same bytes the contiguous path would, so equal keys always hash equally.
            Array(string.utf8).withUnsafeBytes { hasher.combine(bytes: $0) }
        }
    }
}
