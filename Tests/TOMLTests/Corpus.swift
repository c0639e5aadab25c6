import Foundation
import TOML

/// Locates the copied toml-test corpus next to this file, so tests read only the repository.
enum Corpus {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Corpus")

    /// The relative paths named by the TOML 1.0 list.
    static let paths: [String] = {
        let list = root.appendingPathComponent("files-toml-1.0.0")
        guard let text = try? String(contentsOf: list, encoding: .utf8) else { return [] }
        return text.split(whereSeparator: \.isNewline).map(String.init).filter { !$0.isEmpty }
    }()

    static let validCases = paths.filter { $0.hasPrefix("valid/") && $0.hasSuffix(".toml") }
    static let invalidCases = paths.filter { $0.hasPrefix("invalid/") && $0.hasSuffix(".toml") }

    static func bytes(_ path: String) -> [UInt8]? {
        FileManager.default.contents(atPath: root.appendingPathComponent(path).path).map { [UInt8]($0) }
    }
}
