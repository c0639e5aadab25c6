import GRDB

/// The schema, as an ordered list of GRDB migrations. Each migration ends by setting `PRAGMA user_version`, so a
/// newer file is recognised without knowing its migration names. Shipped migrations never change: a file at any
/// version replays only the ones after it.
enum StoreMigrator {
    static let migrator: DatabaseMigrator = {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-initial-schema") { db in
            try db.execute(sql: SchemaV1.tables)
            try db.execute(sql: SchemaV1.views)
            try db.execute(sql: "PRAGMA user_version = 1")
        }
        migrator.registerMigration("v2-microsecond-times") { db in
            try db.execute(sql: SchemaV2.migration)
            try db.execute(sql: SchemaV2.views)
            try db.execute(sql: "PRAGMA user_version = 2")
        }
        migrator.registerMigration("v3-calibration-pools") { db in
            try db.execute(sql: SchemaV3.migration)
            try db.execute(sql: "PRAGMA user_version = 3")
        }
        return migrator
    }()
}
