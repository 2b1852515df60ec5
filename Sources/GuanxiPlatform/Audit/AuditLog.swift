import FluentKit
import Foundation
import SQLKit

/// One changed field of an audited write.
public struct FieldChange: Codable, Sendable, Equatable {
    public var field: String
    public var old: String?
    public var new: String?
    public init(field: String, old: String?, new: String?) {
        self.field = field
        self.old = old
        self.new = new
    }
}

extension FieldChange {
    /// The changes as stored: a JSON array of `{"field","new","old"}` objects (keys sorted,
    /// nil left out) — what `JSONEncoder` with sorted keys writes, written directly because
    /// an import writes one entry per record and the encoder's generic path was a twentieth
    /// of its time.
    package static func json(_ changes: [FieldChange]) -> String {
        var out = "["
        for (index, change) in changes.enumerated() {
            out += index == 0 ? "{\"field\":" : ",{\"field\":"
            appendQuoted(change.field, to: &out)
            if let new = change.new { out += ",\"new\":"; appendQuoted(new, to: &out) }
            if let old = change.old { out += ",\"old\":"; appendQuoted(old, to: &out) }
            out += "}"
        }
        return out + "]"
    }

    /// `text` as a JSON string, quotes included (also the SMS gateway's JSON bodies).
    package static func appendQuoted(_ text: String, to out: inout String) {
        out += "\""
        // Most values need no escaping and go in whole.
        guard text.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) else {
            out += text
            out += "\""
            return
        }
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}

/// What an audit entry records. Stored by raw value; labels live in the locale files
/// under `audit_actions`.
public enum AuditAction: String, Sendable, CaseIterable {
    case create, update, delete
    case login
    /// The password was right and the second factor is still to come.
    case loginPasswordAccepted = "login_password_ok"
    case loginFailed = "login_failed"
    case logout
    case passwordChange = "password_change"
    case passwordReset = "password_reset"
    case tokenIssue = "token_issue"
    case tokenRevoke = "token_revoke"
    /// A new two-factor secret was made; it replaces the current one once confirmed.
    case twoFactorSetup = "two_factor_setup"
    /// Everything one user owned moved to another.
    case handOver = "hand_over"
    /// The analytics run scored every customer.
    case analyze
    /// A list was downloaded or written out (CSV, vCard, iCalendar); the entry names the filters.
    case export
    /// A file was imported; the entry counts what it created, updated, skipped and rejected.
    case `import`
    /// An import was undone: what it created removed, what it updated restored.
    case importRevert = "import_revert"
    /// Records that were one and the same became one (on the survivor and on each removed one).
    case merge
    /// A merge was undone: the removed records came back with everything that had moved.
    case mergeUndo = "merge_undo"
}

/// A record's audited fields as text, so any two versions can be compared.
public typealias AuditSnapshot = [String: String?]

/// Writes the append-only audit log. Callers pass the database handle of their own
/// transaction, so the change and its audit entry commit or fail together. Nothing in
/// Guanxi updates or deletes audit entries.
public struct AuditLog: Sendable {
    package let clock: any Clock
    /// Told about every change, so cached definitions never outlive one in this process.
    package let caches: DefinitionCaches

    public init(clock: any Clock, caches: DefinitionCaches) {
        self.clock = clock
        self.caches = caches
    }

    /// Set while an import writes a batch, to the ids of the records it creates: those are
    /// audited by the import's own ledger — which import, by whom, when, from which line of
    /// its file — and read back with each record's history (`AuditLedger`), not by an
    /// entry each here. Those entries repeated the import's file: two thirds of a kilobyte
    /// per imported contact. Only the creation of a record the ledger notes is left out;
    /// anything else a batch creates, changes or deletes is logged as always.
    @TaskLocal package static var ledgeredCreations: Set<String> = []

    /// Whether `entry` goes into the log, given the creations an import's ledger notes.
    private static func logs(_ entry: Entry, ledgered: Set<String>) -> Bool { !(entry.action == .create && ledgered.contains(entry.id)) }

    /// `address` names where an anonymous attempt came from when there is no actor.
    public func record(
        on db: any Database, actor: Principal?, action: AuditAction, kind: RecordKind,
        id: String, label: String, changes: [FieldChange] = [], address: String? = nil
    ) async throws {
        try await write(try entry(actor: actor, action: action, kind: kind, id: id, label: label, changes: changes, address: address), on: db)
    }

    /// An audit entry ready to write: built (and its changes encoded) before a transaction
    /// begins, so the transaction holds its connection only for the insert.
    package struct Entry: Sendable {
        package let kind: RecordKind
        package let action: AuditAction
        package let id: String
        package var actorID: UUID? = nil
        package let values: [BulkValue]
        /// Who a created record belongs to (its `owner_id`), for telling them.
        package var owner: String? = nil
    }

