/// The tVAMP KL with batch moments (BARNN.md, "tVAMP prior"), per weight, for one time step.
///
/// For α [B, U] (B batch rows, U units) and per unit j the batch moments m_j = mean_b α_bj and
/// v_j = mean_b α_bj², the KL of row b is
/// `k_bj = ½ [(α_bj − m_j)²/v_j + α_bj²/v_j − 1 − log(α_bj²/v_j)]`; this returns Σ_j mean_b k_bj.
/// Gradients flow through m and v: Σ_b ∂k_b/∂m = 0, so
/// `dK/dα_cj = (1/B) [(α_c − m)/v + α_c/v − 1/α_c + (2α_c/B) Σ_b ∂k_b/∂v]`,
/// with `∂k_b/∂v = ½/v − ½ [(α_b − m)² + α_b²]/v²`.
public enum TVampKL {
    /// Σ_j mean_b k_bj for α [B, U] with row stride `ld`; if `gradient` is given, adds `scale · dK/dα` to it
    /// (same layout as α).
    ///
    /// With `value` false only the gradient is computed (the per-element logarithms are skipped) and 0 returned.
    /// - Complexity: O(B·U); allocates nothing.
    public static func accumulate<T: BARNNScalar>(
        alpha: UnsafePointer<T>, rows: Int, units: Int, ld: Int, gradient: UnsafeMutablePointer<T>? = nil,
        scale: T = 1, value: Bool = true
    ) -> T {
        // Row-major sweeps (units contiguous) so the per-element work vectorises.
        withUnsafeTemporaryAllocation(of: T.self, capacity: 3 * units) { scratch in
            let m = scratch.baseAddress!, v = m + units, sumDv = v + units
            m.initialize(repeating: 0, count: 3 * units)
            for b in 0..<rows {
                let row = alpha + b * ld
                for j in 0..<units {
                    m[j] += row[j]
                    v[j] += row[j] * row[j]
                }
            }
            let invB = 1 / T(rows)
            for j in 0..<units {
                m[j] *= invB
                v[j] *= invB
            }
            var total: T = 0
            if value {
                for j in 0..<units {
                    let logV = T.log(v[j])
                    var sumK: T = 0
                    for b in 0..<rows {
                        let a = alpha[b * ld + j]
                        let d = a - m[j]
                        sumK += (d * d / v[j] + a * a / v[j] - 1 - (2 * T.log(a) - logV)) / 2
                    }
                    total += sumK * invB
                }
            }
            guard let gradient else { return total }
            // Σ_b ∂k_b/∂v = B/(2v) − Σ_b [(α_b − m)² + α_b²]/(2v²)
            for b in 0..<rows {
                let row = alpha + b * ld
                for j in 0..<units {
                    let d = row[j] - m[j]
                    sumDv[j] += d * d + row[j] * row[j]
                }
            }
            for j in 0..<units {
                let invV = 1 / v[j]
                sumDv[j] = T(rows) * invV / 2 - sumDv[j] * invV * invV / 2
                v[j] = invV  // from here on v holds 1/v
            }
            let factor = scale * invB, twoOverB = 2 * invB
            for b in 0..<rows {
                let row = alpha + b * ld, g = gradient + b * ld
                for j in 0..<units {
                    let a = row[j]
                    let direct = (a - m[j]) * v[j] + a * v[j] - 1 / a
                    g[j] += factor * (direct + twoOverB * a * sumDv[j])
                }
            }
            return total
        }
    }
}
