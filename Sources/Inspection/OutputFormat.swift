/// How an inspection command prints: an aligned table for people, CSV for spreadsheets, JSON for programs.
public enum OutputFormat: String, Sendable, CaseIterable {
    /// Aligned columns that fit an 80-column terminal.
    case table
    /// RFC 4180 CSV with a header row; times ISO-8601 UTC, empty cells for missing values.
    case csv
    /// One JSON document whose keys and shapes are documented per command and kept stable.
    case json
}
