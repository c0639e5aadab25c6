import Foundation

@testable import BARNN

/// Seeded synthetic series: sines of different periods plus AR(1) noise whose innovation scale follows
/// the sine's phase (heteroscedastic, state-dependent), hourly steps.
enum SyntheticSeries {
    static let step = 3600.0

    static func normals(_ count: Int, seed: UInt64) -> [Float] {
        var rng = SeededRNG(seed: seed)
        var z = [Float](repeating: 0, count: count)
        z.withUnsafeMutableBufferPointer { rng.fillNormal($0) }
        return z
    }

    /// `count` series of `length` steps: y = A·sin(2πt/p + φ) + ar_t, ar_t = 0.5·ar_{t−1} + σ_t·z_t with
    /// σ_t = 0.03 + 0.17·(1 + sin(2πt/p + φ))/2 (noisier at peaks).
    static func sines(count: Int, length: Int, seed: UInt64) -> [[Float]] {
        (0..<count).map { i in
            let period = Double(12 + 4 * (i % 4))
            let phase = Double(i) * 0.7
            let amplitude = 1 + 0.25 * Double(i % 3)
            let z = normals(length, seed: seed &+ UInt64(i))
            var ar = 0.0
            return (0..<length).map { t in
                let angle = 2 * Double.pi * Double(t) / period + phase
                let sigma = 0.03 + 0.17 * (1 + sin(angle)) / 2
                ar = 0.5 * ar + sigma * Double(z[t])
                return Float(amplitude * sin(angle) + ar)
            }
        }
    }

    /// Linear trends (slopes given) plus a period-12 sine of amplitude 0.5 and white noise of 0.05.
    static func trends(slopes: [Double], length: Int, seed: UInt64) -> [[Float]] {
        slopes.enumerated().map { i, slope in
            let z = normals(length, seed: seed &+ UInt64(i))
            return (0..<length).map { t in
                Float(slope * Double(t) + 0.5 * sin(2 * Double.pi * Double(t) / 12 + Double(i)) + 0.05 * Double(z[t]))
            }
        }
    }

    static func timeFeatures(length: Int) -> [Float] {
        CalendarFeatures.hourAndWeek.features(unixTimes: (0..<length).map { Double($0) * step })
    }

    static func trainingSeries(_ values: [[Float]]) -> [TrainingSeries] {
        values.map { TrainingSeries(values: $0, timeFeatures: timeFeatures(length: $0.count)) }
    }
}
