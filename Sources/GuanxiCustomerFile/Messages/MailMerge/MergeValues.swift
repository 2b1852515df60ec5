import Foundation
import GuanxiPlatform
import SQLKit

/// The values a template's merge fields take for one recipient: the fields of the record
/// and of its customer (`MessageRecipients`), plus
/// - `recipient.name`, `.email`, `.phone` — whatever kind the record is;
/// - `owner.name`, `.email` — the colleague who owns the record;
/// - `me.name`, `.email` — the colleague sending;
/// - `today` — the date, written the way the template's language writes it.
package struct MergeValues: Sendable {
    package static let recipientFields = ["name", "email", "phone"]
    package static let userFields = ["name", "email"]

    /// Every merge field, by group, in the order the template editor lists them.
    package static func catalogue(_ records: RecordKinds) -> [(group: String, fields: [String])] {
        var groups: [(String, [String])] = [("recipient", recipientFields)]
        for kind in records.all {
            for (group, fields) in (kind.messageRecipients?.fields ?? [:]).sorted(by: { $0.key < $1.key }) where !groups.contains(where: { $0.0 == group }) {
                groups.append((group, fields))
            }
        }
        return groups + [("owner", userFields), ("me", userFields), ("today", [])]
    }

    /// The names a template may use: `group.field`, and `today`.
    package static func names(_ records: RecordKinds) -> Set<String> {
        Set(catalogue(records).flatMap { group in group.fields.isEmpty ? [group.group] : group.fields.map { "\(group.group).\($0)" } })
    }

    let me: [String: String]
    let owners: [UUID: [String: String]]
    let today: String

    /// The values shared by a batch of `recipients`: their owners, the sender, the date.
    package static func load(for recipients: [MessageRecipient], sender: Principal, language: String, database: DatabaseService, clock: any Clock) async throws -> MergeValues {
        let people = Set(recipients.compactMap(\.ownerID) + [sender.userID])
        var users: [UUID: [String: String]] = [:]
        for chunk in Array(people).chunked(500) {
            for row in try await database.sql.select().columns("id", "display_name", "email").from("users").where("id", .in, chunk).all() {
                var fields = ["name": try row.decode(column: "display_name", as: String.self)]
                fields["email"] = try row.decode(column: "email", as: String?.self)
                users[try row.decode(column: "id", as: UUID.self)] = fields
            }
        }
        return MergeValues(me: users[sender.userID] ?? ["name": sender.displayName], owners: users,
                           today: written(clock.now(), language: language, timeZone: sender.timeZone))
    }

    /// The tree Mustache reads for one recipient.
    package func values(for recipient: MessageRecipient) -> [String: Any] {
        var out: [String: Any] = recipient.fields
        var who = ["name": recipient.name]
        who["email"] = recipient.email
        who["phone"] = recipient.phone
        out["recipient"] = who
        out["owner"] = recipient.ownerID.flatMap { owners[$0] } ?? [:]
        out["me"] = me
        out["today"] = today
        return out
    }

    /// "2026年12月5日" or "5 December 2026".
    static func written(_ date: Date, language: String, timeZone: String) -> String {
        let formatter = DateFormatter()
        formatter.timeZone = TimeZone(identifier: timeZone) ?? TimeZone(identifier: "Asia/Shanghai")
        if language == "en" {
            formatter.locale = Locale(identifier: "en_GB")
            formatter.dateFormat = "d MMMM yyyy"
        } else {
            formatter.locale = Locale(identifier: "zh_CN")
            formatter.dateFormat = "yyyy年M月d日"
        }
        return formatter.string(from: date)
    }
}
