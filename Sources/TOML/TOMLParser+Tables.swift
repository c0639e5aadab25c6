/// A table under construction; it remembers how it was created so the redefinition rules can be enforced.
final class TableBuilder {
    enum Origin {
        /// Created as an intermediate of a header such as `[a.b]` (for `a`); may still be defined later.
        case implicit
        /// Defined by a `[header]` or `[[header]]` (or the root table).
        case header
        /// Created by dotted keys such as `a.b = 1`; only further dotted keys may extend it.
        case dotted
        /// An inline table while its own keys are being parsed.
        case inline
    }

    enum Node {
        case value(TOMLValue)
        case table(TableBuilder)
        case tableArray(TableArrayBuilder)
    }

    struct Slot {
        var node: Node
        var offset: Int
    }

    var origin: Origin
    var offset: Int
    let depth: Int
    var keys: [String] = []
    var slots: [Slot] = []
    /// Maps keys to positions in `keys`/`slots`; `freeze` hands it to the table as is, so nothing is rehashed.
    var index: [ExactKey: Int] = [:]

    init(origin: Origin, offset: Int, depth: Int) {
        self.origin = origin
        self.offset = offset
        self.depth = depth
    }

    func add(_ name: String, _ node: Node, offset: Int) {
        index[ExactKey(name)] = slots.count
        keys.append(name)
        slots.append(Slot(node: node, offset: offset))
    }

    func slot(_ name: String) -> Slot? {
        guard let position = index[ExactKey(name)] else { return nil }
        return slots[position]
    }

    func freeze(_ map: SourceMap) -> TOMLTable {
        var entries: [TOMLTable.Entry] = []
        entries.reserveCapacity(slots.count)
        var line = 0
        let position = map.position(at: offset, lineHint: &line)
        for slot in slots {
            let value: TOMLValue
            switch slot.node {
            case .value(let plain):
                value = plain
            case .table(let builder):
                value = .table(builder.freeze(map))
            case .tableArray(let array):
                var elements: [TOMLValue] = []
                elements.reserveCapacity(array.elements.count)
                for element in array.elements {
                    elements.append(.table(element.freeze(map)))
                }
                value = .array(elements)
            }
            entries.append(TOMLTable.Entry(value: value, position: map.position(at: slot.offset, lineHint: &line)))
        }
        return TOMLTable(keys: keys, entries: entries, index: index, position: position)
    }
}

/// An array created by `[[header]]`s, which later headers may append to (unlike an `a = [...]` array).
final class TableArrayBuilder {
    var elements: [TableBuilder]

    init(first: TableBuilder) {
        elements = [first]
    }
}

extension Parser {
    func makeTable(
        in parent: TableBuilder, origin: TableBuilder.Origin, offset: Int
    ) throws(TOMLSyntaxError)
        -> TableBuilder
    {
        let depth = parent.depth + 1
        guard depth <= maximumDepth else {
            throw error("tables are nested more than \(maximumDepth) levels deep", at: offset)
        }
        return TableBuilder(origin: origin, offset: offset, depth: depth)
    }

    /// Renders the key path up to `count` parts for messages, quoting parts that are not bare keys.
    func describe(_ key: [KeyPart], upTo count: Int) -> String {
        var text = ""
        for part in key.prefix(count) {
            if !text.isEmpty {
                text += "."
            }
            if !part.name.isEmpty && part.name.utf8.allSatisfy(ASCII.isBareKey) {
                text += part.name
            } else {
                text += "\"" + part.name + "\""
            }
        }
        return text
    }

    /// Walks a header's leading parts: tables are entered (and created implicitly), arrays of tables enter
    /// their last element, and anything else cannot hold a sub-table.
    func descendForHeader(
        _ key: [KeyPart], root: TableBuilder, header: Int
    ) throws(TOMLSyntaxError)
        -> TableBuilder
    {
        var table = root
        for (position, part) in key.dropLast().enumerated() {
            if let slot = table.slot(part.name) {
                switch slot.node {
                case .table(let child):
                    table = child
                case .tableArray(let array):
                    guard let last = array.elements.last else {
                        throw error("internal error: empty array of tables", at: part.offset)
                    }
                    table = last
                case .value(let value):
                    throw valueConflict(value, key: describe(key, upTo: position + 1), at: part.offset)
                }
            } else {
                let child = try makeTable(in: table, origin: .implicit, offset: header)
                table.add(part.name, .table(child), offset: header)
                table = child
            }
        }
        return table
    }

