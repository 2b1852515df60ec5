import FluentKit
import SQLKit
import GuanxiPlatform

/// The columns each user chose for each list (`SavedViewService.keepColumns`).
struct M0033_CreateListColumns: GuanxiMigration {
    let name = "0033_CreateListColumns"
    func prepare(on db: any Database) async throws {
        try await db.schema("list_columns")
            .field("owner_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("record_kind", .string, .required)
            .field("columns", .string, .required)
            .field("updated_at", .datetime, .required)
            .unique(on: "owner_id", "record_kind")
            .create()
    }
    func revert(on db: any Database) async throws {
        try await db.schema("list_columns").delete()
    }
}
