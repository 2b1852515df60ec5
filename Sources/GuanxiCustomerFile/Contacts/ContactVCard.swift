import FluentKit
import Foundation
import Hummingbird
import GuanxiPlatform

/// Contacts as vCards — for phones, Outlook, Apple and Google contacts — and vCard files
/// read back as contact rows for the import pipeline.
package struct ContactVCard: Sendable {
    package let services: CustomerFileServices

    /// Checks the export permission and records the export; `write` then streams it.
    package func start(query: Parameters, version: VCard.Version, by actor: Principal) async throws {
        _ = try services.permissions.require(actor, .export, on: .contacts)
        _ = try ContactList(services: services).filter(query)
        let filters = ListTable.savedQuery(query)
        try await services.database.db.transaction { tx in
            try await services.audit.record(on: tx, actor: actor, action: .export, kind: .contacts, id: "export", label: "contacts",
                                            changes: [FieldChange(field: "filters", old: nil, new: filters.isEmpty ? nil : filters),
                                                      FieldChange(field: "format", old: nil, new: "vCard \(version.rawValue)")])
        }
    }

    /// The cards of every contact the list (filters of `query`) shows, a page at a time.
    package func write(query: Parameters, version: VCard.Version, by actor: Principal, to out: (String) async throws -> Void) async throws -> Int {
        var cursor: String?, count = 0
        repeat {
            let page = try await chunk(query: query, version: version, after: cursor, by: actor)
            if !page.text.isEmpty { try await out(page.text) }
            (count, cursor) = (count + page.rows, page.next)
        } while cursor != nil
        return count
    }

    /// One page of cards, and the cursor of the next page (nil after the last).
    package func chunk(query: Parameters, version: VCard.Version, after cursor: String?, by actor: Principal) async throws -> (text: String, rows: Int, next: String?) {
        let exportable = try await services.permissions.ownerFilter(actor, .export, on: .contacts)
        let page = try await ContactList(services: services).page(query, cursor: cursor, limit: ContactList.exportPageSize, for: actor)
        let contacts = page.records.filter { exportable.allows($0.ownerID) }
        let channels = try await services.contactQuery.channels(of: contacts.map { $0.id! })
        let companies = try await services.customerQuery.names(of: contacts.compactMap(\.customerID), for: actor)
        let text = contacts.map { c in Self.card(c, channels: channels[c.id!] ?? [], company: c.customerID.flatMap { companies[$0] }, version: version) }.joined()
        return (text, contacts.count, page.next)
    }

    package static func card(_ c: Contact.Values, channels: [ContactChannel], company: String?, version: VCard.Version) -> String {
        let v4 = version == .v4
        let (family, given) = PersonName.split(c.name)
        var lines = ["BEGIN:VCARD", "VERSION:\(version.rawValue)", "PRODID:-//Guanxi//CRM//EN",
                     "FN:\(VCard.escape(c.name))", "N:\(VCard.escape(family));\(VCard.escape(given));;;"]
        if company != nil || c.department != nil { lines.append("ORG:\(VCard.escape(company ?? ""))" + (c.department.map { ";" + VCard.escape($0) } ?? "")) }
        if let title = c.title { lines.append("TITLE:\(VCard.escape(title))") }
        for channel in channels {
            let type = channelType(channel.label)
            switch channel.kind {
            case .phone:
                let types = (type.map { [$0] } ?? []) + (type == nil || type == "fax" ? ["voice"] : [])
                lines.append(v4 ? "TEL;VALUE=text;TYPE=\(types.joined(separator: ","))" + ":\(VCard.escape(channel.value))"
                                : "TEL;TYPE=\(types.map { $0.uppercased() }.joined(separator: ",")):\(VCard.escape(channel.value))")
            case .email:
                lines.append(v4 ? "EMAIL" + (type.map { ";TYPE=\($0)" } ?? "") + ":\(channel.value)"
                                : "EMAIL;TYPE=INTERNET" + (type.map { "," + $0.uppercased() } ?? "") + ":\(channel.value)")
            case .address:
                lines.append("ADR" + (type.map { ";TYPE=\(v4 ? $0 : $0.uppercased())" } ?? "") + ":;;\(VCard.escape(channel.value));;;;")
            }
        }
        if let wechat = c.wechat { lines.append("X-WECHAT:\(VCard.escape(wechat))") }
        if let birthday = c.birthday { lines.append("BDAY:\(v4 ? birthday.replacingOccurrences(of: "-", with: "") : birthday)") }
        if !c.notes.isEmpty { lines.append("NOTE:\(VCard.escape(c.notes))") }
        lines.append("UID:\(v4 ? "urn:uuid:" : "")\(c.id!.uuidString.lowercased())")
        lines.append("REV:\(ICalendar.utc(c.updatedAt))")
        lines.append("END:VCARD")
        return lines.map(VCard.line).joined()
    }

    /// The vCard TYPE for a channel label people write: 手机/mobile → cell, 工作/办公/座机 → work, 家/私人 → home, 传真 → fax.
    package static func channelType(_ label: String?) -> String? {
        guard let label = label?.lowercased() else { return nil }
        for (type, words) in [("cell", ["手机", "移动", "mobile", "cell"]), ("fax", ["传真", "fax"]), ("home", ["家", "私人", "住宅", "home", "private"]),
                              ("work", ["工作", "办公", "座机", "公司", "单位", "work", "office"])] where words.contains(where: label.contains) {
            return type
        }
        return nil
    }

    package static func label(_ types: Set<String>, locale: String) -> String? {
        let labels: [(String, String, String)] = [("cell", "手机", "mobile"), ("fax", "传真", "fax"), ("home", "家庭", "home"), ("work", "工作", "work")]
        return labels.first { types.contains($0.0) }.map { locale == "en" ? $0.2 : $0.1 }
    }

    /// Import rows of a vCard file: one row per card, numbered by the line the card begins on.
    package static func rows(_ cards: [VCard.Card], locale: String) -> (header: [String], rows: [CSVReader.Row]) {
        let header = ["name", "customer", "department", "title", "phones", "emails", "addresses", "wechat", "birthday", "notes"]
        let rows = cards.map { card -> CSVReader.Row in
            func first(_ name: String) -> VCard.Property? { card.properties.first { $0.name == name } }
            func lines(_ name: String, _ value: (VCard.Property) -> String) -> String {
                card.properties.filter { $0.name == name }.map { p in
                    let text = value(p).trimmingCharacters(in: .whitespaces)
                    return (label(p.types, locale: locale).map { "\($0): " } ?? "") + text
                }.filter { !$0.hasSuffix(": ") && !$0.isEmpty }.joined(separator: "\n")
            }
            var name = first("FN").map { VCard.unescape($0.value) } ?? ""
            if name.isEmpty, let n = first("N") {
                let parts = VCard.components(n.value)
                name = PersonName.join(family: parts.first ?? "", given: parts.count > 1 ? parts[1] : "")
            }
            let org = first("ORG").map { VCard.components($0.value) } ?? []
            let telephone = { (p: VCard.Property) -> String in
                let value = VCard.unescape(p.value)
                return value.lowercased().hasPrefix("tel:") ? String(value.dropFirst(4)) : value
            }
            let address = { (p: VCard.Property) -> String in
                VCard.components(p.value).filter { !$0.isEmpty }.joined(separator: " ")
            }
            var birthday = first("BDAY")?.value ?? ""
            if birthday.count == 8, birthday.allSatisfy(\.isNumber) {
                birthday = "\(birthday.prefix(4))-\(birthday.dropFirst(4).prefix(2))-\(birthday.suffix(2))"
            } else if birthday.count >= 10 { birthday = String(birthday.prefix(10)) } else { birthday = "" }
            return CSVReader.Row(line: card.line, fields: [
                name, org.first ?? "", org.count > 1 ? org[1] : "", first("TITLE").map { VCard.unescape($0.value) } ?? "",
                lines("TEL", telephone), lines("EMAIL") { VCard.unescape($0.value) }, lines("ADR", address),
                (first("X-WECHAT") ?? first("X-WEIXIN")).map { VCard.unescape($0.value) } ?? "", birthday, first("NOTE").map { VCard.unescape($0.value) } ?? "",
            ])
        }
        return (header, rows)
    }
}

