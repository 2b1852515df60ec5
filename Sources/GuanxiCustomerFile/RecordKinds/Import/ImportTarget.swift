import FluentKit
import Foundation
import SQLKit
import GuanxiPlatform

/// What an import needs of a kind of record: its fields and the headers that name them,
/// how a row's text becomes the kind's input (validated by the kind's own service, as if
/// typed into its form), how the key finds existing records, and how records are
/// created, updated, read back and removed again on revert.
package protocol ImportTarget: Sendable {
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
    /// `reading` is where the import reads (`DatabaseService.sql`: on SQLite, beside the writer).
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
    /// Deletes records the import created (its revert), as many in one go as the kind
    /// can: answers why each one left standing was left (`notFound`: gone since, or out
    /// of the actor's sight).
    func delete(_ ids: [UUID], by actor: Principal) async throws -> [UUID: GuanxiError]
    /// The field whose value a key compares (contacts find by `email` in their `emails`).
    func field(forKey key: String) -> String
    /// Records whose own (not custom) `key` field equals `value`.
    func find(_ key: String, _ value: String, on sql: any SQLDatabase) async throws -> [UUID]
    /// `find` for a batch of values at once, by their `normalised` form (a value nothing
    /// matches is absent): an import checks a batch of rows for duplicates in a few
    /// queries instead of one per row.
    func findAll(_ key: String, _ values: [String], on sql: any SQLDatabase) async throws -> [String: [UUID]]
    /// The values of `key` on file now (`ImportKeySnapshot`), read without its index, for
    /// an import about to set that index aside; nil when `key` has no index a large import
    /// sets aside.
    func keySnapshot(_ key: String, on sql: any SQLDatabase) async throws -> ImportKeySnapshot?
    /// `findAll` through a snapshot: of the records it names for `values`, those that hold
    /// one, read by their ids.
    func findAll(_ key: String, _ values: [String], among snapshot: ImportKeySnapshot, on sql: any SQLDatabase) async throws -> [String: [UUID]]
    /// Indexes that new records land all over (ordered by name, phone…, SQLite's search
    /// insert triggers and PostgreSQL's search trigram indexes), which a large import sets
    /// aside and builds again at its end (`SetAsideIndexes`; each engine drops those it
    /// has) — never one the import itself reads with `settings`.
    func scatteredIndexes(_ settings: ImportSettings) -> [String]
}

/// The row being imported: its job (nil on a dry run, which writes nothing) and line.
package struct ImportRow: Sendable {
    package let jobID: UUID?
    package let line: Int

    package init(jobID: UUID?, line: Int) { (self.jobID, self.line) = (jobID, line) }
}

extension ImportTarget {
    package var readsCards: Bool { false }
    package var assignsByRules: Bool { false }
    package var createsMissingCustomers: Bool { false }
    package func field(forKey key: String) -> String { key }
    package func alsoCreated(_ prepared: Prepared) -> [(kind: RecordKind, id: UUID)] { [] }
    package func prefetch(_ rows: [[String: String]], by actor: Principal, reading: any SQLDatabase) async throws {}
    package func scatteredIndexes(_ settings: ImportSettings) -> [String] { [] }
    package func keySnapshot(_ key: String, on sql: any SQLDatabase) async throws -> ImportKeySnapshot? { nil }
    package func findAll(_ key: String, _ values: [String], among snapshot: ImportKeySnapshot, on sql: any SQLDatabase) async throws -> [String: [UUID]] {
        try await findAll(key, values, on: sql)
    }
    package func findAll(_ key: String, _ values: [String], on sql: any SQLDatabase) async throws -> [String: [UUID]] {
        var found: [String: [UUID]] = [:]
        for value in Set(values) where found[normalised(key, value)] == nil {
            let ids = try await find(key, value, on: sql)
            if !ids.isEmpty { found[normalised(key, value)] = ids }
        }
        return found
    }

    /// `findAll` for targets whose key columns hold the normalised value: one query per
    /// 500 values of `SELECT id, k … WHERE k IN (…)`, at most three records a value.
    package static func matching(_ values: [String], in select: ([String]) -> SQLSelectBuilder) async throws -> [String: [UUID]] {
        var found: [String: [UUID]] = [:]
        let distinct = Array(Set(values.filter { !$0.isEmpty }))
        for start in stride(from: 0, to: distinct.count, by: 500) {
            for row in try await select(Array(distinct[start..<min(start + 500, distinct.count)])).all() {
                let key = try row.decode(column: "k", as: String.self)
                if found[key, default: []].count < 3 { found[key, default: []].append(try row.decode(column: "id", as: UUID.self)) }
            }
        }
        return found
    }
    /// `delete` one record at a time through the kind's own deletion, for kinds whose
    /// imports stay small (activities, deals).
    package static func deleteEach(_ ids: [UUID], _ delete: (UUID) async throws -> Void) async throws -> [UUID: GuanxiError] {
        var refused: [UUID: GuanxiError] = [:]
        for id in ids {
            do { try await delete(id) } catch let error as GuanxiError { refused[id] = error }
        }
        return refused
    }

    package func insertAll(_ batch: [Prepared], by actor: Principal, to writes: inout BulkWrites) throws {
        for prepared in batch { writes.then { tx in try await insert(prepared, by: actor, on: tx) } }
    }

    /// The key value as rows of one file are compared with each other.
    package func normalised(_ key: String, _ value: String) -> String {
        switch key {
        case "email", "emails": value.lowercased()
        case "phone", "phones": value.asciiDigits
        default: value
        }
    }
}

/// A field of a kind of record that an import column can fill.
package struct ImportField: Sendable {
    package let key: String
    /// Headers that name the field, in Chinese and English, compared by `ImportMapping.fold`.
    package let names: [String]
    package var required = false
    /// A list (phones, e-mails, tags): several columns may fill it.
    package var multiple = false
    /// Entries from several columns are labelled by their header (手机, 座机).
    package var labelled = false

    package init(key: String, names: [String], required: Bool = false, multiple: Bool = false, labelled: Bool = false) { (self.key, self.names, self.required, self.multiple, self.labelled) = (key, names, required, multiple, labelled) }
}
