import Foundation
import Testing

@testable import BARNN

@Suite struct SeededRNGTests {
    func normals(seed: UInt64, stream: UInt64 = 0, count: Int = 1000) -> [Float] {
        var rng = SeededRNG(seed: seed, stream: stream)
        var out = [Float](repeating: 0, count: count)
        out.withUnsafeMutableBufferPointer { rng.fillNormal($0) }
        return out
    }

    @Test func sameSeedGivesIdenticalDraws() {
        #expect(normals(seed: 42).map(\.bitPattern) == normals(seed: 42).map(\.bitPattern))
        let parent = SeededRNG(seed: 9)
        var a = parent.substream(3), b = SeededRNG(seed: 9).substream(3)
        #expect(a.next() == b.next())
    }

    @Test func differentSeedsAndSubstreamsDiffer() {
        #expect(normals(seed: 42) != normals(seed: 43))
        #expect(normals(seed: 42, stream: 1) != normals(seed: 42, stream: 2))
        var parent = SeededRNG(seed: 9)
        var a = parent.substream(1), b = parent.substream(2)
        #expect(a.next() != b.next())
        _ = parent.next()
        var c = parent.substream(1), d = SeededRNG(seed: 9).substream(1)
        #expect(c.next() == d.next(), "a substream must not depend on how far the parent has advanced")
    }

    /// 200 000 draws: mean and variance within ~5 standard errors, two-sided tail masses near the normal's,
    /// and an odd count that exercises the tail path.
    @Test func normalsHaveStandardMomentsAndTails() {
        let z = normals(seed: 7, count: 200_001).map(Double.init)
        let n = Double(z.count)
        let mean = z.reduce(0, +) / n
        let variance = z.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / n
        #expect(abs(mean) < 0.012)
        #expect(abs(variance - 1) < 0.02)
        let beyond1645 = Double(z.filter { abs($0) > 1.644_854 }.count) / n
        let beyond258 = Double(z.filter { abs($0) > 2.575_829 }.count) / n
        #expect(abs(beyond1645 - 0.10) < 0.004)
        #expect(abs(beyond258 - 0.01) < 0.0015)
        #expect(z.allSatisfy { $0.isFinite })
    }

    @Test func uniformsLieInTheUnitInterval() {
        var rng = SeededRNG(seed: 1)
        var u = [Float](repeating: -1, count: 1001)
        u.withUnsafeMutableBufferPointer { rng.fillUniform($0) }
        #expect(u.allSatisfy { $0 >= 0 && $0 < 1 })
        #expect(abs(u.reduce(0, +) / 1001 - 0.5) < 0.03)
    }
}
