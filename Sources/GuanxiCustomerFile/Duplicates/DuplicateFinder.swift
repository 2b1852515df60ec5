import Foundation
import SQLKit
import GuanxiPlatform

/// Records already on file that are probably one and the same, in groups, strongest first.
public struct DuplicateGroup: Sendable, Equatable {
    public let members: [DuplicateCandidate]
    /// What they share: email, phone, name.
    public let reasons: [String]
    /// 100 for the same e-mail, 90 the same phone, 80 the same name (without legal form,
    /// or the same person at the same customer); 5 more for each further thing shared.
    public let score: Int
    /// Same e-mail address: safe to merge without looking (the bulk merge takes these).
    public var isExact: Bool { reasons.contains("email") }
    /// The group's identity, for "not duplicates".
    public var key: String { members.map(\.id.uuidString).sorted().joined(separator: ",") }
}

/// Finds duplicates over the whole file with one grouped query per key — e-mail, phone
/// digits, company name without legal form (customers), the same name at the same
/// customer (contacts) — joins groups that share a record, ranks them, and leaves out
/// groups marked "not duplicates". Only records the reader may read are listed.
public struct DuplicateFinder: Sendable {
    package let services: CustomerFileServices
    public init(services: CustomerFileServices) { self.services = services }

    package static let scores = ["email": 100, "phone": 90, "name": 80]

    /// What finds duplicates of `kind`; an error naming the kinds that have duplicates otherwise.
    package func keys(_ kind: RecordKind) throws -> [DuplicateKey] {
        try services.records.named(kind.rawValue, field: "kind") { !$0.duplicateKeys.isEmpty }.duplicateKeys
    }

    public func groups(_ kind: RecordKind, for actor: Principal, limit: Int = 200) async throws -> (groups: [DuplicateGroup], total: Int) {
        let keys = try keys(kind)
        let sql = services.database.sql
        let owners = try await services.permissions.ownerFilter(actor, .read, on: kind)
        var links: [(reason: String, key: String, id: UUID, name: String)] = []
        func collect(_ key: DuplicateKey, _ query: SQLQueryString) async throws {
            let rows = try await sql.raw(query).all()
            guard !key.corroboratedBy.isEmpty else {
                for row in rows {
                    links.append((key.reason, try row.decode(column: "k", as: String.self), try row.decode(column: "id", as: UUID.self), try row.decode(column: "name", as: String.self)))
                }
                return
            }
            // A weak key: within each value, only records that share evidence too.
            var byValue: [String: [(id: UUID, name: String, evidence: Set<String>)]] = [:]
            for row in rows {
                let evidence = Set(try key.corroboratedBy.compactMap { Corroboration.evidence($0, try row.decode(column: $0, as: String?.self)) })
                byValue[try row.decode(column: "k", as: String.self), default: []].append((try row.decode(column: "id", as: UUID.self), try row.decode(column: "name", as: String.self), evidence))
            }
            for (value, records) in byValue {
                let subKeys = Corroboration.subKeys(records.map { ($0.id, $0.evidence) })
                for record in records { if let sub = subKeys[record.id] { links.append((key.reason, "\(value)#\(sub)", record.id, record.name)) } }
            }
        }
        let visible = owners.condition("t.owner_id").map { SQLQueryString(" AND \($0)") } ?? ""
        for key in keys { try await collect(key, key.query(visible, services.database.engine)) }
        let dismissed = Set(try await sql.select().column("pair").from("duplicate_dismissals").where("kind", .equal, kind.rawValue).all()
            .map { try $0.decode(column: "pair", as: String.self) })
        let groups = Self.group(links).filter { !dismissed.contains($0.key) }
            .sorted { ($0.score, $0.members.count, $0.members[0].name) > ($1.score, $1.members.count, $1.members[0].name) }
        return (Array(groups.prefix(limit)), groups.count)
    }

    /// Joins records that share any key into one group (union–find over the links).
    package static func group(_ links: [(reason: String, key: String, id: UUID, name: String)]) -> [DuplicateGroup] {
        var parent: [UUID: UUID] = [:], names: [UUID: String] = [:]
        func root(_ id: UUID) -> UUID {
            var r = id
            while let p = parent[r], p != r { r = p }
            var node = id
            while let p = parent[node], p != r { parent[node] = r; node = p }
            return r
        }
        var firstOfKey: [String: UUID] = [:]
        for link in links {
            names[link.id] = link.name
            if parent[link.id] == nil { parent[link.id] = link.id }
            let key = "\(link.reason)|\(link.key)"
            if let first = firstOfKey[key] { parent[root(link.id)] = root(first) } else { firstOfKey[key] = link.id }
        }
        var members: [UUID: Set<UUID>] = [:], reasons: [UUID: Set<String>] = [:]
        for link in links {
            let r = root(link.id)
            members[r, default: []].insert(link.id)
            reasons[r, default: []].insert(link.reason)
        }
        return members.compactMap { r, ids in
            guard ids.count > 1 else { return nil }
            let why = reasons[r, default: []].sorted { scores[$0, default: 0] > scores[$1, default: 0] }
            let score = (scores[why[0]] ?? 0) + 5 * (why.count - 1)
            return DuplicateGroup(members: ids.map { DuplicateCandidate(id: $0, name: names[$0] ?? "", reason: why[0]) }.sorted { $0.name < $1.name || ($0.name == $1.name && $0.id.uuidString < $1.id.uuidString) },
                                  reasons: why, score: score)
        }
    }

    /// Marks a group "not duplicates": it leaves the review queue (until its members change).
    public func dismiss(_ kind: RecordKind, key: String, by actor: Principal) async throws {
        _ = try services.permissions.require(actor, .update, on: kind)
        try await services.database.db.transaction { tx in
            try await (tx as! any SQLDatabase).insert(into: "duplicate_dismissals").columns("kind", "pair", "created_by", "created_at")
                .values(SQLBind(kind.rawValue), SQLBind(key), SQLBind(actor.userID), SQLBind(services.clock.now())).ignoringConflicts().run()
            try await services.audit.record(on: tx, actor: actor, action: .update, kind: kind, id: key.prefix(36).description, label: "not duplicates",
                                            changes: [FieldChange(field: "not_duplicates", old: nil, new: key)])
        }
    }

    /// Merges every group that shares an e-mail address, each into its oldest record. Returns how many records went.
    public func mergeExact(_ kind: RecordKind, by actor: Principal) async throws -> (merged: Int, failed: Int) {
        var merged = 0, failed = 0
        for group in try await groups(kind, for: actor, limit: 10_000).groups where group.isExact {
            let ids = group.members.map(\.id)
            let oldest = try await services.database.sql.select().column("id").from(services.records[kind]?.table ?? kind.rawValue).where("id", .in, ids).orderBy("created_at").first()?
                .decode(column: "id", as: UUID.self) ?? ids[0]
            do {
                try await MergeService(services: services).merge(kind, survivor: oldest, others: ids.filter { $0 != oldest }, by: actor)
                merged += ids.count - 1
            } catch let error as GuanxiError where error.kind != .internal {
                failed += 1
            }
        }
        return (merged, failed)
    }
}
