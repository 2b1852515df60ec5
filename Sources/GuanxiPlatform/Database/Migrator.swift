import FluentKit
import Foundation
import SQLKit

/// One numbered, reversible change of the schema.
public protocol GuanxiMigration: Sendable {
    /// Stable name stored in the database, e.g. `0001_CreateUsers`. Never change it once shipped.
    var name: String { get }
    func prepare(on db: any Database) async throws
    func revert(on db: any Database) async throws
    /// Whether the migration changes the keys records are found by (and every reference to
    /// them). On SQLite such a run checks the references once, at its end (`runChecked`).
    var rewritesKeys: Bool { get }
}

extension GuanxiMigration {
    public var rewritesKeys: Bool { false }
}

/// Applies and reverts migrations. A run happens in one transaction, so a failure
/// leaves the schema exactly as it was. A database that holds migrations this build
/// does not know was written by a newer Guanxi and is refused.
public struct Migrator: Sendable {
    public static let table = "guanxi_schema_migrations"
    package let db: any Database
    package let migrations: [any GuanxiMigration]
    package let clock: any Clock

    public init(db: any Database, migrations: [any GuanxiMigration], clock: any Clock = SystemClock()) {
        self.db = db
        self.migrations = migrations
        self.clock = clock
    }

    public enum State: Equatable, Sendable {
        case current
        case pending([String])
        case newerThanThisBuild([String])
    }

    public func state() async throws -> State {
        let applied = try await appliedNames()
        let known = Set(migrations.map(\.name))
        let unknown = applied.filter { !known.contains($0) }
        if !unknown.isEmpty { return .newerThanThisBuild(unknown) }
        let pending = migrations.map(\.name).filter { !applied.contains($0) }
        return pending.isEmpty ? .current : .pending(pending)
    }

    /// Applies every pending migration; returns their names.
    @discardableResult
    public func migrate() async throws -> [String] {
        try await ensureTable()
        if case .newerThanThisBuild(let unknown) = try await state() { throw Self.newerSchemaError(unknown) }
        let applied = Set(try await appliedNames())
        let pending = migrations.filter { !applied.contains($0.name) }
        guard !pending.isEmpty else { return [] }
        let now = clock.now()
        try await runChecked(rewritingKeys: pending.contains { $0.rewritesKeys }) { tx in
            for migration in pending {
                try await migration.prepare(on: tx)
                try await (tx as! any SQLDatabase).insert(into: Self.table)
                    .columns("name", "applied_at")
                    .values(SQLBind(migration.name), SQLBind(now))
                    .run()
            }
        }
        return pending.map(\.name)
    }

    /// Reverts the last `steps` applied migrations, newest first; returns their names.
    @discardableResult
    public func revert(steps: Int = 1) async throws -> [String] {
        try await ensureTable()
        if case .newerThanThisBuild(let unknown) = try await state() { throw Self.newerSchemaError(unknown) }
        let applied = try await appliedNames()
        let byName = Dictionary(uniqueKeysWithValues: migrations.map { ($0.name, $0) })
        let toRevert = applied.reversed().prefix(steps).compactMap { byName[$0] }
        try await runChecked(rewritingKeys: toRevert.contains { $0.rewritesKeys }) { tx in
            for migration in toRevert {
                try await migration.revert(on: tx)
                try await (tx as! any SQLDatabase).delete(from: Self.table).where("name", .equal, migration.name).run()
            }
        }
        return toRevert.map(\.name)
    }

    package static func newerSchemaError(_ unknown: [String]) -> GuanxiError {
        GuanxiError(.configuration, "The database was written by a newer version of Guanxi (it has migrations this version does not know: \(unknown.joined(separator: ", "))). Upgrade Guanxi, or restore a backup made for this version.")
    }

    /// Runs `body` in one transaction. SQLite checks a foreign key for every row a statement
    /// changes, and for a changed key it looks for the rows that name it — through every
    /// table naming it that has no index on that column (every record's creator, a user;
    /// before migration 0049 also a deal's contact and a lead's converted contact).
    /// Rewriting a million contacts' keys that way read those tables a million times. So a run that rewrites keys does what
    /// SQLite's documentation advises for such changes: the checks are off while it runs,
    /// and before it commits `PRAGMA foreign_key_check` must find no reference left
    /// pointing nowhere that did not already before. (SQLite ignores the pragma inside a
    /// transaction; its one writing connection runs the migrations, so the setting holds.)
    private func runChecked(rewritingKeys: Bool, _ body: @escaping @Sendable (any Database) async throws -> Void) async throws {
        let sql = db as! any SQLDatabase
        guard rewritingKeys, sql.dialect.name == "sqlite" else { return try await db.transaction(body) }
        let before = try await Self.danglingReferences(sql)
        try await sql.raw("PRAGMA foreign_keys = OFF").run()
        do {
            try await db.transaction { tx in
                try await body(tx)
                let after = try await Self.danglingReferences(tx as! any SQLDatabase)
                if after > before {
                    throw GuanxiError(.internal, "A migration left references to records that do not exist (\(after - before) more than before); nothing was changed.")
                }
            }
        } catch {
            try? await sql.raw("PRAGMA foreign_keys = ON").run()
            throw error
        }
        try await sql.raw("PRAGMA foreign_keys = ON").run()
    }

    /// How many references to a missing record `PRAGMA foreign_key_check` finds.
    private static func danglingReferences(_ sql: any SQLDatabase) async throws -> Int {
        try await sql.raw("SELECT count(*) AS n FROM pragma_foreign_key_check").first(decodingColumn: "n", as: Int.self) ?? 0
    }

    private func ensureTable() async throws {
        try await (db as! any SQLDatabase).create(table: Self.table)
            .ifNotExists()
            .column("name", type: .text, .primaryKey(autoIncrement: false))
            .column("applied_at", type: .timestamp, .notNull)
            .run()
    }

    /// Applied migration names in the order they were applied (names sort by their number).
    private func appliedNames() async throws -> [String] {
        let sql = db as! any SQLDatabase
        let exists: Bool
        switch sql.dialect.name {
        case "sqlite":
            exists = try await sql.raw("SELECT name FROM sqlite_master WHERE type='table' AND name=\(bind: Self.table)").first() != nil
        default:
            exists = try await sql.raw("SELECT to_regclass(\(bind: Self.table)) IS NOT NULL AS present").first(decodingColumn: "present", as: Bool.self) ?? false
        }
        guard exists else { return [] }
        return try await sql.select().column("name").from(Self.table).orderBy("name").all(decodingColumn: "name", as: String.self)
    }
}
