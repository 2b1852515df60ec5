import FluentKit
import Foundation
import SQLKit
import GuanxiPlatform

/// The one write lifecycle every kind of record goes through. A kind's service finds the
/// record through its permission check and validates what was sent; the writer does the
/// rest the same way for every kind: the version check against concurrent edits, the
/// audited snapshot before and after, one transaction with the row, its custom values and
/// its audit entry, and, on delete, whatever the deletion takes with it
/// (`RecordKinds.register(deletion:)`: attachments, and whatever else areas hang on records).
///
/// Hand-written kinds save their own rows (`save`, `remove`, `row` closures); kinds
/// declared as data (`SchemaRecords`) go through here as well, so each kind gets the same
/// guarantees and the same fast paths (`GroupCommit` for single creates, `BulkWrites` for
/// imports).
package struct RecordWriter: Sendable {
    package let kind: RecordKind
    /// The kind's table, whose `version` column the version check moves.
    package let table: String
    /// The record's name in messages ("customer").
    package let what: String
    package let database: DatabaseService
    package let audit: AuditLog
    package let clock: any Clock
    package let records: RecordKinds
    /// Shared transactions for records created one at a time under load.
    package let groupCommit: GroupCommit
    /// Whoever a record is given to hears of it, in the transaction that gives it.
    package let notifications: Notifications

    // MARK: Snapshots

    /// The audited state of a record: its own fields and its custom values (`cf.KEY`).
    package static func snapshot(_ own: AuditSnapshot, custom: [String: CustomValue]) -> AuditSnapshot {
        own.merging(CustomValues.snapshot(custom)) { mine, _ in mine }
    }

    // MARK: Creating

    /// A new record's audit entry, made before it is saved (batches write many at once).
    package func createdEntry(id: UUID, label: String, snapshot: AuditSnapshot, by actor: Principal) throws -> AuditLog.Entry {
        try audit.createdEntry(actor: actor, kind: kind, id: id.text, label: label, snapshot: snapshot)
    }

    /// Saves a checked new record inside the caller's transaction: `row` writes the kind's
    /// own rows, then its custom values and its audit entry follow. The entry is made after
    /// `row`, which may settle part of what it records (an owner picked by the rules).
    package func insert(id: UUID, custom: CustomValues.Checked?, entry: @autoclosure () throws -> AuditLog.Entry, on tx: any Database,
                row: (any Database) async throws -> Void) async throws {
        try await row(tx)
        if let custom { try await CustomValues.save(custom, of: id, on: tx) }
        let made = try entry()
        try await audit.write(made, on: tx)
        try await tellOwner(made.owner, id: id, label: nil, by: made.actorID, on: tx)
    }

    /// Tells a record's new owner it is theirs, unless they gave it to themselves.
    private func tellOwner(_ owner: String?, id: UUID, label: String?, by actor: UUID?, on tx: any Database) async throws {
        guard let owner = owner.flatMap(UUID.init(uuidString:)), owner != actor else { return }
        var name = label ?? ""
        if label == nil {
            let column = records[kind]?.labelColumn ?? "name"
            name = try await (tx as! any SQLDatabase).select().column(SQLIdentifier(column)).from(table).where("id", .equal, id).first()
                .flatMap { try $0.decode(column: column, as: String?.self) } ?? ""
        }
        try await notifications.add(.init(user: owner, event: .assigned, title: name, arguments: ["kindKey": records[kind]?.nameKey ?? "kinds.\(kind.rawValue)"],
                                          link: records.url(kind, id).description), on: tx)
    }

    /// Runs a single create in a transaction shared with others made at the same moment.
    package func create(_ write: @escaping @Sendable (any Database) async throws -> Void) async throws {
        try await groupCommit.run(write)
    }

    // MARK: Changing

    /// Fails with a conflict when the client started from another version than the stored one.
    package func requireVersion(_ expected: Int?, current: Int) throws {
        try VersionCheck.require(expected, current: current, what: what)
    }

    /// A checked change to one stored record: the version it was read at and its audited
    /// state before and after.
    package struct Change {
        package let id: UUID
        package let label: String
        package let version: Int
        package let before: AuditSnapshot
        package var after: AuditSnapshot
        /// The custom values to save, if the kind has them.
        package var custom: CustomValues.Checked?
        /// Saved even when the audited state stays the same (a lead sent through the
        /// assignment rules again moves the team's rotation on).
        package var always = false

        package init(id: UUID, label: String, version: Int, before: AuditSnapshot, after: AuditSnapshot, custom: CustomValues.Checked? = nil, always: Bool = false) { (self.id, self.label, self.version, self.before, self.after, self.custom, self.always) = (id, label, version, before, after, custom, always) }
    }

    /// The version and change time a saved change gives its record.
    package struct Stamp: Sendable {
        package let version: Int
        package let at: Date
    }

    /// Saves `change` if it changes anything, in one transaction: the version moves on by
    /// one (refused with a conflict if someone saved since the record was read), `save`
    /// writes the kind's rows with the new version and time (`Stamp`), then the custom
    /// values, the audit entry, and `alsoIn` (an import records its progress there) follow.
    /// `save` may hand back the audited state it settled itself (an owner picked in the
    /// transaction).
    ///
    /// A change that changes nothing writes nothing; with `expectedVersion` it still
    /// confirms the version, so a save raced by another is never answered "saved".
    /// Returns the new version and time, or nil when nothing was written.
    @discardableResult
    package func update(_ change: Change, expectedVersion: Int?, by actor: Principal,
                save: @escaping @Sendable (any Database, Stamp) async throws -> AuditSnapshot?,
                alsoIn: (@Sendable (any Database) async throws -> Void)? = nil) async throws -> Stamp? {
        guard change.always || change.after != change.before else {
            if expectedVersion != nil { try await VersionCheck.confirm(table, id: change.id, at: change.version, what: what, on: database.sql) }
            return nil
        }
        let stamp = Stamp(version: change.version + 1, at: clock.now())
        try await database.db.transaction { tx in
            try await VersionCheck.bump(table, id: change.id, from: change.version, on: tx, what: what)
            let settled = try await save(tx, stamp)
            if let custom = change.custom { try await CustomValues.save(custom, of: change.id, on: tx) }
            let after = settled ?? change.after
            try await audit.updated(on: tx, actor: actor, kind: kind, id: change.id.uuidString, label: change.label, old: change.before, new: after)
            if (after["owner_id"] ?? nil) != (change.before["owner_id"] ?? nil) {
                try await tellOwner(after["owner_id"] ?? nil, id: change.id, label: change.label, by: actor.channel == .console ? nil : actor.userID, on: tx)
            }
            try await alsoIn?(tx)
        }
        return stamp
    }

    // MARK: Deleting

    /// A record on its way out, as its audit entry keeps it.
    package struct Leaving: Sendable {
        package let id: UUID
        package let label: String
        /// Its last state.
        package let snapshot: AuditSnapshot

        package init(id: UUID, label: String, snapshot: AuditSnapshot) { (self.id, self.label, self.snapshot) = (id, label, snapshot) }
    }

    /// Deletes a record in one transaction: with `expectedVersion`, the version is checked
    /// again as the row goes, so a change saved since it was read stops the delete; the
    /// records that go with it (`RecordDependent`) lose their custom values and whatever
    /// deleting any record takes with it; `remove` deletes the kind's rows; then its own
    /// custom values and the rest go. The audit entry keeps the last state (`snapshot`)
    /// and how many records went with it or were detached from it (`with.deals`…).
    package func delete(_ id: UUID, label: String, version: Int, expectedVersion: Int?, snapshot: AuditSnapshot, by actor: Principal,
                remove: @escaping @Sendable (any Database) async throws -> Void) async throws {
        try requireVersion(expectedVersion, current: version)
        try await database.db.transaction { tx in
            if expectedVersion != nil { try await VersionCheck.bump(table, id: id, from: version, on: tx, what: what) }
            try await removeAll([Leaving(id: id, label: label, snapshot: snapshot)], by: actor, on: tx) { tx, _ in try await remove(tx) }
        }
    }

    /// Deletes many records of the kind in one transaction, each as `delete` does (no
    /// version check): what hangs on them, their custom values, what every deletion takes
    /// along and an audit entry each, a statement per step for all of them. Reverting an
    /// import of a million records takes minutes this way, not the hour that one
    /// transaction each took. `remove` deletes the kind's rows of the ids it is given.
    package func delete(_ leaving: [Leaving], by actor: Principal, remove: @escaping @Sendable (any Database, [UUID]) async throws -> Void) async throws {
        guard !leaving.isEmpty else { return }
        try await database.db.transaction { tx in try await removeAll(leaving, by: actor, on: tx, remove: remove) }
    }

    private func removeAll(_ leaving: [Leaving], by actor: Principal, on tx: any Database,
                           remove: @Sendable (any Database, [UUID]) async throws -> Void) async throws {
        let ids = leaving.map(\.id)
        let (steps, dependents) = (records.deletions, records.dependents(of: kind))
        var notes: [UUID: AuditSnapshot] = [:]
        for dependent in dependents {
            let hanging = try await Self.hanging(dependent, on: ids, in: tx as! any SQLDatabase)
            for (host, count) in hanging.counts { notes[host, default: [:]]["with.\(dependent.kind.rawValue)"] = "\(count) \(dependent.fate.rawValue)" }
            // A chunk at a time: a customer may take thousands of purchases along.
            for start in stride(from: 0, to: hanging.ids.count, by: 500) {
                let chunk = Array(hanging.ids[start..<min(start + 500, hanging.ids.count)])
                try await CustomValues.remove(of: chunk, on: tx)
                for step in steps { try await step(dependent.kind, chunk, tx) }
            }
        }
        try await remove(tx, ids)
        try await CustomValues.remove(of: ids, on: tx)
        for step in steps { try await step(kind, ids, tx) }
        var writes = BulkWrites(engine: database.engine)
        try audit.writeAll(try leaving.map { record in
            let last = record.snapshot.merging(notes[record.id] ?? [:]) { own, _ in own }
            return try audit.entry(actor: actor, action: .delete, kind: kind, id: record.id.text, label: record.label, changes: AuditLog.diff(old: last, new: [:]))
        }, to: &writes)
        try await writes.run(on: tx)
    }

    /// What of `dependent` hangs on the `hosts`: how many on each, and the ids of those
    /// that go along (none when they are only detached).
    private static func hanging(_ dependent: RecordDependent, on hosts: [UUID], in sql: any SQLDatabase) async throws -> (counts: [UUID: Int], ids: [UUID]) {
        let column = SQLIdentifier(dependent.column)
        guard dependent.fate == .deleted else {
            let rows = try await sql.select().column(column).column(SQLFunction("count", args: SQLLiteral.all), as: "n").from(dependent.table)
                .where(column, .in, hosts).groupBy(column).all()
            return (try rows.reduce(into: [:]) { counts, row in
                counts[try row.decode(column: dependent.column, as: UUID.self)] = try row.decode(column: "n", as: Int.self)
            }, [])
        }
        let rows = try await sql.select().column("id").column(column).from(dependent.table).where(column, .in, hosts).all()
        var counts: [UUID: Int] = [:]
        let ids = try rows.map { row in
            counts[try row.decode(column: dependent.column, as: UUID.self), default: 0] += 1
            return try row.decode(column: "id", as: UUID.self)
        }
        return (counts, ids)
    }
}
