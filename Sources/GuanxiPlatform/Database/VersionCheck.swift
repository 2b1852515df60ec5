import FluentKit
import Foundation
import SQLKit

/// Optimistic concurrency for records people edit together: each carries a `version`
/// that grows by one on every save. A save names the version it started from; if the
/// stored one differs, someone saved in between and the save is refused.
public enum VersionCheck {
    /// Fails with a conflict when the client's version is not the stored one.
    public static func require(_ expected: Int?, current: Int, what: String) throws {
        if let expected, expected != current { throw conflict(what, current: current) }
    }

    /// Moves `table`'s row from `version` to `version + 1` inside the caller's transaction;
    /// the check and the write are one statement, so two servers cannot both win.
    public static func bump(_ table: String, id: UUID, from version: Int, on db: any Database, what: String) async throws {
        let saved = try await (db as! any SQLDatabase).update(table).set("version", to: version + 1)
            .where("id", .equal, id).where("version", .equal, version).returning("id").all()
        guard !saved.isEmpty else { throw conflict(what, current: version + 1) }
    }

    /// For a save that turns out to change nothing: confirms that `table`'s row is still at
    /// `version`, the one the record was read at. The values the save compared with were
    /// read after that, so another save in between may have made them equal to what this
    /// one sends — answering "saved" then would lose this change without a word.
    public static func confirm(_ table: String, id: UUID, at version: Int, what: String, on sql: any SQLDatabase) async throws {
        let stored = try await sql.select().column("version").from(table).where("id", .equal, id).first(decodingColumn: "version", as: Int.self)
        guard stored == version else { throw conflict(what, current: stored ?? version) }
    }

    public static func conflict(_ what: String, current: Int) -> GuanxiError {
        GuanxiError(.conflict, "Someone else changed this \(what) since you loaded it (now version \(current)). Reload it and apply your change again.",
                    code: "version_conflict").localized("msg.version_conflict", [:])
    }
}
