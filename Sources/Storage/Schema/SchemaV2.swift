/// Version 2 of the schema: every time column holds INTEGER microseconds since the Unix epoch (UTC) and ends `_us`.
///
/// Version 1 kept milliseconds, which truncated a 64 Hz stream's times (…45.984375 → …45.984) and made readings
/// under 1 ms apart collide on the primary key. ``migration`` turns a version 1 file into version 2 in the
/// migrator's one transaction; a new file runs version 1 and then this, so both reach the same schema.
///
/// Tables whose time column is part of a primary key or a unique constraint (`observations`, `forecasts`, `drift`)
/// are rebuilt (create, copy ×1000, drop, rename): updating such a key in place could collide with a row not yet
/// scaled. The other tables rename the column and scale it in place. Constraints and indexes are otherwise as in
/// ``SchemaV1``. Millisecond values whose microseconds would leave `Int64` (in practice only the `Int64.min`
/// "no observation yet" mark of `stream_states.t_ms`) saturate at its bounds instead of turning into REAL.
enum SchemaV2 {
    /// `column` (milliseconds) as microseconds, saturating at the `Int64` bounds.
    static func scaled(_ column: String) -> String {
        "CASE WHEN \(column) > 9223372036854775 THEN 9223372036854775807 "
            + "WHEN \(column) < -9223372036854775 THEN -9223372036854775807 - 1 ELSE \(column) * 1000 END"
    }

    /// ISO-8601 text of a microsecond `column` with all six fractional digits (`strftime`'s `%f` stops at
    /// milliseconds). Unlike barnnd's output the zeros are kept, so `ORDER BY` on the text is time order.
    static func iso(_ column: String) -> String {
        "strftime('%Y-%m-%dT%H:%M:%S', \(column) / 1000000 - (\(column) % 1000000 < 0), 'unixepoch')"
            + " || printf('.%06dZ', (\(column) % 1000000 + 1000000) % 1000000)"
    }

    static let migration = """
        DROP VIEW streams_view;
        DROP VIEW observations_view;
        DROP VIEW forecasts_view;
        DROP VIEW checkpoints_view;
        DROP VIEW stream_states_view;
        DROP VIEW drift_view;
        DROP VIEW events_view;
        DROP VIEW rejects_view;

        ALTER TABLE streams RENAME COLUMN first_seen_ms TO first_seen_us;
        ALTER TABLE streams RENAME COLUMN last_seen_ms TO last_seen_us;
        UPDATE streams SET first_seen_us = \(scaled("first_seen_us")), last_seen_us = \(scaled("last_seen_us"));

        CREATE TABLE observations_v2 (
            stream_id INTEGER NOT NULL REFERENCES streams(id) ON DELETE CASCADE,
            t_us INTEGER NOT NULL,
            value REAL,
            PRIMARY KEY (stream_id, t_us)
        ) WITHOUT ROWID;
        INSERT INTO observations_v2 (stream_id, t_us, value)
            SELECT stream_id, \(scaled("t_ms")), value FROM observations ORDER BY stream_id, t_ms;
        DROP TABLE observations;
        ALTER TABLE observations_v2 RENAME TO observations;

        CREATE TABLE forecasts_v2 (
            stream_id INTEGER NOT NULL REFERENCES streams(id) ON DELETE CASCADE,
            issued_at_us INTEGER NOT NULL,
            step INTEGER NOT NULL,
            t_us INTEGER NOT NULL,
            mean REAL NOT NULL,
            levels_id INTEGER NOT NULL REFERENCES quantile_levels(id),
            quantiles BLOB NOT NULL,
            PRIMARY KEY (stream_id, issued_at_us, step)
        ) WITHOUT ROWID;
        INSERT INTO forecasts_v2 (stream_id, issued_at_us, step, t_us, mean, levels_id, quantiles)
            SELECT stream_id, \(scaled("issued_at_ms")), step, \(scaled("t_ms")), mean, levels_id, quantiles
            FROM forecasts ORDER BY stream_id, issued_at_ms, step;
        DROP TABLE forecasts;
        ALTER TABLE forecasts_v2 RENAME TO forecasts;
        CREATE INDEX forecasts_by_target ON forecasts(stream_id, step, t_us);

        ALTER TABLE checkpoints RENAME COLUMN created_at_ms TO created_at_us;
        UPDATE checkpoints SET created_at_us = \(scaled("created_at_us"));

        ALTER TABLE stream_states RENAME COLUMN t_ms TO t_us;
        ALTER TABLE stream_states RENAME COLUMN saved_at_ms TO saved_at_us;
        UPDATE stream_states SET t_us = \(scaled("t_us")), saved_at_us = \(scaled("saved_at_us"));

        CREATE TABLE drift_v2 (
            id INTEGER PRIMARY KEY,
            stream_id INTEGER NOT NULL REFERENCES streams(id) ON DELETE CASCADE,
            window_end_us INTEGER NOT NULL,
            n INTEGER NOT NULL,
            crps REAL,
            mae REAL,
            coverage TEXT NOT NULL DEFAULT '{}',
            pit_bins TEXT NOT NULL DEFAULT '[]',
            alarm INTEGER NOT NULL DEFAULT 0 CHECK (alarm IN (0, 1)),
            UNIQUE (stream_id, window_end_us)
        );
        INSERT INTO drift_v2 (id, stream_id, window_end_us, n, crps, mae, coverage, pit_bins, alarm)
            SELECT id, stream_id, \(scaled("window_end_ms")), n, crps, mae, coverage, pit_bins, alarm
            FROM drift ORDER BY id;
        DROP TABLE drift;
        ALTER TABLE drift_v2 RENAME TO drift;
        CREATE INDEX drift_by_time ON drift(window_end_us);

        ALTER TABLE events RENAME COLUMN time_ms TO time_us;
        UPDATE events SET time_us = \(scaled("time_us"));

        ALTER TABLE rejects RENAME COLUMN time_ms TO time_us;
        UPDATE rejects SET time_us = \(scaled("time_us"));
        """

