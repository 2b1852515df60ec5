import Foundation
import SQLKit
import GuanxiPlatform

/// Audit entries as a person reads them: field names, codes and yes/no in the reader's
/// language, ids as the names of what they point to, times in the reader's time zone
/// (`HistoryField`). A record the reader may not read is not named.
package struct ReadableHistory {
    package let services: CustomerFileServices
    package let reader: Principal
    package let locale: String

    package init(services: CustomerFileServices, reader: Principal, locale: String) {
        (self.services, self.reader, self.locale) = (services, reader, locale)
    }

    /// One row per entry, in order. On `timelineOf`'s timeline the fields its timeline
    /// events already tell are left out (an entry may be left with no change at all).
    package func rows(_ entries: [AuditEntry], timelineOf timelineKind: RecordKind? = nil) async throws -> [AuditEntryRow] {
        let told = timelineKind.flatMap { services.records[$0]?.toldByTimelineEvents } ?? []
        var names = Names()
        for entry in entries {
            for change in entry.changes where !told.contains(change.field) {
                guard let how = field(change.field, of: entry.recordKind) else { continue }
                for value in [change.old, change.new].compactMap({ $0 }) { names.ask(value, how) }
            }
        }
        try await names.resolve(services: services, reader: reader)
        let format = DisplayFormat(timeZone: reader.timeZone, locale: locale)
        let actors = try await services.users.names(of: Array(Set(entries.compactMap(\.actorID))))
        return entries.map { entry in
            let changes = entry.changes.filter { !told.contains($0.field) }.map { change in
                let how = field(change.field, of: entry.recordKind)
                // A field may read differently by kind: a customer's parent is a company, a department's a department.
                let label = services.localizer.known("audit_fields.\(entry.recordKind).\(change.field)", locale)
                    ?? services.localizer.known("audit_fields.\(change.field)", locale) ?? change.field
                return AuditEntryRow.Change(field: label,
                                            old: read(change.old, how, names, format), new: read(change.new, how, names, format))
            }
            return AuditEntryRow(entry, actor: entry.actorID.flatMap { actors[$0] }, changes: changes, format: format, localizer: services.localizer, locale: locale)
        }
    }

    /// Stored values of one field of `kind` as the reader reads them (the columns of a
    /// merge's comparison), in order.
    package func values(_ values: [String?], of field: String, kind: RecordKind) async throws -> [String] {
        let how = self.field(field, of: kind.rawValue)
        var names = Names()
        if let how { for value in values.compactMap({ $0 }) { names.ask(value, how) } }
        try await names.resolve(services: services, reader: reader)
        let format = DisplayFormat(timeZone: reader.timeZone, locale: locale)
        return values.map { read($0, how, names, format) }
    }

    private func field(_ name: String, of kind: String) -> HistoryField? {
        services.records[RecordKind(rawValue: kind)]?.historyFields[name] ?? HistoryField.common[name]
    }

    private func text(_ key: String) -> String { services.localizer.text(key, locale) }

    private func read(_ value: String?, _ how: HistoryField?, _ names: Names, _ format: DisplayFormat) -> String {
        guard let value, !value.isEmpty else { return "—" }
        if value == "true" { return text("history.yes") }
        if value == "false" { return text("history.no") }
        switch how {
        case nil:
            return value
        case .label(let prefix):
            // "opted_in (web)": the code, then how it came about as recorded.
            let code = value.prefix { $0 != " " }
            return (services.localizer.known("\(prefix).\(code)", locale) ?? String(code)) + value.dropFirst(code.count)
        case .record, .name:
            return services.localizer.list(Names.tokens(value).map { token in UUID(uuidString: token).map { names.name(of: $0, text) } ?? token }, locale)
        case .kindAndRecord:
            return services.localizer.list(Names.tokens(value).map { token in
                guard let pair = Names.pair(token) else { return token }
                let kindName = services.records[pair.kind].map { text($0.nameKey) } ?? pair.kind.rawValue
                return services.localizer.labelled(kindName, names.name(of: pair.id, text), locale)
            }, locale)
        case .moment:
            return ISO8601DateFormatter().date(from: value).map(format.dateTime) ?? value
        }
    }

    /// The ids a page of history names, looked up together: one query per table, one
    /// permission-checked look-up per record of a kind.
    private struct Names {
        var byTable: [String: (column: String, ids: Set<UUID>)] = [:]
        var records: [UUID: RecordKind] = [:]
        var found: [UUID: String] = [:]
        var hidden: Set<UUID> = []

        static func tokens(_ value: String) -> [String] {
            value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }

        static func pair(_ token: String) -> (kind: RecordKind, id: UUID)? {
            let parts = token.split(separator: "/", maxSplits: 1)
            guard parts.count == 2, let id = UUID(uuidString: String(parts[1])) else { return nil }
            return (RecordKind(rawValue: String(parts[0])), id)
        }

        mutating func ask(_ value: String, _ how: HistoryField) {
            switch how {
            case .name(let table, let column):
                for id in Self.tokens(value).compactMap(UUID.init(uuidString:)) { byTable["\(table)\u{0}\(column)", default: (column, [])].ids.insert(id) }
            case .record(let kind):
                for id in Self.tokens(value).compactMap(UUID.init(uuidString:)) { records[id] = kind }
            case .kindAndRecord:
                for pair in Self.tokens(value).compactMap(Self.pair) { records[pair.id] = pair.kind }
            case .label, .moment:
                break
            }
        }

        mutating func resolve(services: CustomerFileServices, reader: Principal) async throws {
            for (key, wanted) in byTable {
                let table = String(key.prefix { $0 != "\u{0}" })
                let rows = try await services.database.sql.select().column("id").column(wanted.column).from(table)
                    .where("id", .in, Array(wanted.ids)).all()
                for row in rows { found[try row.decode(column: "id", as: UUID.self)] = try row.decode(column: wanted.column, as: String.self) }
            }
            for (id, kind) in records {
                if let record = try? await services.records.find(kind, id, for: reader) { found[id] = record.name } else { hidden.insert(id) }
            }
        }

        /// The name, or what stands in for it: a record the reader may not see, or one
        /// deleted since.
        func name(of id: UUID, _ text: (String) -> String) -> String {
            found[id] ?? text(hidden.contains(id) ? "history.not_visible" : "history.removed")
        }
    }
}
