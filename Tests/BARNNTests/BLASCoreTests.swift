import Testing

@testable import BARNN

/// The start-up correction of OpenBLAS's kernel choice, as a pure function of the core, the CPU and the environment.
@Suite struct BLASCoreTests {
    static let capable = BLASCore.Features(avx2: true, fma: true)

    @Test(arguments: ["Prescott", "Core2", "Nehalem", "SANDYBRIDGE", "Atom", "Penryn"])
    func aGenericCoreOnAnAVX2FMACPUIsReplacedByHaswell(core: String) {
        #expect(BLASCore.decide(current: core, features: Self.capable, environment: [:]) == .reexecute(core: "Haswell"))
    }

    @Test(arguments: ["Haswell", "SkylakeX", "Zen", "CooperLake"])
    func aModernCoreIsKept(core: String) {
        #expect(
            BLASCore.decide(current: core, features: Self.capable, environment: [:])
                == .keep(reason: "chosen by OpenBLAS"))
    }

    @Test func aCPUWithoutAVX2OrFMAKeepsTheGenericCore() {
        for features in [BLASCore.Features(avx2: false, fma: true), .init(avx2: true, fma: false)] {
            #expect(
                BLASCore.decide(current: "Prescott", features: features, environment: [:])
                    == .keep(reason: "the CPU has no AVX2+FMA"))
        }
    }

    @Test func theUsersChoiceAndTheSwitchAreRespected() {
        #expect(
            BLASCore.decide(current: "Prescott", features: Self.capable, environment: ["OPENBLAS_CORETYPE": "Prescott"])
                == .keep(reason: "OPENBLAS_CORETYPE=Prescott set by the user"))
        #expect(
            BLASCore.decide(current: "Prescott", features: Self.capable, environment: ["BARNND_BLAS_CORE": "off"])
                == .keep(reason: "BARNND_BLAS_CORE=off"))
        // An empty assignment is no choice.
        #expect(
            BLASCore.decide(current: "Prescott", features: Self.capable, environment: ["OPENBLAS_CORETYPE": ""])
                == .reexecute(core: "Haswell"))
    }

    @Test func theReexecutedProcessNeverLoops() {
        // Even if OpenBLAS ignored the variable and still reported a generic core.
        let environment = ["OPENBLAS_CORETYPE": "Haswell", "BARNND_BLAS_CORRECTED_FROM": "Prescott"]
        #expect(
            BLASCore.decide(current: "Prescott", features: Self.capable, environment: environment)
                == .keep(reason: "corrected from Prescott"))
        #expect(BLASCore.describe(core: "Haswell", environment: environment) == "Haswell (OpenBLAS chose Prescott)")
        #expect(BLASCore.describe(core: "Haswell", environment: [:]) == "Haswell")
    }

    @Test func featuresAreReadFromTheFirstFlagsLine() {
        let cpuinfo = """
            processor\t: 0
            model name\t: Intel(R) Xeon(R) Processor
            flags\t\t: fpu vme sse sse2 ssse3 fma cx16 sse4_1 avx f16c avx2 avx512f
            processor\t: 1
            flags\t\t: fpu
            """
        #expect(BLASCore.Features(cpuinfo: cpuinfo) == .init(avx2: true, fma: true))
        #expect(BLASCore.Features(cpuinfo: "flags\t: sse sse2 avx") == .init(avx2: false, fma: false))
        // `fma4` (AMD's old four-operand form) is not FMA3.
        #expect(BLASCore.Features(cpuinfo: "flags\t: avx2 fma4") == .init(avx2: true, fma: false))
        #expect(BLASCore.Features(cpuinfo: "") == .init(avx2: false, fma: false))
    }
}
