import Foundation
import GuanxiAnalytics
import GuanxiCustomerFile
import GuanxiPlatform
import SQLKit

/// What an analytics run reads: every customer (id, current tier and stage) and every
/// purchase, as the models take them. On SQLite the purchases are read in two halves by
/// row id, each on a read-only connection and a core of its own, beside the customers:
/// read one after the other, loading a million purchases was the largest step of a run.
struct AnalysisInput {
    var ids: [UUID] = []
    var current: [(tier: String?, stage: String?)] = []
    var purchases: [Purchase] = []
    var items: [[String]] = []

    /// A purchase as read, before its customer becomes a position in `ids`.
    private struct Read: Sendable {
        let customer: UUID, day: Day, amount: Double, margin: Double?, items: [String]
    }

    static func load(_ database: DatabaseService) async throws -> AnalysisInput {
        let sql = database.sql
        async let customers = sql.select().columns("id", "value_tier", "lifecycle_stage").from("customers").orderBy("id").all()
        let parts = try await withThrowingTaskGroup(of: (Int, [Read]).self) { group in
            let ranges = try await halves(database)
            for (n, range) in ranges.enumerated() { group.addTask { (n, try await read(range, on: sql)) } }
            var parts = [[Read]](repeating: [], count: ranges.count)
            for try await (n, part) in group { parts[n] = part }
            return parts
        }
        var input = AnalysisInput()
        var index: [UUID: Int] = [:]
        for row in try await customers {
            let id = try row.decode(column: "id", as: UUID.self)
            index[id] = input.ids.count
            input.ids.append(id)
            input.current.append((try row.decode(column: "value_tier", as: String?.self), try row.decode(column: "lifecycle_stage", as: String?.self)))
        }
        for part in parts {
            for read in part {
                // A purchase of a customer deleted between the two reads is left out.
                guard let customer = index[read.customer] else { continue }
                input.purchases.append(Purchase(customer: customer, day: read.day, amount: read.amount, margin: read.margin))
                input.items.append(read.items)
            }
        }
        return input
    }

    /// The purchases' row-id halves on SQLite; the whole table, once, on PostgreSQL.
    private static func halves(_ database: DatabaseService) async throws -> [any SQLExpression] {
        guard database.engine == .sqlite,
              let last = try await database.sql.raw("SELECT max(rowid) AS last FROM purchases").first()?.decode(column: "last", as: Int?.self) else {
            return [SQLLiteral.boolean(true)]
        }
        let middle = last / 2
        return [SQLQueryString("rowid <= \(bind: middle)"), SQLQueryString("rowid > \(bind: middle)")]
    }

    private static func read(_ range: any SQLExpression, on sql: any SQLDatabase) async throws -> [Read] {
        var out: [Read] = []
        for row in try await sql.select().columns("customer_id", "purchased_on", "amount", "margin", "items").from("purchases").where(range).all() {
            guard let day = Day(iso: try row.decode(column: "purchased_on", as: String.self)) else { continue }
            // Read as Int, which the SQLite row reads directly (Int64 goes through a decoder).
            out.append(Read(customer: try row.decode(column: "customer_id", as: UUID.self), day: day,
                            amount: Double(try row.decode(column: "amount", as: Int.self)) / 100,
                            margin: try row.decode(column: "margin", as: Int?.self).map { Double($0) / 100 },
                            items: CustomerPurchase.items(from: try row.decode(column: "items", as: String.self))))
        }
        return out
    }
}