    static let views = """
        CREATE VIEW streams_view AS
            SELECT id, name, \(iso("first_seen_us")) AS first_seen, \(iso("last_seen_us")) AS last_seen
            FROM streams;
        CREATE VIEW observations_view AS
            SELECT s.name AS stream, \(iso("o.t_us")) AS t, o.value
            FROM observations o JOIN streams s ON s.id = o.stream_id;
        CREATE VIEW forecasts_view AS
            SELECT s.name AS stream, \(iso("f.issued_at_us")) AS issued_at, f.step, \(iso("f.t_us")) AS t, f.mean,
                l.levels AS levels, hex(f.quantiles) AS quantiles_f32le_hex
            FROM forecasts f JOIN streams s ON s.id = f.stream_id JOIN quantile_levels l ON l.id = f.levels_id;
        CREATE VIEW checkpoints_view AS
            SELECT id, model, version, kind, \(iso("created_at_us")) AS created_at,
                training_metrics, validation_metrics, active, printf('%08x', checksum) AS crc32, blob_bytes
            FROM checkpoints;
        CREATE VIEW stream_states_view AS
            SELECT s.name AS stream, c.model, c.version, \(iso("st.t_us")) AS t, \(iso("st.saved_at_us")) AS saved_at,
                length(st.hidden) AS hidden_bytes, length(st.normaliser) AS normaliser_bytes,
                length(st.calibrator) AS calibrator_bytes
            FROM stream_states st JOIN streams s ON s.id = st.stream_id
                LEFT JOIN checkpoints c ON c.id = st.checkpoint_id;
        CREATE VIEW drift_view AS
            SELECT s.name AS stream, \(iso("d.window_end_us")) AS window_end,
                d.n, d.crps, d.mae, d.coverage, d.pit_bins, d.alarm
            FROM drift d JOIN streams s ON s.id = d.stream_id;
        CREATE VIEW events_view AS
            SELECT e.id, \(iso("e.time_us")) AS time, e.kind, e.model, s.name AS stream, e.detail
            FROM events e LEFT JOIN streams s ON s.id = e.stream_id;
        CREATE VIEW rejects_view AS
            SELECT id, \(iso("time_us")) AS time, topic, excerpt, payload_bytes, reason
            FROM rejects;
        """
}
