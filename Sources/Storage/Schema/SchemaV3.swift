/// Version 3 of the schema adds `calibration_pools`: per model group, the conformal score windows its streams share
/// (before, each stream kept its own inside `stream_states.calibrator`). A version 2 file gains the empty table; its
/// streams' own windows are moved into their group's pool when the daemon restores them.
enum SchemaV3 {
    static let migration = """
        CREATE TABLE calibration_pools (
            model TEXT PRIMARY KEY,
            saved_at_us INTEGER NOT NULL,
            pool BLOB NOT NULL
        );
        CREATE VIEW calibration_pools_view AS
            SELECT model, \(SchemaV2.iso("saved_at_us")) AS saved_at, length(pool) AS pool_bytes
            FROM calibration_pools;
        """
}
