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

    public static func conflict(_ what: String, current: Int) -> GuanxiError {
        GuanxiError(.conflict, "Someone else changed this \(what) since you loaded it (now version \(current)). Reload it and apply your change again.",
                    code: "version_conflict").localized("msg.version_conflict", [:])
    }
}
