/// Version 1 of the schema, as shipped: ``SchemaV2`` migrates it to microsecond times.
///
/// Times are INTEGER milliseconds since the Unix epoch (UTC) in columns ending `_ms`. Streams are referred to by
/// their integer `streams.id` so the hot tables stay small. `observations` and `forecasts` are `WITHOUT ROWID`
/// tables clustered by stream and time, which is what the CLI's per-stream range queries read.
///
/// Forecast quantiles are a BLOB of little-endian Float32, one per level of the row's `quantile_levels` entry:
/// 4 bytes per quantile against 8–10 for JSON text, and no number formatting on the hot path. storage-bench measured
/// 74 against 102 file bytes per row (5 levels, index included) and raw inserts 1.2–2× faster, so the blob wins;
/// `sqlite3` users see the levels as JSON and the quantiles as hex in `forecasts_view`.
/// The `*_view` views give ISO-8601 times and stream names for plain `sqlite3`.
enum SchemaV1 {
    static let tables = """
        CREATE TABLE streams (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            first_seen_ms INTEGER NOT NULL,
            last_seen_ms INTEGER NOT NULL
        );
        CREATE TABLE observations (
            stream_id INTEGER NOT NULL REFERENCES streams(id) ON DELETE CASCADE,
            t_ms INTEGER NOT NULL,
            value REAL,
            PRIMARY KEY (stream_id, t_ms)
        ) WITHOUT ROWID;
        CREATE TABLE quantile_levels (
            id INTEGER PRIMARY KEY,
            levels TEXT NOT NULL UNIQUE
        );
        CREATE TABLE forecasts (
            stream_id INTEGER NOT NULL REFERENCES streams(id) ON DELETE CASCADE,
            issued_at_ms INTEGER NOT NULL,
            step INTEGER NOT NULL,
            t_ms INTEGER NOT NULL,
            mean REAL NOT NULL,
            levels_id INTEGER NOT NULL REFERENCES quantile_levels(id),
            quantiles BLOB NOT NULL,
            PRIMARY KEY (stream_id, issued_at_ms, step)
        ) WITHOUT ROWID;
        CREATE INDEX forecasts_by_target ON forecasts(stream_id, step, t_ms);
        CREATE TABLE checkpoints (
            id INTEGER PRIMARY KEY,
            model TEXT NOT NULL,
            version INTEGER NOT NULL,
            kind TEXT NOT NULL,
            created_at_ms INTEGER NOT NULL,
            training_metrics TEXT NOT NULL DEFAULT '{}',
            validation_metrics TEXT NOT NULL DEFAULT '{}',
            active INTEGER NOT NULL DEFAULT 0 CHECK (active IN (0, 1)),
            checksum INTEGER NOT NULL,
            blob_bytes INTEGER NOT NULL,
            blob BLOB NOT NULL,
            UNIQUE (model, version)
        );
        CREATE UNIQUE INDEX checkpoints_one_active ON checkpoints(model) WHERE active = 1;
        CREATE TABLE stream_states (
            stream_id INTEGER PRIMARY KEY REFERENCES streams(id) ON DELETE CASCADE,
            checkpoint_id INTEGER REFERENCES checkpoints(id) ON DELETE SET NULL,
            t_ms INTEGER NOT NULL,
            saved_at_ms INTEGER NOT NULL,
            hidden BLOB NOT NULL,
            normaliser BLOB NOT NULL,
            calibrator BLOB NOT NULL
        );
        CREATE INDEX stream_states_by_checkpoint ON stream_states(checkpoint_id);
        CREATE TABLE drift (
            id INTEGER PRIMARY KEY,
            stream_id INTEGER NOT NULL REFERENCES streams(id) ON DELETE CASCADE,
            window_end_ms INTEGER NOT NULL,
            n INTEGER NOT NULL,
            crps REAL,
            mae REAL,
            coverage TEXT NOT NULL DEFAULT '{}',
            pit_bins TEXT NOT NULL DEFAULT '[]',
            alarm INTEGER NOT NULL DEFAULT 0 CHECK (alarm IN (0, 1)),
            UNIQUE (stream_id, window_end_ms)
        );
        CREATE INDEX drift_by_time ON drift(window_end_ms);
        CREATE TABLE events (
            id INTEGER PRIMARY KEY,
            time_ms INTEGER NOT NULL,
            kind TEXT NOT NULL,
            model TEXT,
            stream_id INTEGER REFERENCES streams(id) ON DELETE SET NULL,
            detail TEXT NOT NULL DEFAULT '{}'
        );
        CREATE INDEX events_by_time ON events(time_ms);
        CREATE INDEX events_by_stream ON events(stream_id, time_ms);
        CREATE TABLE rejects (
            id INTEGER PRIMARY KEY,
            time_ms INTEGER NOT NULL,
            topic TEXT NOT NULL,
            excerpt TEXT NOT NULL,
            payload_bytes INTEGER NOT NULL,
            reason TEXT NOT NULL
        );
        CREATE INDEX rejects_by_time ON rejects(time_ms);
        """

