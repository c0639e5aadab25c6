import Testing

@testable import BARNN

/// Finite differences in Double against the hand-written backward pass through time.
///
/// Tolerance: relative error |num − ana| / max(1e-4, |num| + |ana|) ≤ 1e-5 with central step 1e-6
/// (truncation error ~1e-12, rounding ~1e-10 relative to a loss of order 1).
@Suite struct GradientTests {
    @Test(arguments: [true, false])
    func everyParameterTensorMatchesFiniteDifferences(noise: Bool) throws {
        let graph = makeDoubleGraph(batch: 3, time: 5, seed: 11)
        let parameters = makeDoubleParameters(seed: 5)
        let beta = 0.5
        var gradient = [Double](repeating: 0, count: parameters.count)
        let loss = parameters.withUnsafeBufferPointer { p in
            gradient.withUnsafeMutableBufferPointer { g in
                graph.run(parameters: p.baseAddress!, gradient: g.baseAddress!, beta: beta, noise: noise)
            }
        }
        #expect(loss.counted > 0 && loss.kl > 0)
        let checks = checkGradients(parameters: parameters, gradient: gradient, layout: graph.layout) { p in
            let l = p.withUnsafeBufferPointer {
                graph.run(parameters: $0.baseAddress!, gradient: nil, beta: beta, noise: noise)
            }
            return l.nll + beta * l.kl
        }
        for check in checks {
            #expect(
                check.worst < 1e-5,
                "\(check.name)[\(check.worstIndex)]: analytic \(check.analytic) numeric \(check.numeric), rel \(check.worst)"
            )
        }
        #expect(checks.count == graph.layout.tensors.count)
        // The two-thread split of the recurrence must give the same gradient.
        let split = makeDoubleGraph(batch: 8, time: 4, seed: 12), whole = makeDoubleGraph(batch: 8, time: 4, seed: 12)
        split.threads = 2
        var g1 = [Double](repeating: 0, count: parameters.count), g2 = g1
        parameters.withUnsafeBufferPointer { p in
            g1.withUnsafeMutableBufferPointer {
                _ = whole.run(parameters: p.baseAddress!, gradient: $0.baseAddress!, beta: beta, noise: noise)
            }
            g2.withUnsafeMutableBufferPointer {
                _ = split.run(parameters: p.baseAddress!, gradient: $0.baseAddress!, beta: beta, noise: noise)
            }
        }
        #expect(zip(g1, g2).allSatisfy { abs($0 - $1) <= 1e-12 * max(1, abs($0)) })
        for tensor in graph.layout.tensors {
            let slice = gradient[tensor.offset..<(tensor.offset + tensor.count)]
            #expect(slice.contains { $0 != 0 }, "\(tensor.name) has an all-zero gradient: the check would be vacuous")
        }
    }
}
