/// Where each of step 1's last W outcomes fell among its calibrated quantiles: `#{q′ < y}` and `#{q′ ≤ y}`.
///
/// Both counts are at most K, so while K ≤ 15 (the bundled 7 levels) an outcome takes one byte of two 4-bit counts,
/// 300 bytes a stream at W 300 instead of 600; more levels take two bytes. Saved as two bytes either way (the
/// calibrator's `coverage`), so saved states do not change.
struct CoveragePositions: Sendable, Equatable {
    /// One outcome's counts.
    struct Position: Sendable, Equatable {
        /// `#{q′ < y}`.
        var less: Int
        /// `#{q′ ≤ y}`.
        var lessOrEqual: Int
    }

    private enum Storage: Sendable, Equatable {
        /// `less` in the low 4 bits, `lessOrEqual` in the high 4.
        case narrow(RingBuffer<UInt8>)
        /// `less` in the low byte, `lessOrEqual` in the high byte.
        case wide(RingBuffer<UInt16>)
    }

    private var storage: Storage

    /// An empty window of `capacity` outcomes for `levels` quantile levels.
    init(capacity: Int, levels: Int) {
        storage = levels <= 15 ? .narrow(RingBuffer(capacity: capacity)) : .wide(RingBuffer(capacity: capacity))
    }

    /// Outcomes held.
    var count: Int {
        switch storage {
        case .narrow(let ring): ring.count
        case .wide(let ring): ring.count
        }
    }

    /// Appends an outcome's counts (each at most the levels given at creation), returning the evicted oldest.
    mutating func append(_ position: Position) -> Position? {
        switch storage {
        case .narrow(var ring):
            storage = .wide(RingBuffer(capacity: 1))  // no second reference while the ring is appended to
            let evicted = ring.append(UInt8(position.less) | UInt8(position.lessOrEqual) << 4)
            storage = .narrow(ring)
            return evicted.map { Position(less: Int($0 & 0x0F), lessOrEqual: Int($0 >> 4)) }
        case .wide(var ring):
            storage = .narrow(RingBuffer(capacity: 1))
            let evicted = ring.append(UInt16(position.less) | UInt16(position.lessOrEqual) << 8)
            storage = .wide(ring)
            return evicted.map(Self.position(packed:))
        }
    }

    /// The counts as saved: `#{q′ < y}` in the low byte, `#{q′ ≤ y}` in the high byte, oldest first.
    var saved: RingBuffer<UInt16> {
        switch storage {
        case .narrow(let ring):
            RingBuffer(capacity: ring.capacity, elements: ring.map { UInt16($0 & 0x0F) | UInt16($0 >> 4) << 8 })
        case .wide(let ring): ring
        }
    }

    /// Bytes the window has allocated for its outcomes, for memory accounting.
    var allocatedBytes: Int {
        switch storage {
        case .narrow(let ring): ring.allocatedCapacity
        case .wide(let ring): ring.allocatedCapacity * 2
        }
    }

    /// The counts of a saved two-byte entry.
    static func position(packed: UInt16) -> Position {
        Position(less: Int(packed & 0xFF), lessOrEqual: Int(packed >> 8))
    }
}
