import FluentKit
import Foundation
import SQLKit
import GuanxiPlatform

/// What an import needs of a kind of record: its fields and the headers that name them,
/// how a row's text becomes the kind's input (validated by the kind's own service, as if
/// typed into its form), how the key finds existing records, and how records are
/// created, updated, read back and removed again on revert.
protocol ImportTarget: Sendable {
    associatedtype Input: Sendable
    associatedtype Prepared: Sendable
    var kind: RecordKind { get }
    var fields: [ImportField] { get }
    /// Fields that can find an existing record (besides custom fields, `cf.KEY`).
    var keys: [String] { get }
    /// A vCard file (one row per card) can be imported into this kind.
    var readsCards: Bool { get }
    /// New records can be handed out by the assignment rules instead of going to the
    /// importer (`ImportSettings.assignByRules`).
    var assignsByRules: Bool { get }
    /// Rows that name a customer nobody matches can create it
    /// (`ImportSettings.createMissingCustomers`).
    var createsMissingCustomers: Bool { get }
    /// The row's values (field key → text) as the kind's input. Custom fields arrive as `cf.KEY`.
    func input(_ values: [String: String], settings: ImportSettings, isNew: Bool, row: ImportRow, by actor: Principal) async throws -> Input
    /// Looks up, in as few queries as it can, what the coming rows refer to (the companies
    /// a contact file names), so `input` finds it without asking the database row by row;
    /// `reading` is the import's side reader (`DatabaseService.withSideReader`).
    func prefetch(_ rows: [[String: String]], by actor: Principal, reading: any SQLDatabase) async throws
    /// Checks a new record completely (permission and every field) without writing it.
    func prepare(_ input: Input, by actor: Principal) async throws -> (prepared: Prepared, id: UUID)
    func insert(_ prepared: Prepared, by actor: Principal, on tx: any Database) async throws
    /// Adds saving a batch to its writes (run in the batch's transaction); kinds that can
    /// write many rows in one statement do, the others save one at a time.
    func insertAll(_ batch: [Prepared], by actor: Principal, to writes: inout BulkWrites) throws
    /// Records saved along with a new one (the company a contact's card names), so a revert removes them too.
    func alsoCreated(_ prepared: Prepared) -> [(kind: RecordKind, id: UUID)]
    /// Changes a record; `alsoIn` runs inside the same transaction. An import adds to a
    /// record's lists (tags); `restoring` (a revert) puts them back exactly as given.
    func update(_ id: UUID, _ input: Input, restoring: Bool, by actor: Principal, alsoIn: @escaping @Sendable (any Database) async throws -> Void) async throws
    /// The record's current values of `fields`, written as an import file would carry them.
    func values(of id: UUID, fields: [String], by actor: Principal) async throws -> [String: String]
    func delete(_ id: UUID, by actor: Principal) async throws
    /// The field whose value a key compares (contacts find by `email` in their `emails`).
    func field(forKey key: String) -> String
    /// Records whose own (not custom) `key` field equals `value`.
    func find(_ key: String, _ value: String, on sql: any SQLDatabase) async throws -> [UUID]
    /// Indexes that new records land all over (ordered by name, phone…, and the search
    /// index's insert triggers), which a large import sets aside and builds again at its
    /// end (`SetAsideIndexes`) — never one the import itself reads with `settings`.
    func scatteredIndexes(_ settings: ImportSettings) -> [String]
}

/// The row being imported: its job (nil on a dry run, which writes nothing) and line.
struct ImportRow: Sendable {
    let jobID: UUID?
    let line: Int
}

extension ImportTarget {
    var readsCards: Bool { false }
    var assignsByRules: Bool { false }
    var createsMissingCustomers: Bool { false }
    func field(forKey key: String) -> String { key }
    func alsoCreated(_ prepared: Prepared) -> [(kind: RecordKind, id: UUID)] { [] }
    func prefetch(_ rows: [[String: String]], by actor: Principal, reading: any SQLDatabase) async throws {}
    func scatteredIndexes(_ settings: ImportSettings) -> [String] { [] }
    func insertAll(_ batch: [Prepared], by actor: Principal, to writes: inout BulkWrites) throws {
        for prepared in batch { writes.then { tx in try await insert(prepared, by: actor, on: tx) } }
    }

