/// Decides which occurrences of a repeated error get logged: the first per key, then at most one per interval,
/// carrying how many were suppressed in between.
///
/// A value type owned by one thread (the engine loop); times are seconds on any monotonic or wall clock.
public struct RepeatedErrorLimiter: Sendable {
    /// What to do with one occurrence.
    public enum Decision: Sendable, Equatable {
        /// Log it; `suppressed` occurrences of the same key were swallowed since the last logged one.
        case log(suppressed: Int)
        /// Swallow it.
        case suppress
    }

    private struct Entry {
        var lastLogged: Double
        var suppressed: Int
    }

    /// Shortest time between two logged occurrences of one key, in seconds; zero logs every occurrence.
    public var interval: Double
    /// Most keys remembered; past it the stalest half is forgotten (their next occurrence logs again).
    public var maximumKeys: Int
    private var entries: [String: Entry] = [:]

    /// A limiter with `interval` seconds between logs of one key.
    public init(interval: Double, maximumKeys: Int = 10_000) {
        self.interval = interval
        self.maximumKeys = max(1, maximumKeys)
    }

    /// Records an occurrence of `key` at `now` and says whether to log it.
    public mutating func record(_ key: String, now: Double) -> Decision {
        guard interval > 0 else { return .log(suppressed: 0) }
        if var entry = entries[key] {
            if now - entry.lastLogged < interval {
                entry.suppressed += 1
                entries[key] = entry
                return .suppress
            }
            entries[key] = Entry(lastLogged: now, suppressed: 0)
            return .log(suppressed: entry.suppressed)
        }
        if entries.count >= maximumKeys {
            let stalest = entries.sorted { $0.value.lastLogged < $1.value.lastLogged }.prefix(entries.count / 2)
            for (stale, _) in stalest { entries[stale] = nil }
        }
        entries[key] = Entry(lastLogged: now, suppressed: 0)
        return .log(suppressed: 0)
    }
}
