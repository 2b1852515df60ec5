import Foundation
import SQLKit

/// Organisation-wide settings kept as JSON values in the `settings` table. They are read
/// for nearly every record checked (a customer's grade against the grade scale) and change
/// rarely, so each value is kept for a moment (`DefinitionCaches`); a change through
/// `set` takes effect at once.
public struct SettingsStore: Sendable {
    package init(database: DatabaseService, audit: AuditLog, clock: any Clock, caches: DefinitionCaches) {
        (self.database, self.audit, self.clock) = (database, audit, clock)
        stored = caches.cache(forgettingOn: [.settings])
    }
    package let database: DatabaseService
    package let audit: AuditLog
    package let clock: any Clock
    /// Each key's stored JSON text, nil for a key never set.
    private let stored: ShortLivedCache<String, String?>

    public func value<T: Decodable>(_ key: String, as type: T.Type) async throws -> T? {
        let text: String?
        if let cached = stored.value(for: key) {
            text = cached
        } else {
            text = try await database.sql.select().column("value").from("settings").where("key", .equal, key).first(decodingColumn: "value", as: String.self)
            stored.store(text, for: key)
        }
        return text.flatMap { try? JSONDecoder().decode(T.self, from: Data($0.utf8)) }
    }

    /// Stores a value, audited with its old and new JSON; a `secret` (a password, an API
    /// key) is audited as changed without either.
    public func set<T: Encodable>(_ key: String, to value: T, by actor: Principal, secret: Bool = false) async throws {
        let json = String(decoding: try JSONEncoder.sorted.encode(value), as: UTF8.self)
        let old = try await database.sql.select().column("value").from("settings").where("key", .equal, key)
            .first(decodingColumn: "value", as: String.self)
        try await database.db.transaction { tx in
            let sql = tx as! any SQLDatabase
            try await sql.delete(from: "settings").where("key", .equal, key).run()
            try await sql.insert(into: "settings").columns("key", "value", "updated_at").values(SQLBind(key), SQLBind(json), SQLBind(clock.now())).run()
            try await audit.record(on: tx, actor: actor, action: .update, kind: .settings, id: key, label: key,
                                   changes: [secret ? FieldChange(field: key, old: old == nil ? nil : "••••", new: "••••") : FieldChange(field: key, old: old, new: json)])
        }
    }
}
