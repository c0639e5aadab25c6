#if canImport(Glibc)
    import Glibc
#endif

/// The target `FUZZ_TARGET` names, looked up once.
private let selectedTarget: @Sendable ([UInt8]) -> Void = {
    let name = getenv("FUZZ_TARGET").map { String(cString: $0) } ?? ""
    guard let target = FuzzTargets.all[name] else {
        let names = FuzzTargets.all.keys.sorted().joined(separator: ", ")
        printError("fuzz-barnnd: set FUZZ_TARGET to one of: \(names)")
        exit(2)
    }
    return target
}()

/// Writes a line to standard error (file descriptor 2: the C `stderr` global is not concurrency-safe in Swift 6).
private func printError(_ line: String) {
    let bytes = Array((line + "\n").utf8)
    _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
}

/// libFuzzer's entry point: one input, the target that `FUZZ_TARGET` names.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    selectedTarget(input)
    return 0
}

#if !FUZZING
    /// Without libFuzzer (a normal build): runs the named files through the target, to replay findings and seeds.
    @main
    struct FuzzReplay {
        static func main() {
            let paths = CommandLine.arguments.dropFirst()
            guard !paths.isEmpty else {
                printError(
                    "usage: FUZZ_TARGET=<target> fuzz-barnnd FILE…  (a fuzzing build comes from Scripts/fuzz.sh)")
                exit(2)
            }
            for path in paths {
                guard let file = fopen(path, "rb") else {
                    printError("fuzz-barnnd: cannot open \(path)")
                    exit(1)
                }
                var bytes: [UInt8] = []
                var buffer = [UInt8](repeating: 0, count: 65536)
                while true {
                    let count = fread(&buffer, 1, buffer.count, file)
                    bytes += buffer[..<count]
                    if count < buffer.count { break }
                }
                fclose(file)
                _ = bytes.withUnsafeBufferPointer { fuzzOneInput($0.baseAddress, $0.count) }
                print("ok \(path)")
            }
        }
    }
#endif