    static let views = """
        CREATE VIEW streams_view AS
            SELECT id, name,
                strftime('%Y-%m-%dT%H:%M:%fZ', first_seen_ms / 1000.0, 'unixepoch') AS first_seen,
                strftime('%Y-%m-%dT%H:%M:%fZ', last_seen_ms / 1000.0, 'unixepoch') AS last_seen
            FROM streams;
        CREATE VIEW observations_view AS
            SELECT s.name AS stream, strftime('%Y-%m-%dT%H:%M:%fZ', o.t_ms / 1000.0, 'unixepoch') AS t, o.value
            FROM observations o JOIN streams s ON s.id = o.stream_id;
        CREATE VIEW forecasts_view AS
            SELECT s.name AS stream,
                strftime('%Y-%m-%dT%H:%M:%fZ', f.issued_at_ms / 1000.0, 'unixepoch') AS issued_at, f.step,
                strftime('%Y-%m-%dT%H:%M:%fZ', f.t_ms / 1000.0, 'unixepoch') AS t, f.mean,
                l.levels AS levels, hex(f.quantiles) AS quantiles_f32le_hex
            FROM forecasts f JOIN streams s ON s.id = f.stream_id JOIN quantile_levels l ON l.id = f.levels_id;
        CREATE VIEW checkpoints_view AS
            SELECT id, model, version, kind,
                strftime('%Y-%m-%dT%H:%M:%fZ', created_at_ms / 1000.0, 'unixepoch') AS created_at,
                training_metrics, validation_metrics, active, printf('%08x', checksum) AS crc32, blob_bytes
            FROM checkpoints;
        CREATE VIEW stream_states_view AS
            SELECT s.name AS stream, c.model, c.version,
                strftime('%Y-%m-%dT%H:%M:%fZ', st.t_ms / 1000.0, 'unixepoch') AS t,
                strftime('%Y-%m-%dT%H:%M:%fZ', st.saved_at_ms / 1000.0, 'unixepoch') AS saved_at,
                length(st.hidden) AS hidden_bytes, length(st.normaliser) AS normaliser_bytes,
                length(st.calibrator) AS calibrator_bytes
            FROM stream_states st JOIN streams s ON s.id = st.stream_id
                LEFT JOIN checkpoints c ON c.id = st.checkpoint_id;
        CREATE VIEW drift_view AS
            SELECT s.name AS stream,
                strftime('%Y-%m-%dT%H:%M:%fZ', d.window_end_ms / 1000.0, 'unixepoch') AS window_end,
                d.n, d.crps, d.mae, d.coverage, d.pit_bins, d.alarm
            FROM drift d JOIN streams s ON s.id = d.stream_id;
        CREATE VIEW events_view AS
            SELECT e.id, strftime('%Y-%m-%dT%H:%M:%fZ', e.time_ms / 1000.0, 'unixepoch') AS time, e.kind, e.model,
                s.name AS stream, e.detail
            FROM events e LEFT JOIN streams s ON s.id = e.stream_id;
        CREATE VIEW rejects_view AS
            SELECT id, strftime('%Y-%m-%dT%H:%M:%fZ', time_ms / 1000.0, 'unixepoch') AS time, topic, excerpt,
                payload_bytes, reason
            FROM rejects;
        """
}
