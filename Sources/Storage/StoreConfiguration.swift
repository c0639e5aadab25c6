/// How the barnnd database file is opened.
public struct StoreConfiguration: Sendable {
    /// Whether the store may write.
    public enum Access: Sendable {
        /// Migrates the schema and writes (the daemon).
        case readWrite
        /// Only reads; the schema must already be current (the CLI inspecting a live daemon's file).
        case readOnly
    }

    /// Read-write for the daemon, read-only for inspection. The default is `.readWrite`.
    public var access: Access
    /// How long a statement waits for another connection's lock before failing with ``StorageError/Code/locked``.
    /// The default is 5 seconds. See <https://www.sqlite.org/c3ref/busy_timeout.html>.
    public var busyTimeout: Duration
    /// A hard cap on the file size, in pages (4096 bytes by default); past it writes fail with
    /// ``StorageError/Code/diskFull``. `nil` (the default) leaves SQLite's limit.
    /// See <https://www.sqlite.org/pragma.html#pragma_max_page_count>.
    public var maximumPageCount: Int?
    /// The writer connection's page cache in KiB; it fills as the file grows and then stays resident. The default
    /// is 16384 (16 MiB): inserts of 10,000 interleaved streams ran as fast with 8 or 16 MiB as with 64.
    /// See <https://www.sqlite.org/pragma.html#pragma_cache_size>.
    public var writerCacheKiB: Int
    /// The most concurrent reader connections. The default is 4.
    public var maximumReaderCount: Int
    /// Receives the SQL of every statement the Store's connections run, for tests that assert what SQL ran
    /// (StorageTestKit); `nil`, the default, traces nothing.
    package var statementObserver: (@Sendable (String) -> Void)?

    /// Creates a configuration; every parameter has the documented default.
    public init(
        access: Access = .readWrite, busyTimeout: Duration = .seconds(5), maximumPageCount: Int? = nil,
        writerCacheKiB: Int = 16384, maximumReaderCount: Int = 4
    ) {
        self.access = access
        self.busyTimeout = busyTimeout
        self.maximumPageCount = maximumPageCount
        self.writerCacheKiB = writerCacheKiB
        self.maximumReaderCount = maximumReaderCount
    }
}
