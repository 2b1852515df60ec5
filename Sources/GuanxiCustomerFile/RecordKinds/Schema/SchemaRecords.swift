import FluentKit
import Foundation
import SQLKit
import GuanxiPlatform

/// Reading and writing the records of a schema kind: every read through the permission
/// check, every write versioned, in one transaction with its audit entry.
package struct SchemaRecords: Sendable {
    package let schema: RecordSchema
    package let database: DatabaseService
    package let permissions: PermissionService
    /// Versioned, audited writes, the same as every other kind's.
    package let writer: RecordWriter
    package var clock: any Clock { writer.clock }

    package var kind: RecordKind { schema.kind }
    package var what: String { kind.rawValue }

    /// The record if the actor may do `action` on it; 404 when it may not read it.
    package func find(_ id: UUID, for actor: Principal, action: PermissionAction = .read) async throws -> SchemaRecord {
        guard let row = try await database.sql.select().column(SQLLiteral.all).from(schema.table).where("id", .equal, id).first() else {
            throw GuanxiError.notFound(what)
        }
        let record = try decode(row)
        try await permissions.requireAccess(actor, action, on: kind, owner: record.ownerID, notFound: .notFound(what))
        return record
    }

    package func decode(_ row: any SQLRow) throws -> SchemaRecord {
        var values: [String: String] = [:]
        for field in schema.fields {
            switch field.type {
            case .number: values[field.key] = try row.decode(column: field.key, as: Int64?.self).map(String.init)
            case .text, .date: values[field.key] = try row.decode(column: field.key, as: String?.self)
            }
        }
        return SchemaRecord(id: try row.decode(column: "id", as: UUID.self), ownerID: try row.decode(column: "owner_id", as: UUID?.self),
                            version: try row.decode(column: "version", as: Int.self), createdAt: try row.decode(column: "created_at", as: Date.self),
                            updatedAt: try row.decode(column: "updated_at", as: Date.self), values: values)
    }

    /// Checks what a client sent: known fields only, each of its type and length; on a
    /// new record every required field. A value of "" clears a field.
    package func checked(_ input: [String: String], isNew: Bool) throws -> [String: String?] {
        var out: [String: String?] = [:]
        for key in input.keys.sorted() where schema.field(key) == nil {
            throw GuanxiError.invalid(key, "\(key) is not a field of \(what).").localized("msg.unknown_field", ["field": key])
        }
        for field in schema.fields {
            guard let sent = input[field.key] else {
                if isNew && field.required { throw GuanxiError.invalid(field.key, "\(field.key) is required.").localized("msg.required", ["field": field.key]) }
                continue
            }
            let text = sent.trimmingCharacters(in: .whitespacesAndNewlines)
            if text.isEmpty {
                if field.required { throw GuanxiError.invalid(field.key, "\(field.key) is required.").localized("msg.required", ["field": field.key]) }
                out[field.key] = .some(nil)
                continue
            }
            switch field.type {
            case .text:
                guard text.count <= field.maxLength else {
                    throw GuanxiError.invalid(field.key, "\(field.key) is longer than \(field.maxLength) characters.")
                        .localized("msg.too_long", ["field": field.key, "max": String(field.maxLength)])
                }
                out[field.key] = text
            case .number:
                guard let number = Int64(text), abs(number) < 1_000_000_000_000_000 else {
                    throw GuanxiError.invalid(field.key, "\(field.key) must be a whole number.").localized("msg.whole_number", ["field": field.key])
                }
                out[field.key] = String(number)
            case .date:
                _ = try Validate.localDay(text, field: field.key, timeZone: "UTC")
                out[field.key] = text
            }
        }
        return out
    }

    /// A new record, checked completely and not yet saved.
    package func prepare(_ input: [String: String], ownerID: UUID??, by actor: Principal) async throws -> SchemaRecord {
        _ = try permissions.require(actor, .create, on: kind)
        let values = try checked(input, isNew: true).compactMapValues { $0 }
        let owner = ownerID ?? actor.userID
        if let ownerID { try await checkOwner(ownerID) }
        try await permissions.requireAccess(actor, .create, on: kind, owner: owner, notFound: .forbidden)
        let now = clock.now()
        return SchemaRecord(id: UUID(), ownerID: owner, version: 1, createdAt: now, updatedAt: now, values: values)
    }

    /// An owner a client names must be an active user (nil: no owner).
    private func checkOwner(_ owner: UUID?) async throws {
        guard let owner else { return }
        guard try await database.sql.select().column("id").from("users").where("id", .equal, owner).where("is_active", .equal, true).first() != nil else {
            throw GuanxiError.invalid("ownerId", "ownerId does not name an active user.").localized("msg.unknown_reference", ["field": "ownerId"])
        }
    }

    package func create(_ input: [String: String], ownerID: UUID?? = nil, by actor: Principal) async throws -> SchemaRecord {
        let record = try await prepare(input, ownerID: ownerID, by: actor)
        try await writer.create { tx in try await insert(record, by: actor, on: tx) }
        return record
    }

    package func insert(_ record: SchemaRecord, by actor: Principal, on tx: any Database) async throws {
        try await writer.insert(id: record.id, custom: nil, entry: writer.createdEntry(id: record.id, label: label(record), snapshot: record.snapshot(schema), by: actor),
                                on: tx) { tx in try await insertRow(record, on: tx) }
    }

    private func label(_ record: SchemaRecord) -> String { record.values[schema.nameField] ?? "" }

    /// Writes the row as it is, unaudited: the caller's audit entry covers it (a merge's undo).
    package func insertRow(_ record: SchemaRecord, on tx: any Database) async throws {
        var columns = ["id", "owner_id", "search_text", "version", "created_at", "updated_at"]
        var values: [any SQLExpression] = [SQLBind(record.id), SQLBind(record.ownerID), SQLBind(searchText(record.values)), SQLBind(record.version),
                                           SQLBind(record.createdAt), SQLBind(record.updatedAt)]
        for field in schema.fields {
            columns.append(field.key)
            values.append(bind(field, record.values[field.key]))
        }
        try await (tx as! any SQLDatabase).insert(into: schema.table).columns(columns).values(values).run()
    }

    /// Writes every field, the owner, version and change time of a stored record as
    /// `record` has them, unaudited: the caller's audit entry covers it (a merge and its undo).
    package func overwrite(_ record: SchemaRecord, on tx: any Database) async throws {
        var update = (tx as! any SQLDatabase).update(schema.table).set("owner_id", to: record.ownerID).set("search_text", to: searchText(record.values))
            .set("version", to: record.version).set("updated_at", to: record.updatedAt)
        for field in schema.fields { update = update.set(SQLIdentifier(field.key), to: bind(field, record.values[field.key])) }
        try await update.where("id", .equal, record.id).run()
    }

    /// Changes the fields `input` names (and the owner, when `ownerID` is given);
    /// `alsoIn` runs in the same transaction.
    @discardableResult
    package func update(_ id: UUID, _ input: [String: String], ownerID: UUID?? = nil, expectedVersion: Int?, by actor: Principal,
                alsoIn: (@Sendable (any Database) async throws -> Void)? = nil) async throws -> SchemaRecord {
        let old = try await find(id, for: actor, action: .update)
        try writer.requireVersion(expectedVersion, current: old.version)
        var new = old
        for (key, value) in try checked(input, isNew: false) { new.values[key] = value }
        if let ownerID {
            try await checkOwner(ownerID)
            try await permissions.requireAccess(actor, .update, on: kind, owner: ownerID, notFound: .forbidden)
            new.ownerID = ownerID
        }
        let change = RecordWriter.Change(id: id, label: label(new), version: old.version, before: old.snapshot(schema), after: new.snapshot(schema))
        let stamp = try await writer.update(change, expectedVersion: expectedVersion, by: actor, save: { [new] tx, stamp in
            var saved = new
            (saved.version, saved.updatedAt) = (stamp.version, stamp.at)
            try await overwrite(saved, on: tx)
            return nil
        }, alsoIn: alsoIn)
        if let stamp { (new.version, new.updatedAt) = (stamp.version, stamp.at) }
        return new
    }

    package func delete(_ id: UUID, expectedVersion: Int?, by actor: Principal) async throws {
        let old = try await find(id, for: actor, action: .delete)
        try await writer.delete(id, label: label(old), version: old.version, expectedVersion: expectedVersion, snapshot: old.snapshot(schema), by: actor) { tx in
            try await (tx as! any SQLDatabase).delete(from: schema.table).where("id", .equal, id).run()
        }
    }

    /// Deletes many records at once, each as `delete` does without a version (a revert of
    /// an import). Answers why each one left standing was left: `notFound` for one gone
    /// since or out of the actor's sight.
    package func delete(_ ids: [UUID], by actor: Principal) async throws -> [UUID: GuanxiError] {
        let found = ids.isEmpty ? [] : try await database.sql.select().column(SQLLiteral.all).from(schema.table).where("id", .in, ids).all().map(decode)
        let (records, refused) = try await permissions.sift(found, of: ids, actor, .delete, on: kind, notFound: .notFound(what), id: \.id, owner: \.ownerID)
        try await writer.delete(records.map { RecordWriter.Leaving(id: $0.id, label: label($0), snapshot: $0.snapshot(schema)) }, by: actor) { tx, ids in
            try await (tx as! any SQLDatabase).delete(from: schema.table).where("id", .in, ids).run()
        }
        return refused
    }

    /// One page of the records the actor may read, by name; `search` matches any
    /// searchable field, `ownerID` narrows to one owner's.
    package func page(search: String?, ownerID: UUID?, cursor: String?, limit: Int, for actor: Principal) async throws -> (records: [SchemaRecord], next: String?) {
        let owners = try await permissions.ownerFilter(actor, .read, on: kind)
        var query = database.sql.select().column(SQLLiteral.all).from(schema.table)
        if let reachable = owners.condition() { query = query.where(reachable) }
        if let ownerID { query = query.where("owner_id", .equal, ownerID) }
        if let term = search?.trimmingCharacters(in: .whitespaces), !term.isEmpty {
            query = query.where(SQLSearch.matches(schema.table, term, engine: database.engine, nameColumn: schema.nameField))
        }
        let page = try await Keyset.text(schema.nameField).rows(query, cursor: cursor, limit: max(1, min(limit, 500))) { row in
            (try row.decode(column: "id", as: UUID.self), .text(try row.decode(column: schema.nameField, as: String.self)))
        }
        return (try page.rows.map(decode), page.next)
    }

    private func searchText(_ values: [String: String]) -> String {
        SQLSearch.text(schema.fields.filter(\.searchable).map { values[$0.key] })
    }

    private func bind(_ field: RecordSchema.Field, _ value: String?) -> any SQLExpression {
        switch field.type {
        case .number: SQLBind(value.flatMap { Int64($0) })
        case .text, .date: SQLBind(value)
        }
    }
}
