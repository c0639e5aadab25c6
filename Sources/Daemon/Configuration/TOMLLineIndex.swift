/// Maps TOML key paths to the source lines that define them.
///
/// TOMLKit 0.6.0 reports positions only for syntax errors, so semantic problems would have no line. This index scans
/// the text for table headers (`[a.b]`, `[[rules]]`, counted so the n-th is `rules[n-1]`) and `key =` lines, which is
/// enough for the files barnnd documents. A key it cannot place (inside an inline table, say) gets the line of its
/// nearest enclosing key or table.
struct TOMLLineIndex: Sendable {
    private var lines: [String: Int] = [:]

    init(source: String) {
        var current = ""
        var arrayCounts: [String: Int] = [:]
        var openMultilineQuote: Substring?
        for (offset, rawLine) in source.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let number = offset + 1
            if let quote = openMultilineQuote {
                if Self.occurrences(of: quote, in: rawLine) % 2 == 1 { openMultilineQuote = nil }
                continue
            }
            let line = rawLine.trimmingWhitespace()
            if line.hasPrefix("[[") {
                guard let end = line.ranges(of: "]]").first else { continue }
                let keys = Self.keys(line[line.index(line.startIndex, offsetBy: 2)..<end.lowerBound])
                let parent = Self.resolve(keys.dropLast(), arrayCounts: arrayCounts)
                let arrayPath = Self.join(parent, keys.last ?? "")
                let count = arrayCounts[arrayPath, default: 0]
                arrayCounts[arrayPath] = count + 1
                current = arrayPath + "[\(count)]"
                record(current, number)
                record(arrayPath, number)
            } else if line.hasPrefix("[") {
                guard let end = line.firstIndex(of: "]") else { continue }
                current = Self.resolve(
                    Self.keys(line[line.index(after: line.startIndex)..<end])[...], arrayCounts: arrayCounts)
                record(current, number)
            } else if let equals = Self.firstUnquoted("=", in: line), !line.hasPrefix("#") {
                let keys = Self.keys(line[..<equals])
                guard !keys.isEmpty, !keys.contains(where: \.isEmpty) else { continue }
                record(keys.reduce(current, Self.join), number)
                let value = line[line.index(after: equals)...]
                for quote in ["\"\"\"", "'''"] where Self.occurrences(of: Substring(quote), in: value) % 2 == 1 {
                    openMultilineQuote = Substring(quote)
                }
            }
        }
    }

    /// The line of `keyPath` (`rules[1].payload.format`), or of its nearest recorded ancestor.
    func line(for keyPath: String) -> Int? {
        var path = Substring(keyPath)
        while !path.isEmpty {
            if let line = lines[String(path)] { return line }
            if path.hasSuffix("]"), let open = path.lastIndex(of: "[") {
                path = path[..<open]
            } else if let dot = path.lastIndex(of: ".") {
                path = path[..<dot]
            } else {
                return nil
            }
        }
        return nil
    }

    private mutating func record(_ path: String, _ line: Int) {
        if lines[path] == nil { lines[path] = line }
    }

    private static func join(_ prefix: String, _ key: String) -> String {
        prefix.isEmpty ? key : prefix + "." + key
    }

    /// Resolves header keys, turning each array-of-tables prefix into its latest element (`rules` → `rules[2]`).
    private static func resolve(_ keys: ArraySlice<String>, arrayCounts: [String: Int]) -> String {
        var path = ""
        for key in keys {
            path = join(path, key)
            if let count = arrayCounts[path] { path += "[\(count - 1)]" }
        }
        return path
    }

    /// Splits a dotted key (`a."b.c".d`) into unquoted parts.
    private static func keys(_ text: Substring) -> [String] {
        var parts: [String] = []
        var part = ""
        var quote: Character?
        for character in text {
            if let open = quote {
                if character == open { quote = nil } else { part.append(character) }
            } else if character == "\"" || character == "'" {
                quote = character
            } else if character == "." {
                parts.append(String(part.trimmingWhitespace()))
                part = ""
            } else {
                part.append(character)
            }
        }
        parts.append(String(part.trimmingWhitespace()))
        return parts
    }

    private static func firstUnquoted(_ target: Character, in text: Substring) -> Substring.Index? {
        var quote: Character?
        for index in text.indices {
            let character = text[index]
            if let open = quote {
                if character == open { quote = nil }
            } else if character == "\"" || character == "'" {
                quote = character
            } else if character == target {
                return index
            }
        }
        return nil
    }

    private static func occurrences(of needle: Substring, in text: Substring) -> Int {
        text.ranges(of: needle).count
    }
}