/// Family and given names for formats that need them apart (vCard N). Chinese names put
/// the family name first — one character, or two for the compound surnames; names in
/// Latin letters put it last.
package enum PersonName {
    package static let compoundSurnames: Set<String> = ["欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒", "夏侯", "轩辕",
                                                "令狐", "钟离", "澹台", "公冶", "端木", "申屠", "太史", "独孤", "南宫", "西门"]

    package static func split(_ name: String) -> (family: String, given: String) {
        let trimmed = name.trimmingCharacters(in: .whitespaces)
        if trimmed.unicodeScalars.allSatisfy({ $0.properties.isIdeographic || $0 == "·" }), trimmed.count >= 2 {
            let size = trimmed.count > 2 && compoundSurnames.contains(String(trimmed.prefix(2))) ? 2 : 1
            return (String(trimmed.prefix(size)), String(trimmed.dropFirst(size)))
        }
        guard let space = trimmed.lastIndex(of: " ") else { return (trimmed, "") }
        return (String(trimmed[trimmed.index(after: space)...]), String(trimmed[..<space]))
    }

    package static func join(family: String, given: String) -> String {
        let ideographic = (family + given).unicodeScalars.allSatisfy { $0.properties.isIdeographic }
        return ideographic ? family + given : [given, family].filter { !$0.isEmpty }.joined(separator: " ")
    }
}