    /// Existing records the key value finds, among those the importer may read: a record
    /// outside their scope is neither updated nor counted as a duplicate, so no count or
    /// message of an import tells them it exists. Custom fields are looked up in their
    /// stored form.
    func existing(_ key: String, _ value: String, by actor: Principal, services: AppServices) async throws -> [UUID] {
        let sql = services.database.sql
        var found: [UUID]
        if key.hasPrefix("cf.") {
            guard let field = try await services.customValues.fields(of: kind).first(where: { "cf.\($0.key)" == key }) else { return [] }
            found = try await sql.select().column("record_id").from("custom_values").where("field_id", .equal, field.id!).where("value", .equal, value)
                .limit(50).all().map { try $0.decode(column: "record_id", as: UUID.self) }
        } else {
            found = try await find(key, value, on: sql)
        }
        guard !found.isEmpty, let readable = try await services.permissions.ownerFilter(actor, .read, on: kind).condition() else { return found }
        return try await sql.select().column("id").from(kind.rawValue).where("id", .in, found).where(readable).limit(3).all()
            .map { try $0.decode(column: "id", as: UUID.self) }
    }

    /// The key value as rows of one file are compared with each other.
    func normalised(_ key: String, _ value: String) -> String {
        switch key {
        case "email", "emails": value.lowercased()
        case "phone", "phones": value.asciiDigits
        default: value
        }
    }
}

/// Turning import text into field values, shared by every kind.
enum ImportValues {
    /// A list cell: entries separated by line breaks, `;`, `；`, `|` or `、`.
    static func list(_ text: String) -> [String] {
        text.split(whereSeparator: { "\n;；|、".contains($0) }).map { $0.trimmed }.filter { !$0.isEmpty }
    }

    /// A vocabulary value given as its key ("company") or its label in either language ("公司", "Company").
    static func choice(_ text: String?, keys: [String], labels prefix: String, localizer: Localizer) -> String? {
        guard let text else { return nil }
        let folded = ImportMapping.fold(text)
        return keys.first { key in
            ImportMapping.fold(key) == folded || ["zh-Hans", "en"].contains { ImportMapping.fold(localizer.text("\(prefix).\(key)", $0)) == folded }
        } ?? text
    }

    /// Custom field cells as the custom field service reads them: lists for multiple
    /// choice, yes/no for booleans, text otherwise.
    static func custom(_ values: [String: String], fields: [CustomField]) -> [String: CustomInput]? {
        var out: [String: CustomInput] = [:]
        for field in fields {
            guard let text = values["cf.\(field.key)"] else { continue }
            switch field.fieldType {
            case .multiChoice: out[field.key] = .list(list(text))
            case .boolean:
                let folded = text.lowercased()
                if ["1", "true", "yes", "y", "是", "对", "有"].contains(folded) { out[field.key] = .boolean(true) }
                else if ["0", "false", "no", "n", "否", "不", "无"].contains(folded) { out[field.key] = .boolean(false) }
                else { out[field.key] = .text(text) }
            default: out[field.key] = .text(text)
            }
        }
        return out.isEmpty ? nil : out
    }

    /// The customer a file names, by its external id or else its exact name; an error
    /// naming it when there is none (deals and activities need their customer on file).
    /// Only customers the importer may read are looked at, so the answer is the same
    /// whether a hidden customer of that name exists or not.
    static func customer(_ text: String, by actor: Principal, services: AppServices, cache: PendingCompanies) async throws -> UUID {
        if let known = cache.found(text) { return known }
        let readable = try await services.permissions.ownerFilter(actor, .read, on: .customers).condition()
        for column in ["external_id", "name"] {
            var query = services.database.sql.select().column("id").from("customers").where(SQLIdentifier(column), .equal, text)
            if let readable { query = query.where(readable) }
            if let id = try await query.limit(1).first()?.decode(column: "id", as: UUID.self) {
                cache.remember(text, id)
                return id
            }
        }
        throw GuanxiError.invalid("customerId", "No customer you can see is called \(text); import it first or leave the column empty.")
            .localized("msg.import_unknown_customer", ["value": text])
    }

    /// The user name of an owner, as the owner column carries it ("" for none).
    static func username(_ id: UUID?, services: AppServices) async throws -> String {
        guard let id else { return "" }
        return try await services.database.sql.select().column("username").from("users").where("id", .equal, id).first()?
            .decode(column: "username", as: String.self) ?? ""
    }

    /// A user named by user name or display name, for the owner column.
    static func owner(_ text: String?, services: AppServices) async throws -> UUID?? {
        guard let text else { return nil }
        if text.isEmpty { return .some(nil) }
        let row = try await services.database.sql.select().column("id").from("users")
            .where(SQLFunction("lower", args: SQLIdentifier("username")), .equal, SQLBind(text.lowercased())).orWhere("display_name", .equal, text)
            .limit(1).first()
        guard let id = try row?.decode(column: "id", as: UUID.self) else {
            throw GuanxiError.invalid("owner", "owner: no user is called \(text).").localized("msg.import_unknown_user", ["value": text])
        }
        return .some(id)
    }
}
