import FluentKit
import Foundation
import GuanxiPlatform

extension RecordKind {
    /// Saved list views; each user keeps their own, shared ones are seen by all.
    public static let savedViews = RecordKind(rawValue: "saved_views")
}

/// A saved list view (视图): a list's filters, sort and columns under a name, for its
/// owner alone or shared with everyone who may read that kind of record.
public final class SavedView: Model, @unchecked Sendable {
    public static let schema = "saved_views"
    @ID(key: .id) public var id: UUID?
    @Field(key: "record_kind") public var recordKind: String
    @Field(key: "name") public var name: String
    @OptionalField(key: "owner_id") public var ownerID: UUID?
    @Field(key: "shared") public var shared: Bool
    /// The list's query string without paging, e.g. `stage=growth&cf=region:华东`.
    @Field(key: "query") public var query: String
    /// Column keys, in order, as JSON.
    @Field(key: "columns") package var columnsJSON: String
    @Field(key: "created_at") public var createdAt: Date
    @Field(key: "updated_at") public var updatedAt: Date
    public init() {}

    public var columns: [String] {
        get { (try? JSONDecoder().decode([String].self, from: Data(columnsJSON.utf8))) ?? [] }
        set { columnsJSON = String(decoding: (try? JSONEncoder().encode(newValue)) ?? Data("[]".utf8), as: UTF8.self) }
    }

    package var auditSnapshot: AuditSnapshot {
        ["record_kind": recordKind, "name": name, "shared": String(shared), "query": query, "columns": columns.joined(separator: ", ")]
    }
}
