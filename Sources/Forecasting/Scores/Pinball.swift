/// The pinball (quantile) loss, the proper score of a single quantile.
public enum Pinball {
    /// `ρ_τ(u) = u(τ − 1{u < 0})` with `u = y − q`: τ·u above the quantile, (τ − 1)·u below.
    /// - Complexity: O(1).
    @inline(__always)
    public static func loss(level tau: Double, quantile q: Double, outcome y: Double) -> Double {
        let u = y - q
        return u * (u < 0 ? tau - 1 : tau)
    }
}
