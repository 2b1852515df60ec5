import Foundation
import Hummingbird
import GuanxiPlatform

/// The contact list's filters and columns, shared by the list page and its export.
package struct ContactList: RecordList {
    package let services: CustomerFileServices
    package var kind: RecordKind { .contacts }
    package var defaultColumns: [String] { ["customer", "title", "phones", "emails", "wechat"] }
    package func title(_ record: Contact.Values) -> String { record.name }

    /// The filters of `/contacts?…`.
    package func filter(_ q: Parameters) throws -> ContactFilter {
        var filter = ContactFilter()
        filter.search = q["q"].map(String.init)
        filter.customerID = try Validate.uuid(q["customer"].map(String.init), field: "customer")
        filter.custom = try ListTable.customFilters(q)
        (filter.quality, filter.qualityCutoff) = try ListTable.quality(q, now: services.clock.now())
        let sort = ListTable.sort(q, default: "name")
        (filter.sort, filter.customSort, filter.customSortDescending) = (ContactFilter.Sort(rawValue: sort.builtIn) ?? .name, sort.custom, sort.descending)
        return filter
    }

    package func page(_ query: Parameters, cursor: String?, limit: Int, for principal: Principal) async throws -> (records: [Contact.Values], next: String?) {
        var filter = try filter(query)
        (filter.cursor, filter.limit) = (cursor, limit)
        let page = try await services.contactQuery.list(filter, for: principal)
        return (page.contacts, page.next)
    }

    /// Ids alone, in one query (a mail merge to the whole list).
    package func ids(_ query: Parameters, limit: Int, for principal: Principal) async throws -> [UUID] {
        if let ids = try await services.contactQuery.ids(try filter(query), limit: limit, for: principal) { return ids }
        return try await pagedIDs(query, limit: limit, for: principal)
    }

    package func columns(for records: [Contact.Values], principal: Principal, locale: String) async throws -> [ListTable.Column<Contact.Values>] {
        let t = { (key: String) in services.localizer.text(key, locale) }
        // Without the tree, rows come in the records' order.
        let rows = Dictionary(uniqueKeysWithValues: zip(records.map(\.recordID), try await ContactPages(services: services).rows(records, principal: principal, tree: false)))
        let owners = try await services.users.names(of: records.compactMap(\.ownerID))
        let cell = { (c: Contact.Values, pick: (ContactPages.Row) -> String) in rows[c.recordID].map(pick) ?? "" }
        return [
            ListTable.Column<Contact.Values>(key: "customer", label: t("kinds.customers")) { cell($0) { $0.customer } }
                .linking { c in c.customerID.flatMap { id in cell(c) { $0.customer }.isEmpty ? nil : CustomerPages.url.appending(id).description } },
            .init(key: "title", label: t("contact_fields.title")) { $0.title ?? "" },
            .init(key: "department", label: t("contact_fields.department")) { $0.department ?? "" },
            .init(key: "phones", label: t("contact_fields.phones")) { cell($0) { $0.phones } },
            .init(key: "emails", label: t("contact_fields.emails")) { cell($0) { $0.emails } },
            .init(key: "wechat", label: t("contact_fields.wechat")) { $0.wechat ?? "" },
            .init(key: "age", label: t("contact_fields.age")) { cell($0) { $0.age } },
            .init(key: "owner", label: t("customer_fields.owner")) { $0.ownerID.flatMap { owners[$0] } ?? "" },
        ]
    }
}