    func valueConflict(_ value: TOMLValue, key: String, at offset: Int) -> TOMLSyntaxError {
        if case .table = value {
            return error("'\(key)' is an inline table, which cannot be extended", at: offset)
        }
        if case .array = value {
            return error("'\(key)' is a static array defined with '=', which cannot be extended", at: offset)
        }
        let article = value.typeName.first.map { "aeiou".contains($0) } == true ? "an" : "a"
        return error("'\(key)' is already defined as \(article) \(value.typeName)", at: offset)
    }

    mutating func defineTable(
        _ key: [KeyPart], root: TableBuilder, header: Int
    ) throws(TOMLSyntaxError)
        -> TableBuilder
    {
        let parent = try descendForHeader(key, root: root, header: header)
        let last = key[key.count - 1]
        let name = describe(key, upTo: key.count)
        if let slotIndex = parent.index[ExactKey(last.name)] {
            let slot = parent.slots[slotIndex]
            switch slot.node {
            case .table(let table) where table.origin == .implicit:
                // The first explicit definition is the position worth reporting.
                table.origin = .header
                table.offset = header
                parent.slots[slotIndex].offset = header
                return table
            case .table(let table) where table.origin == .dotted:
                throw error("table '\(name)' was already defined by dotted keys", at: header)
            case .table:
                throw error("table '\(name)' is defined more than once", at: header)
            case .tableArray:
                throw error("'\(name)' is an array of tables, not a table", at: header)
            case .value(let value):
                throw valueConflict(value, key: name, at: header)
            }
        }
        let table = try makeTable(in: parent, origin: .header, offset: header)
        parent.add(last.name, .table(table), offset: header)
        return table
    }

    mutating func appendArrayTable(
        _ key: [KeyPart], root: TableBuilder, header: Int
    ) throws(TOMLSyntaxError)
        -> TableBuilder
    {
        let parent = try descendForHeader(key, root: root, header: header)
        let last = key[key.count - 1]
        let name = describe(key, upTo: key.count)
        let element = try makeTable(in: parent, origin: .header, offset: header)
        if let slot = parent.slot(last.name) {
            switch slot.node {
            case .tableArray(let array):
                array.elements.append(element)
                return element
            case .table:
                throw error("'\(name)' is a table, not an array of tables", at: header)
            case .value(let value):
                throw valueConflict(value, key: name, at: header)
            }
        }
        parent.add(last.name, .tableArray(TableArrayBuilder(first: element)), offset: header)
        return element
    }

    /// Stores `key = value` relative to `table`, creating or entering tables for dotted parts.
    func insert(_ value: TOMLValue, at key: [KeyPart], into table: TableBuilder) throws(TOMLSyntaxError) {
        var current = table
        for (position, part) in key.dropLast().enumerated() {
            if let slot = current.slot(part.name) {
                switch slot.node {
                case .table(let child):
                    switch child.origin {
                    case .dotted:
                        break
                    case .implicit:
                        // Only a header deeper down mentioned it; dotted keys now define it.
                        child.origin = .dotted
                    case .header, .inline:
                        throw error(
                            "table '\(describe(key, upTo: position + 1))' was defined by a header and cannot be "
                                + "extended with dotted keys",
                            at: part.offset
                        )
                    }
                    current = child
                case .tableArray:
                    throw error(
                        "'\(describe(key, upTo: position + 1))' is an array of tables and cannot be extended "
                            + "with dotted keys",
                        at: part.offset
                    )
                case .value(let existing):
                    throw valueConflict(existing, key: describe(key, upTo: position + 1), at: part.offset)
                }
            } else {
                let child = try makeTable(in: current, origin: .dotted, offset: part.offset)
                current.add(part.name, .table(child), offset: part.offset)
                current = child
            }
        }
        let last = key[key.count - 1]
        guard current.index[ExactKey(last.name)] == nil else {
            throw error("key '\(describe(key, upTo: key.count))' is defined more than once", at: last.offset)
        }
        current.add(last.name, .value(value), offset: last.offset)
    }
}
