import FluentKit
import Foundation
import SQLKit
import GuanxiPlatform

/// A phone number or e-mail address that failed, with why.
public struct ContactWayProblem: Sendable, Equatable {
    public let kind: String
    public let value: String
    public let reason: String
    public let markedAt: Date
}

/// Marking contact ways that do not work. A bounced e-mail (from a mail system, over the
/// API), a wrong number (from a call's outcome, or by hand) is marked with its reason on
/// the record that holds it; a record whose every phone and e-mail is marked is
/// unreachable and listed for follow-up. Changing the value clears the mark, since it no
/// longer applies. Marking needs update access to the record and is audited on it.
public struct ContactWays: Sendable {
    package let services: CustomerFileServices
    public init(services: CustomerFileServices) { self.services = services }

    public static let reasons = ["bounced", "wrong_number", "no_longer_there", "refused", "other"]

    package static func normalized(_ kind: String, _ value: String) -> String {
        kind == "email" ? value.lowercased().trimmingCharacters(in: .whitespaces) : value.filter(\.isASCII).filter(\.isNumber)
    }

    /// The record's current phones and e-mails.
    package func ways(of kind: RecordKind, _ id: UUID) async throws -> [(kind: String, value: String)] {
        try await services.records[kind]?.contactWays?(id) ?? []
    }

    /// The ways of a kind that keeps one e-mail and one phone in columns of its own row.
    package static func emailAndPhone(of id: UUID, in table: String, sql: any SQLDatabase) async throws -> [(kind: String, value: String)] {
        guard let row = try await sql.select().columns("email", "phone").from(table).where("id", .equal, id).first() else { return [] }
        return [("email", try row.decode(column: "email", as: String?.self)), ("phone", try row.decode(column: "phone", as: String?.self))].compactMap { k, v in v.map { (k, $0) } }
    }

    /// The kinds whose phones and e-mails can be marked.
    package static func markable(_ records: RecordKinds) -> [RecordKind] { records.kinds { $0.contactWays != nil } }

    /// Marks the record's phone or e-mail `value` as not working.
    public func markInvalid(_ kind: RecordKind, _ id: UUID, value: String, reason: String, by actor: Principal) async throws {
        guard Self.markable(services.records).contains(kind) else { throw GuanxiError.notFound("Record") }
        let record = try await services.records.find(kind, id, for: actor, action: .update)
        guard Self.reasons.contains(reason) else {
            throw GuanxiError.invalid("reason", "reason must be one of \(Self.reasons.joined(separator: ", ")).")
                .localized("msg.choice", ["field": "reason", "choices": Self.reasons.joined(separator: ", ")])
        }
        let ways = try await ways(of: kind, id)
        let wayKind = value.contains("@") ? "email" : "phone"
        let normal = Self.normalized(wayKind, value)
        guard !normal.isEmpty, let way = ways.first(where: { $0.kind == wayKind && Self.normalized($0.kind, $0.value) == normal }) else {
            throw GuanxiError.invalid("value", "\(value) is not a phone or e-mail of this record.").localized("msg.not_a_way", ["value": value])
        }
        try await services.database.db.transaction { tx in
            let sql = tx as! any SQLDatabase
            try await sql.delete(from: "contact_way_problems").where("record_kind", .equal, kind.rawValue).where("record_id", .equal, id)
                .where("kind", .equal, wayKind).where("normalized", .equal, normal).run()
            try await sql.insert(into: "contact_way_problems").columns("record_kind", "record_id", "kind", "normalized", "value", "reason", "marked_by", "marked_at")
                .values(SQLBind(kind.rawValue), SQLBind(id), SQLBind(wayKind), SQLBind(normal), SQLBind(way.value), SQLBind(reason),
                        SQLBind(actor.channel == .console ? nil : actor.userID), SQLBind(services.clock.now())).run()
            try await services.audit.record(on: tx, actor: actor, action: .update, kind: kind, id: id.uuidString, label: record.name,
                                            changes: [FieldChange(field: "invalid_\(wayKind)", old: nil, new: "\(way.value) (\(reason))")])
        }
    }

    /// Takes the mark off again (the number works after all).
    public func markValid(_ kind: RecordKind, _ id: UUID, value: String, by actor: Principal) async throws {
        let record = try await services.records.find(kind, id, for: actor, action: .update)
        let wayKind = value.contains("@") ? "email" : "phone"
        try await services.database.db.transaction { tx in
            try await (tx as! any SQLDatabase).delete(from: "contact_way_problems").where("record_kind", .equal, kind.rawValue).where("record_id", .equal, id)
                .where("kind", .equal, wayKind).where("normalized", .equal, Self.normalized(wayKind, value)).run()
            try await services.audit.record(on: tx, actor: actor, action: .update, kind: kind, id: id.uuidString, label: record.name,
                                            changes: [FieldChange(field: "invalid_\(wayKind)", old: value, new: nil)])
        }
    }

    /// The marks that still apply to the record's current phones and e-mails.
    public func problems(of kind: RecordKind, _ id: UUID) async throws -> [ContactWayProblem] {
        let current = Set(try await ways(of: kind, id).map { "\($0.kind)|\(Self.normalized($0.kind, $0.value))" })
        return try await services.database.sql.select().columns("kind", "normalized", "value", "reason", "marked_at").from("contact_way_problems")
            .where("record_kind", .equal, kind.rawValue).where("record_id", .equal, id).all().compactMap { row in
                let kind = try row.decode(column: "kind", as: String.self)
                guard current.contains("\(kind)|\(try row.decode(column: "normalized", as: String.self))") else { return nil }
                return ContactWayProblem(kind: kind, value: try row.decode(column: "value", as: String.self), reason: try row.decode(column: "reason", as: String.self),
                                         markedAt: try row.decode(column: "marked_at", as: Date.self))
            }
    }

    /// A call whose outcome says the number is wrong (空号, 错号, 号码错误, wrong number) marks
    /// the phone of the record it was about, when that record has just one.
    package func noteCallOutcome(_ activity: Activity, by actor: Principal) async throws {
        guard activity.kind == "call", let outcome = activity.outcome?.lowercased(),
              ["空号", "错号", "号码错误", "号码有误", "停机", "wrong number", "not in service"].contains(where: outcome.contains),
              let kind = activity.relatedKind.map(RecordKind.init(rawValue:)), Self.markable(services.records).contains(kind), let id = activity.relatedID else { return }
        let phones = try await ways(of: kind, id).filter { $0.kind == "phone" }
        guard phones.count == 1, actor.scope(for: .update, on: kind) != nil else { return }
        // Whoever logs the call may not change the record itself; the outcome is noted on the call either way.
        do { try await markInvalid(kind, id, value: phones[0].value, reason: "wrong_number", by: actor) } catch let error as GuanxiError where error.kind == .notFound || error.kind == .forbidden {}
    }
}
