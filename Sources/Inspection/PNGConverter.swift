import Foundation

/// Turns an SVG file into PNG with `rsvg-convert` (Debian package `librsvg2-bin`), the converter GNOME maintains.
public enum PNGConverter {
    /// The converter's program name.
    public static let program = "rsvg-convert"
    /// The Debian package that installs it.
    public static let package = "librsvg2-bin"

    /// The converter's path in `searchPath` (a `PATH`-style list), or `nil`.
    public static func locate(searchPath: String) -> String? {
        for directory in searchPath.split(separator: ":") where !directory.isEmpty {
            let candidate = "\(directory)/\(program)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// Writes `png` from `svg` text.
    /// - Throws: ``InspectionError`` `.converterMissing` naming the package, `.outputFailed` with the converter's
    ///   message.
    public static func convert(svg: String, to png: String, searchPath: String) throws(InspectionError) {
        guard let converter = locate(searchPath: searchPath) else {
            throw InspectionError(
                .converterMissing,
                "PNG output needs \(program), which is not installed (Debian/Ubuntu: apt install \(package)); "
                    + "or write an .svg file")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: converter)
        process.arguments = ["--format", "png", "--output", png]
        let input = Pipe()
        let error = Pipe()
        process.standardInput = input
        process.standardError = error
        process.standardOutput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw InspectionError(.outputFailed, "cannot run \(converter): \(error.localizedDescription)")
        }
        input.fileHandleForWriting.write(Data(svg.utf8))
        try? input.fileHandleForWriting.close()
        let message = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let text = String(decoding: message, as: UTF8.self).split(separator: "\n").first.map(String.init) ?? ""
            throw InspectionError(
                .outputFailed, "\(program) failed with status \(process.terminationStatus): \(text)")
        }
    }
}
