import Foundation
import TOML
import Testing

@Suite struct CorpusTests {
    @Test func corpusIsPresent() {
        #expect(Corpus.validCases.count == 210)
        #expect(Corpus.invalidCases.count == 499)
    }

    @Test func invalidDocumentsAreRefused() {
        var refused = 0
        for path in Corpus.invalidCases {
            guard let bytes = Corpus.bytes(path) else {
                Issue.record("missing corpus file \(path)")
                continue
            }
            do {
                let table = try TOMLParser.parse(bytes)
                Issue.record("\(path) was accepted: \(table)")
            } catch {
                #expect(error.line >= 1 && error.column >= 1, "\(path): \(error)")
                refused += 1
            }
        }
        print("toml-test 1.0 invalid: \(refused)/\(Corpus.invalidCases.count) refused")
        #expect(refused == Corpus.invalidCases.count)
    }

    @Test func validDocumentsMatchTheirJSON() throws {
        var passed = 0
        for path in Corpus.validCases {
            let jsonPath = String(path.dropLast(".toml".count)) + ".json"
            guard let bytes = Corpus.bytes(path), let jsonBytes = Corpus.bytes(jsonPath) else {
                Issue.record("missing corpus file \(path) or its JSON")
                continue
            }
            let table: TOMLTable
            do {
                table = try TOMLParser.parse(bytes)
            } catch {
                Issue.record("\(path) was refused: \(error)")
                continue
            }
            let expected = try JSONSerialization.jsonObject(with: Data(jsonBytes), options: [.fragmentsAllowed])
            if let mismatch = JSONComparator.mismatch(.table(table), expected, path: "") {
                Issue.record("\(path): \(mismatch)")
            } else {
                passed += 1
            }
        }
        print("toml-test 1.0 valid: \(passed)/\(Corpus.validCases.count) passed")
        #expect(passed == Corpus.validCases.count)
    }
}

/// Compares a parsed value with toml-test's tagged JSON (`{"type": "integer", "value": "42"}`).
enum JSONComparator {
    static func mismatch(_ value: TOMLValue, _ json: Any, path: String) -> String? {
        if let object = json as? [String: Any] {
            if object.count == 2, let type = object["type"] as? String, let raw = object["value"] as? String {
                return scalarMismatch(value, type: type, raw: raw, path: path)
            }
            guard case .table(let table) = value else {
                return "\(path): expected a table, found \(value.typeName)"
            }
            guard table.count == object.count else {
                return "\(path): expected keys \(object.keys.sorted()), found \(table.keys)"
            }
            for (key, child) in object {
                guard let actual = table[key] else {
                    return "\(path): missing key \(key.debugDescription)"
                }
                if let problem = mismatch(actual, child, path: path + "." + key) {
                    return problem
                }
            }
            return nil
        }
        if let array = json as? [Any] {
            guard case .array(let elements) = value else {
                return "\(path): expected an array, found \(value.typeName)"
            }
            guard elements.count == array.count else {
                return "\(path): expected \(array.count) elements, found \(elements.count)"
            }
            for (offset, pair) in zip(elements, array).enumerated() {
                if let problem = mismatch(pair.0, pair.1, path: "\(path)[\(offset)]") {
                    return problem
                }
            }
            return nil
        }
        return "\(path): unexpected JSON \(json)"
    }

    static func scalarMismatch(_ value: TOMLValue, type: String, raw: String, path: String) -> String? {
        let matches: Bool
        switch (type, value) {
        case ("string", .string(let string)):
            // Compare scalars: Swift's String equality would hide normalisation differences.
            matches = Array(string.unicodeScalars) == Array(raw.unicodeScalars)
        case ("integer", .integer(let integer)):
            matches = Int64(raw) == integer
        case ("float", .float(let float)):
            matches = floatMatches(float, raw)
        case ("bool", .boolean(let boolean)):
            matches = (raw == "true") == boolean && (raw == "true" || raw == "false")
        case ("datetime", .offsetDateTime), ("datetime-local", .localDateTime), ("date-local", .localDate),
            ("time-local", .localTime):
            // The corpus canonicalises (".6" becomes ".600", "z" and " " become "Z" and "T"), so compare
            // components by parsing the expected text with the same grammar.
            matches = (try? TOMLParser.parse("v = " + raw))?["v"] == value
        default:
            matches = false
        }
        return matches ? nil : "\(path): expected \(type) \(raw), found \(value)"
    }

    static func floatMatches(_ actual: Double, _ raw: String) -> Bool {
        switch raw {
        case "nan", "+nan", "-nan": return actual.isNaN
        case "inf", "+inf": return actual == .infinity
        case "-inf": return actual == -.infinity
        default:
            guard let expected = Double(raw) else { return false }
            return expected == actual && expected.sign == actual.sign
        }
    }
}
