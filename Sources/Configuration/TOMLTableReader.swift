import Formats
import TOML

/// Reads typed values out of one TOML table, remembering which keys were asked for so the rest can be reported as
/// unknown, and collecting every problem instead of stopping at the first.
///
/// It knows no key names; `DaemonConfiguration+TOML.swift` does.
final class TOMLTableReader {
    /// Problems and key lines shared by every reader of one document.
    final class Problems {
        var list: [ConfigurationError.Problem] = []
        /// The line of every key path a reader visited, so problems found later by `validate()` can be located.
        private var lines: [String: Int] = [:]

        func record(_ keyPath: String, line: Int?) {
            if let line, lines[keyPath] == nil { lines[keyPath] = line }
        }

        /// The line of `keyPath` (`rules[1].payload.format`), or of its nearest visited ancestor: a problem about a
        /// key that is absent belongs to the table that lacks it.
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
    }

    let path: String
    private let table: TOMLTable
    private let problems: Problems
    private var known: [String] = []

    init(_ table: TOMLTable, path: String, problems: Problems) {
        self.table = table
        self.path = path
        self.problems = problems
        if !path.isEmpty { problems.record(path, line: table.position?.line) }
    }

    func keyPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// The line that defines `key`, or this table's header when `key` is absent (a missing required key).
    private func line(of key: String?) -> Int? {
        key.flatMap { table.position(of: $0)?.line } ?? table.position?.line ?? problems.line(for: path)
    }

    func report(_ code: ConfigurationError.Problem.Code, _ key: String?, _ message: String, line: Int? = nil) {
        problems.list.append(.init(code, key.map(keyPath) ?? path, message, line: line ?? self.line(of: key)))
    }

    /// The raw value, marking the key as known.
    func value(_ key: String, required: Bool = false) -> TOMLValue? {
        known.append(key)
        let value = table[key]
        if value == nil && required { report(.missingKey, key, "is required") }
        problems.record(keyPath(key), line: table.position(of: key)?.line)
        return value
    }

    /// Reads a value through `convert`, which returns `nil` to report a type mismatch against `expected`.
    func read<T>(
        _ key: String, into target: inout T, required: Bool = false, expected: String,
        _ convert: (TOMLValue) -> T?
    ) {
        guard let value = value(key, required: required) else { return }
        if let converted = convert(value) {
            target = converted
        } else {
            report(.wrongType, key, "expected \(expected), found \(value.typeName)")
        }
    }

    func read(_ key: String, into target: inout String, required: Bool = false) {
        read(key, into: &target, required: required, expected: "a string") { $0.stringValue }
    }

    func read(_ key: String, into target: inout String?) {
        read(key, into: &target, expected: "a string") { $0.stringValue.map { Optional($0) } }
    }

    func read(_ key: String, into target: inout Int) {
        guard let value = value(key) else { return }
        guard let integer = value.integerValue else {
            return report(.wrongType, key, "expected an integer, found \(value.typeName)")
        }
        // TOML integers are 64-bit; where `Int` is narrower a large value is refused rather than trapping.
        guard let int = Int(exactly: integer) else {
            return report(.outOfRange, key, "\(integer) does not fit in \(Int.bitWidth) bits")
        }
        target = int
    }

    func read(_ key: String, into target: inout Bool) {
        read(key, into: &target, expected: "true or false") { $0.booleanValue }
    }

    func read(_ key: String, into target: inout Double) {
        read(key, into: &target, expected: "a number") { $0.floatValue ?? $0.integerValue.map(Double.init) }
    }

    func read(_ key: String, into target: inout UInt64) {
        guard let value = value(key) else { return }
        guard let integer = value.integerValue else {
            return report(.wrongType, key, "expected an integer, found \(value.typeName)")
        }
        guard let unsigned = UInt64(exactly: integer) else { return report(.outOfRange, key, "\(integer) is negative") }
        target = unsigned
    }

    func read(_ key: String, into target: inout [Double]) {
        guard let value = value(key) else { return }
        guard let array = value.arrayValue else {
            return report(.wrongType, key, "expected an array, found \(value.typeName)")
        }
        var numbers: [Double] = []
        for element in array {
            guard let number = element.floatValue ?? element.integerValue.map(Double.init) else {
                return report(
                    .wrongType, key, "expected an array of numbers, found an element of type \(element.typeName)")
            }
            numbers.append(number)
        }
        target = numbers
    }

    func read(_ key: String, into target: inout Duration) {
        readString(key, into: &target) { (text: String) throws(Duration.ParseError) -> Duration in
            try Duration(configurationString: text)
        }
    }

    func read<E: RawRepresentable & CaseIterable>(_ key: String, into target: inout E) where E.RawValue == String {
        let choices = E.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
        readString(key, into: &target) { (text: String) throws(ChoiceError) -> E in
            guard let choice = E(rawValue: text) else { throw ChoiceError(description: "must be one of \(choices)") }
            return choice
        }
    }

    struct ChoiceError: Error, CustomStringConvertible {
        let description: String
    }

    /// Reads a string and parses it; a parse error becomes an `invalidValue` problem with the error's description.
    func readString<T, Failure: Error>(
        _ key: String, into target: inout T, parse: (String) throws(Failure) -> T
    ) {
        guard let value = value(key) else { return }
        guard let text = value.stringValue else {
            return report(.wrongType, key, "expected a string, found \(value.typeName)")
        }
        do {
            target = try parse(text)
        } catch {
            report(.invalidValue, key, "\(error)")
        }
    }

    /// The sub-table at `key`, or `nil` (reporting a type mismatch) when it is something else.
    func table(_ key: String) -> TOMLTableReader? {
        guard let value = value(key) else { return nil }
        guard let table = value.tableValue else {
            report(.wrongType, key, "expected a table, found \(value.typeName)")
            return nil
        }
        return TOMLTableReader(table, path: keyPath(key), problems: problems)
    }

    /// The elements of the array of tables at `key` (`[[key]]`), each with path `key[i]`.
    func tableArray(_ key: String) -> [TOMLTableReader]? {
        guard let value = value(key) else { return nil }
        guard let array = value.arrayValue else {
            report(.wrongType, key, "expected an array of tables ([[\(key)]]), found \(value.typeName)")
            return nil
        }
        var readers: [TOMLTableReader] = []
        for (index, element) in array.enumerated() {
            guard let table = element.tableValue else {
                report(
                    .wrongType, "\(key)[\(index)]", "expected a table, found \(element.typeName)", line: line(of: key))
                continue
            }
            readers.append(TOMLTableReader(table, path: "\(keyPath(key))[\(index)]", problems: problems))
        }
        return readers
    }

    /// Every key of this table, each marked known: for tables whose keys are names chosen by the user.
    func allKeys() -> [String] {
        let keys = table.keys.sorted()
        known.append(contentsOf: keys)
        return keys
    }

    /// Reports every key that was never asked for, with the nearest known key as a suggestion.
    func finish() {
        let knownSet = Set(known)
        for key in table.keys.sorted() where !knownSet.contains(key) {
            let suggestion = key.nearest(among: known).map { " (did you mean '\($0)'?)" } ?? ""
            report(.unknownKey, key, "unknown key\(suggestion)")
        }
    }
}
