import Foundation
import SQLKit
import GuanxiCustomerFile
import GuanxiPlatform

extension ImportTarget {
    /// Existing records the key value finds, among those the importer may read: a record
    /// outside their scope is neither updated nor counted as a duplicate, so no count or
    /// message of an import tells them it exists. Custom fields are looked up in their
    /// stored form.
    package func existing(_ key: String, _ value: String, by actor: Principal, services: CustomerFileServices) async throws -> [UUID] {
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
}

extension ImportTarget {
    /// `existing` for a batch of key values at once (a few queries, not one per row), by
    /// their `normalised` form; a value nothing readable matches is absent.
    package func existingAll(_ key: String, _ values: [String], snapshot: ImportKeySnapshot? = nil, by actor: Principal, services: CustomerFileServices) async throws -> [String: [UUID]] {
        guard !values.isEmpty else { return [:] }
        var found: [String: [UUID]] = [:]
        if key.hasPrefix("cf.") {
            for value in Set(values) where found[normalised(key, value)] == nil {
                let ids = try await existing(key, value, by: actor, services: services)
                if !ids.isEmpty { found[normalised(key, value)] = ids }
            }
            return found
        }
        if let snapshot { found = try await findAll(key, values, among: snapshot, on: services.database.sql) }
        else { found = try await findAll(key, values, on: services.database.sql) }
        guard !found.isEmpty, let readable = try await services.permissions.ownerFilter(actor, .read, on: kind).condition() else { return found }
        let ids = Array(Set(found.values.joined()))
        var kept: Set<UUID> = []
        for start in stride(from: 0, to: ids.count, by: 500) {
            let chunk = Array(ids[start..<min(start + 500, ids.count)])
            for row in try await services.database.sql.select().column("id").from(kind.rawValue).where("id", .in, chunk).where(readable).all() {
                kept.insert(try row.decode(column: "id", as: UUID.self))
            }
        }
        return found.compactMapValues { ids in
            let readable = ids.filter(kept.contains)
            return readable.isEmpty ? nil : readable
        }
    }
}