    package func entry(actor: Principal?, action: AuditAction, kind: RecordKind, id: String, label: String,
               changes: [FieldChange] = [], address: String? = nil) throws -> Entry {
        let json = FieldChange.json(changes)
        return Entry(kind: kind, action: action, id: id, actorID: actor?.userID, values: [
            BulkValue(clock.now()), BulkValue(actor?.userID), BulkValue(actor?.username ?? "system"),
            BulkValue(address ?? actor?.address ?? ""), BulkValue(action.rawValue), BulkValue(kind.rawValue), BulkValue(id), BulkValue(label), BulkValue(json),
        ])
    }

    /// The entry of a creation: every field from nothing to its value.
    package func createdEntry(actor: Principal?, kind: RecordKind, id: String, label: String, snapshot: AuditSnapshot) throws -> Entry {
        // `diff` from nothing, without its union of field names (an import makes a million of these).
        let changes = snapshot.compactMap { field, value in value.map { FieldChange(field: field, old: nil, new: $0) } }.sorted { $0.field < $1.field }
        var entry = try entry(actor: actor, action: .create, kind: kind, id: id, label: label, changes: changes)
        entry.owner = snapshot["owner_id"] ?? nil
        return entry
    }

    /// Adds many entries to a batch's writes (an import's batch).
    package func writeAll(_ entries: [Entry], to writes: inout BulkWrites) throws {
        try insert(entries.filter { [ledgered = Self.ledgeredCreations] in Self.logs($0, ledgered: ledgered) }, to: &writes)
        changed(Set(entries.map(\.kind)), after: &writes)
    }

    /// Adds the creation entries of a batch's new records of one kind. `entry` is asked
    /// only for a record no import ledger notes (`ledgeredCreations`): the entry of one it
    /// notes would be dropped unwritten, and making it — every field of the record as
    /// text, encoded — was a tenth of the work of importing a company.
    package func writeCreated<Record>(_ records: [Record], kind: RecordKind, id: (Record) -> UUID, entry: (Record) throws -> Entry,
                                      to writes: inout BulkWrites) throws {
        guard !records.isEmpty else { return }
        let ledgered = Self.ledgeredCreations
        try insert(try records.filter { !ledgered.contains(id($0).text) }.map(entry), to: &writes)
        changed([kind], after: &writes)
    }

    private func insert(_ entries: [Entry], to writes: inout BulkWrites) throws {
        try writes.insert(into: "audit_entries", columns: ["at", "actor_id", "actor_name", "address", "action", "record_kind", "record_id", "record_label", "changes"],
                          rows: entries.map(\.values))
    }

    /// Tells this process's caches, once the batch is written, that records of `kinds` changed.
    private func changed(_ kinds: Set<RecordKind>, after writes: inout BulkWrites) {
        guard !kinds.isEmpty else { return }
        let caches = caches
        writes.then { _ in for kind in kinds { caches.changed(kind) } }
    }

    package func write(_ entry: Entry, on db: any Database) async throws {
        guard Self.logs(entry, ledgered: Self.ledgeredCreations) else { return caches.changed(entry.kind) }
        try await (db as! any SQLDatabase).insert(into: "audit_entries")
            .columns("at", "actor_id", "actor_name", "address", "action", "record_kind", "record_id", "record_label", "changes")
            .values(entry.values.map(\.expression))
            .run()
        caches.changed(entry.kind)
    }

    /// Records a creation: every field from nothing to its value.
    public func created(on db: any Database, actor: Principal?, kind: RecordKind, id: String, label: String, snapshot: AuditSnapshot) async throws {
        try await write(try createdEntry(actor: actor, kind: kind, id: id, label: label, snapshot: snapshot), on: db)
    }

    /// Records an update, listing only the fields that changed; writes nothing when none did.
    public func updated(on db: any Database, actor: Principal?, kind: RecordKind, id: String, label: String, old: AuditSnapshot, new: AuditSnapshot) async throws {
        let changes = Self.diff(old: old, new: new)
        guard !changes.isEmpty else { return }
        try await record(on: db, actor: actor, action: .update, kind: kind, id: id, label: label, changes: changes)
    }

    public func deleted(on db: any Database, actor: Principal?, kind: RecordKind, id: String, label: String, snapshot: AuditSnapshot) async throws {
        try await record(on: db, actor: actor, action: .delete, kind: kind, id: id, label: label, changes: Self.diff(old: snapshot, new: [:]))
    }

    public static func diff(old: AuditSnapshot, new: AuditSnapshot) -> [FieldChange] {
        Set(old.keys).union(new.keys).sorted().compactMap { field in
            let before = old[field] ?? nil
            let after = new[field] ?? nil
            return before == after ? nil : FieldChange(field: field, old: before, new: after)
        }
    }
}

extension JSONEncoder {
    /// Stable key order, so stored JSON compares and diffs cleanly.
    package static var sorted: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }
}
