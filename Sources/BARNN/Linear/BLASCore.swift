import COpenBLAS
import Foundation

/// Which OpenBLAS kernels run, and the start-up correction for the generic core Debian's `DYNAMIC_ARCH` OpenBLAS
/// 0.3.21 picks on virtual CPUs it does not recognise (a cloud Xeon with AVX-512 reports "Prescott", SSE3 kernels
/// 3–5× slower than the Haswell ones the CPU can run).
///
/// OpenBLAS chooses its core once, when the library loads, and reads `OPENBLAS_CORETYPE` only then; so the only way
/// to change it is to set the variable and re-execute the process before any work is done
/// (``correctIfNeeded()``). The policy itself is a pure function (``decide(current:features:environment:)``).
public enum BLASCore {
    /// The core OpenBLAS is running with in this process (`openblas_get_corename()`).
    public static var current: String { String(cString: openblas_get_corename()) }

    /// The environment variable OpenBLAS reads at load time.
    public static let coreTypeVariable = "OPENBLAS_CORETYPE"
    /// Set by barnnd on the re-executed process to the core OpenBLAS had chosen, so the correction is reported and
    /// never loops.
    public static let correctedFromVariable = "BARNND_BLAS_CORRECTED_FROM"
    /// `off` disables the correction (for measuring OpenBLAS's own choice).
    public static let switchVariable = "BARNND_BLAS_CORE"

    /// Cores OpenBLAS falls back to for CPUs it does not recognise: pre-AVX2 kernels (lower-cased).
    static let genericCores: Set<String> = [
        "prescott", "katmai", "coppermine", "northwood", "banias", "core2", "penryn", "dunnington", "nehalem",
        "atom", "opteron", "barcelona", "athlon", "generic", "unknown", "sandybridge",
    ]

    /// The instruction-set extensions the kernel choice depends on, as the OS reports them enabled.
    public struct Features: Sendable, Equatable {
        /// AVX2 (256-bit integer and permutes, Haswell and later).
        public var avx2: Bool
        /// Fused multiply-add (FMA3).
        public var fma: Bool

        /// Features from explicit flags.
        public init(avx2: Bool, fma: Bool) {
            self.avx2 = avx2
            self.fma = fma
        }

        /// Features from the text of `/proc/cpuinfo`: the first `flags` line (the kernel lists only extensions it
        /// has enabled, so AVX state saving is implied); none when there is no such line.
        public init(cpuinfo: String) {
            let line = cpuinfo.split(separator: "\n").first { $0.hasPrefix("flags") }
            let flags = Set(
                (line?.split(separator: ":", maxSplits: 1).last ?? "").split(separator: " ").map(String.init))
            self.init(avx2: flags.contains("avx2"), fma: flags.contains("fma"))
        }

        /// This machine's features (none off Linux, where no correction is needed: OpenBLAS is not Debian's).
        public static var host: Features {
            Features(cpuinfo: (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? "")
        }
    }

    /// What to do at start-up.
    public enum Decision: Sendable, Equatable {
        /// Keep the loaded core; `reason` says why (logged once).
        case keep(reason: String)
        /// Re-execute with `OPENBLAS_CORETYPE=core`.
        case reexecute(core: String)
    }

    /// The start-up decision for a process whose OpenBLAS chose `current` on a CPU with `features`.
    ///
    /// Haswell (AVX2 + FMA) is the floor that every such CPU runs correctly with this OpenBLAS; newer kernels
    /// (SkylakeX) round differently and crashed or miscomputed on some virtual CPUs with older builds, so they are
    /// left to a user who sets `OPENBLAS_CORETYPE` by hand.
    public static func decide(current: String, features: Features, environment: [String: String]) -> Decision {
        if environment[switchVariable]?.lowercased() == "off" { return .keep(reason: "\(switchVariable)=off") }
        if let from = environment[correctedFromVariable] {
            return .keep(reason: "corrected from \(from)")
        }
        if let set = environment[coreTypeVariable], !set.isEmpty {
            return .keep(reason: "\(coreTypeVariable)=\(set) set by the user")
        }
        guard genericCores.contains(current.lowercased()) else { return .keep(reason: "chosen by OpenBLAS") }
        guard features.avx2, features.fma else { return .keep(reason: "the CPU has no AVX2+FMA") }
        return .reexecute(core: "Haswell")
    }

    /// One line for logs, health and benchmarks: the running core and how it was chosen (fixed for the process's
    /// life, so it is worked out once).
    public static let summary = describe(core: current, environment: ProcessInfo.processInfo.environment)

    /// The description of `core` in a process with `environment`.
    static func describe(core: String, environment: [String: String]) -> String {
        if let from = environment[correctedFromVariable] { return "\(core) (OpenBLAS chose \(from))" }
        return core
    }

    /// Applies ``decide(current:features:environment:)`` to this process: re-executes `/proc/self/exe` with the same
    /// arguments and `OPENBLAS_CORETYPE` set when OpenBLAS chose a generic core on a capable CPU. Returns only when
    /// the process keeps its core (also when the re-execution itself fails, which costs speed, not correctness).
    /// Call it first in `main`. `hold` runs just before the exec and returns false to cancel it (a process that
    /// catches stop signals keeps them across the exec there); `release` undoes it when the exec did not happen.
    public static func correctIfNeeded(hold: () -> Bool = { true }, release: () -> Void = {}) {
        #if os(Linux)
            let environment = ProcessInfo.processInfo.environment
            let chosen = current
            guard case .reexecute(let core) = decide(current: chosen, features: .host, environment: environment)
            else { return }
            var argv = CommandLine.arguments.map { strdup($0) }
            argv.append(nil)
            defer { for pointer in argv { free(pointer) } }
            setenv(correctedFromVariable, chosen, 1)
            setenv(coreTypeVariable, core, 1)
            if hold() { execv("/proc/self/exe", argv) }
            release()
            // Still here: run on with OpenBLAS's own choice, and report it as such.
            unsetenv(correctedFromVariable)
            unsetenv(coreTypeVariable)
        #endif
    }
}
