import FluentKit
import SQLKit
import Foundation
import GuanxiPlatform

/// What a client sends to save or change a view.
public struct SavedViewInput: Sendable {
    public var recordKind: String?
    public var name: String?
    public var shared: Bool?
    public var query: String?
    public var columns: [String]?
    public init() {}
}

/// Saving list views. Anyone who may read a kind of record keeps views of its list;
/// only a view's owner (or an administrator) changes or deletes it.
public struct SavedViewService: Sendable {
    package let database: DatabaseService
    package let audit: AuditLog
    package let clock: any Clock
    /// Which lists have saved views.
    package let records: RecordKinds
    /// Each reader's views and chosen columns of each list, as read in the last moments: every
    /// list page shows both. Every change to them is audited (`.savedViews`), which empties these.
    package let shown: ShortLivedCache<ReaderList, [SavedView]>
    package let chosen: ShortLivedCache<ReaderList, [String]?>

    /// One reader's list of one kind.
    package struct ReaderList: Hashable, Sendable {
        let reader: UUID
        let kind: RecordKind
    }

    /// The caller's own views and the shared ones, by name.
    public func list(_ kind: RecordKind, for actor: Principal) async throws -> [SavedView] {
        guard actor.scope(for: .read, on: kind) != nil else { throw GuanxiError.forbidden }
        let key = ReaderList(reader: actor.userID, kind: kind)
        if let views = shown.value(for: key) { return views }
        let views = try await SavedView.query(on: database.db).filter(\.$recordKind == kind.rawValue)
            .group(.or) { $0.filter(\.$ownerID == actor.userID).filter(\.$shared == true) }.sort(\.$name).all()
        shown.store(views, for: key)
        return views
    }

    /// The columns the caller chose for `kind`'s list, in order; nil when they never chose.
    public func columns(of kind: RecordKind, for actor: Principal) async throws -> [String]? {
        guard actor.scope(for: .read, on: kind) != nil else { throw GuanxiError.forbidden }
        let key = ReaderList(reader: actor.userID, kind: kind)
        if let columns = chosen.value(for: key) { return columns }
        let columns = try await storedColumns(of: kind, for: actor)
        chosen.store(columns, for: key)
        return columns
    }

    private func storedColumns(of kind: RecordKind, for actor: Principal) async throws -> [String]? {
        try await database.sql.select().column("columns").from("list_columns")
            .where("owner_id", .equal, actor.userID).where("record_kind", .equal, kind.rawValue)
            .first(decodingColumn: "columns", as: String.self)
            .map { $0.split(separator: ",").map(String.init) }
    }

    /// Keeps the caller's choice of columns for `kind`'s list (an empty choice returns to
    /// the list's own columns). Keys are checked for form only: a key the list no longer
    /// has (a removed custom field) is passed over when the list is drawn.
    public func keepColumns(_ columns: [String], of kind: RecordKind, by actor: Principal) async throws {
        let kind = try records.named(kind.rawValue, field: "recordKind", offering: \.savedViews).kind
        guard actor.scope(for: .read, on: kind) != nil else { throw GuanxiError.forbidden }
        guard columns.count <= 40, columns.allSatisfy({ !$0.isEmpty && $0.count <= 64 && $0.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == ".") } }) else {
            throw GuanxiError.invalid("columns", "columns must be up to 40 column keys (letters, digits, _ and .).")
                .localized("msg.bad_columns", [:])
        }
        let old = try await storedColumns(of: kind, for: actor)
        let text = columns.joined(separator: ",")
        try await database.db.transaction { tx in
            let sql = tx as! any SQLDatabase
            try await sql.delete(from: "list_columns").where("owner_id", .equal, actor.userID).where("record_kind", .equal, kind.rawValue).run()
            if !columns.isEmpty {
                try await sql.insert(into: "list_columns").columns("owner_id", "record_kind", "columns", "updated_at")
                    .values(SQLBind(actor.userID), SQLBind(kind.rawValue), SQLBind(text), SQLBind(clock.now())).run()
            }
            try await audit.record(on: tx, actor: actor, action: .update, kind: .savedViews, id: "\(actor.userID.uuidString):\(kind.rawValue)",
                                   label: "\(kind.rawValue) columns", changes: [FieldChange(field: "columns", old: old?.joined(separator: ","), new: text)])
        }
    }

    public func find(_ id: UUID, for actor: Principal) async throws -> SavedView {
        guard let view = try await SavedView.find(id, on: database.db), view.shared || view.ownerID == actor.userID || actor.isAdmin,
              actor.scope(for: .read, on: RecordKind(rawValue: view.recordKind)) != nil
        else { throw GuanxiError.notFound("View") }
        return view
    }

    public func create(_ input: SavedViewInput, by actor: Principal) async throws -> SavedView {
        let view = SavedView()
        view.id = UUID()
        let kind = try records.named(input.recordKind, field: "recordKind", offering: \.savedViews).kind
        guard actor.scope(for: .read, on: kind) != nil else { throw GuanxiError.forbidden }
        view.recordKind = kind.rawValue
        view.ownerID = actor.userID
        (view.shared, view.query, view.columns) = (false, "", [])
        guard input.name != nil else { throw GuanxiError.invalid("name", "name is required.").localized("msg.required", ["field": "name"]) }
        try apply(input, to: view)
        (view.createdAt, view.updatedAt) = (clock.now(), clock.now())
        try await database.db.transaction { tx in
            try await view.create(on: tx)
            try await audit.created(on: tx, actor: actor, kind: .savedViews, id: view.id!.uuidString, label: view.name, snapshot: view.auditSnapshot)
        }
        return view
    }

    public func update(_ id: UUID, _ input: SavedViewInput, by actor: Principal) async throws -> SavedView {
        let view = try await find(id, for: actor)
        guard view.ownerID == actor.userID || actor.isAdmin else { throw GuanxiError.forbidden }
        let before = view.auditSnapshot
        try apply(input, to: view)
        guard view.auditSnapshot != before else { return view }
        view.updatedAt = clock.now()
        try await database.db.transaction { tx in
            try await view.update(on: tx)
            try await audit.updated(on: tx, actor: actor, kind: .savedViews, id: id.uuidString, label: view.name, old: before, new: view.auditSnapshot)
        }
        return view
    }

    public func delete(_ id: UUID, by actor: Principal) async throws {
        let view = try await find(id, for: actor)
        guard view.ownerID == actor.userID || actor.isAdmin else { throw GuanxiError.forbidden }
        try await database.db.transaction { tx in
            try await view.delete(on: tx)
            try await audit.deleted(on: tx, actor: actor, kind: .savedViews, id: id.uuidString, label: view.name, snapshot: view.auditSnapshot)
        }
    }

    private func apply(_ input: SavedViewInput, to view: SavedView) throws {
        if let v = input.name { view.name = try Validate.requiredText(v, field: "name", max: 60) }
        if let v = input.shared { view.shared = v }
        if let v = input.query {
            let query = try Validate.text(v, field: "query", required: false, max: 2000) ?? ""
            // Paging is not part of a view: it always opens on its first page.
            view.query = query.split(separator: "&").filter { !$0.hasPrefix("after=") && !$0.hasPrefix("cursor=") && !$0.hasPrefix("view=") }.joined(separator: "&")
        }
        if let v = input.columns {
            guard v.count <= 30, v.allSatisfy({ $0.count <= 60 && !$0.isEmpty }) else {
                throw GuanxiError.invalid("columns", "columns holds at most 30 column keys.").localized("msg.too_many", ["field": "columns", "max": "30"])
            }
            view.columns = v
        }
    }
}
