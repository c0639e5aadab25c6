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
        let invB = 1 / T(rows)
        var total: T = 0
        for j in 0..<units {
            var m: T = 0, v: T = 0
            for b in 0..<rows {
                let a = alpha[b * ld + j]
                m += a
                v += a * a
            }
            m *= invB
            v *= invB
            var sumK: T = 0, sumDv: T = 0
            if value {
                let logV = T.log(v)
                for b in 0..<rows {
                    let a = alpha[b * ld + j]
                    let d = a - m
                    sumK += (d * d / v + a * a / v - 1 - (2 * T.log(a) - logV)) / 2
                }
            }
            for b in 0..<rows {
                let a = alpha[b * ld + j]
                let d = a - m
                sumDv += 1 / (2 * v) - (d * d + a * a) / (2 * v * v)
            }
            total += sumK * invB
            guard let gradient else { continue }
            for b in 0..<rows {
                let a = alpha[b * ld + j]
                let direct = (a - m) / v + a / v - 1 / a
                gradient[b * ld + j] += scale * invB * (direct + 2 * a * invB * sumDv)
            }
        }
        return total
    }
}
