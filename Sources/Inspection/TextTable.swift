/// Aligned text columns that fit a terminal width: numbers right-aligned, text left-aligned, and the widest text
/// column shortened with `…` when the table would not fit.
public struct TextTable: Sendable {
    /// A column's title and alignment.
    public struct Column: Sendable {
        /// The header text.
        public var title: String
        /// Right-aligned (numbers) or left-aligned (text).
        public var rightAligned: Bool
        /// Creates a column.
        public init(_ title: String, rightAligned: Bool = false) {
            self.title = title
            self.rightAligned = rightAligned
        }
    }

    /// The columns.
    public var columns: [Column]
    /// The cells, one array per row, as many as ``columns``.
    public var rows: [[String]] = []

    /// Creates an empty table.
    public init(_ columns: [Column]) { self.columns = columns }

    /// Appends a row; traps if the cell count differs from the column count (a programming error).
    public mutating func append(_ cells: [String]) {
        precondition(cells.count == columns.count, "\(cells.count) cells for \(columns.count) columns")
        rows.append(cells)
    }

    /// The table as lines joined by newlines (with a final newline), at most `width` characters per line.
    public func render(width: Int = 80) -> String {
        let separator = 2
        var widths = columns.indices.map { index in
            rows.reduce(columns[index].title.count) { max($0, $1[index].count) }
        }
        var total = widths.reduce(0, +) + separator * max(0, widths.count - 1)
        // Shrink the last column first when it is text (details, excerpts), then the widest text column: names
        // and details carry their meaning in their start.
        while total > width {
            let last = widths.count - 1
            let shrinkable = widths.indices.filter { !columns[$0].rightAligned && widths[$0] > 8 }
            guard
                let widest = shrinkable.contains(last)
                    ? last : shrinkable.max(by: { widths[$0] < widths[$1] })
            else { break }
            let cut = min(total - width, widths[widest] - 8)
            widths[widest] -= cut
            total -= cut
        }
        var lines: [String] = []
        lines.reserveCapacity(rows.count + 1)
        lines.append(line(columns.map(\.title), widths: widths))
        for row in rows { lines.append(line(row, widths: widths)) }
        return lines.joined(separator: "\n") + "\n"
    }

    private func line(_ cells: [String], widths: [Int]) -> String {
        var text = ""
        for (index, cell) in cells.enumerated() {
            let fitted = cell.count > widths[index] ? String(cell.prefix(widths[index] - 1)) + "…" : cell
            let padding = String(repeating: " ", count: widths[index] - fitted.count)
            if index > 0 { text += "  " }
            if columns[index].rightAligned {
                text += padding + fitted
            } else if index == cells.count - 1 {
                text += fitted
            } else {
                text += fitted + padding
            }
        }
        return text
    }
}
