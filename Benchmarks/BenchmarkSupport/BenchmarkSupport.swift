// What every benchmark shares: timing on the monotonic clock and one way to print results, so that figures from
// different benchmarks are measured and reported alike.
import BARNN
import CMallocStats
import Foundation

extension Duration {
    /// The duration in seconds, the unit every benchmark reports.
    public var inSeconds: Double { Double(components.seconds) + Double(components.attoseconds) * 1e-18 }
}

/// A timer on `ContinuousClock`, so that wall-clock adjustments during a run never bend a measurement.
public struct Stopwatch: Sendable {
    private let start = ContinuousClock.now

    /// Starts timing now.
    public init() {}

    /// Seconds since the stopwatch was made.
    public var elapsed: Double { (ContinuousClock.now - start).inSeconds }
}

/// Call first in a benchmark's `main`: corrects OpenBLAS's generic-core choice as the daemon does (it may
/// re-execute the process), so benchmarks measure the kernels users run.
public func beginBenchmark() {
    BLASCore.correctIfNeeded()
}

/// Seconds one run of `body` takes.
public func timed(_ body: () throws -> Void) rethrows -> Double {
    let stopwatch = Stopwatch()
    try body()
    return stopwatch.elapsed
}

/// The middle value (the upper one of an even count); one disturbed run on a shared machine barely moves it.
public func median(_ values: [Double]) -> Double {
    precondition(!values.isEmpty, "median of no values")
    return values.sorted()[values.count / 2]
}

/// The median of `runs` timings of `body`, in seconds.
public func medianTime(runs: Int, _ body: () throws -> Void) rethrows -> Double {
    var times: [Double] = []
    for _ in 0..<runs { times.append(try timed(body)) }
    return median(times)
}

/// Runs `body` in `rounds` rounds of at least `minimum / rounds` seconds each and returns the fastest round: on a
/// shared 2-core machine the best round is the least disturbed one. `body` runs once beforehand to warm caches.
public func measureBest(
    minimum: Double = 0.6, rounds: Int = 5, _ body: () throws -> Void
) rethrows -> (repetitions: Int, seconds: Double) {
    try body()
    var best = (repetitions: 0, seconds: Double.infinity)
    for _ in 0..<rounds {
        var repetitions = 0
        let stopwatch = Stopwatch()
        var elapsed = 0.0
        repeat {
            try body()
            repetitions += 1
            elapsed = stopwatch.elapsed
        } while elapsed < minimum / Double(rounds)
        if best.repetitions == 0 || elapsed / Double(repetitions) < best.seconds / Double(best.repetitions) {
            best = (repetitions, elapsed)
        }
    }
    return best
}

/// `x` rounded to `digits` decimals, so that reports carry no precision the measurement does not have.
public func rounded(_ x: Double, _ digits: Int = 3) -> Double {
    let scale = pow(10.0, Double(digits))
    return (x * scale).rounded() / scale
}

/// Prints `fields` as one JSON line with sorted keys. Written unbuffered, so each result is out as soon as it is
/// known even into a file or a pipe; a NaN or infinite number becomes `null`, which JSON can represent.
public func emit(_ fields: [String: Any]) {
    do {
        // Kernels move results 3–5×, so every line says which ran.
        let line = fields.merging(["blas_core": BLASCore.summary]) { mine, _ in mine }
        let data = try JSONSerialization.data(withJSONObject: representable(line), options: [.sortedKeys])
        FileHandle.standardOutput.write(data + Data("\n".utf8))
    } catch {
        fatalError("benchmark result is not JSON: \(error)")
    }
}

/// `value` with its non-finite numbers replaced by `NSNull`, which JSONSerialization would otherwise refuse.
private func representable(_ value: Any) -> Any {
    switch value {
    case let object as [String: Any]: object.mapValues(representable)
    case let array as [Any]: array.map(representable)
    case let number as Double: number.isFinite ? number : NSNull()
    case let number as Float: number.isFinite ? number : NSNull()
    default: value
    }
}

/// Bytes of heap the process holds live (malloc's in-use count): what its data structures take, without the freed
/// memory, fragmentation and file-backed pages that ``residentBytes(trimmed:)`` also counts.
public func heapInUseBytes() -> Double { Double(barnnd_heap_in_use()) }

/// This process's resident set in bytes (VmRSS of /proc/self/status), 0 where it cannot be read. With `trimmed`,
/// freed heap pages are handed back first (glibc's `malloc_trim`), so what is left is what is live (and fragmentation
/// that cannot be returned) rather than the peak of freed temporaries.
public func residentBytes(trimmed: Bool = false) -> Double {
    // malloc_trim is not in Swift's Glibc module (malloc.h): looked up by name.
    if trimmed, let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") {
        _ = unsafeBitCast(symbol, to: (@convention(c) (Int) -> Int32).self)(0)
    }
    return statusBytes("VmRSS:")
}

/// The peak of this process's resident set in bytes (VmHWM), since the start or the last ``resetPeakResident()``.
public func peakResidentBytes() -> Double { statusBytes("VmHWM:") }

/// Starts a new peak for ``peakResidentBytes()`` at the current resident set (Linux's `clear_refs` value 5).
public func resetPeakResident() {
    try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)
}

/// A kilobyte field of /proc/self/status in bytes, 0 where it cannot be read.
private func statusBytes(_ field: String) -> Double {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
        let line = status.split(separator: "\n").first(where: { $0.hasPrefix(field) }),
        let kilobytes = line.split(separator: " ").dropFirst().first.flatMap({ Double($0) })
    else { return 0 }
    return kilobytes * 1024
}
