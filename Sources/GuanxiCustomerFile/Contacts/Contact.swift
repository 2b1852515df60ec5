import FluentKit
import Foundation
import SQLKit
import GuanxiPlatform

/// A contact (联系人): a person, usually at a customer, with any number of e-mails,
/// phones and addresses. `reportsToID` builds the customer's organisation chart.
public final class Contact: Model, RowDecodable, @unchecked Sendable {
    public static let schema = "contacts"

    @ID(key: .id) public var id: UUID?
    @OptionalField(key: "customer_id") public var customerID: UUID?
    @Field(key: "name") public var name: String
    @OptionalField(key: "title") public var title: String?
    @OptionalField(key: "department") public var department: String?
    @OptionalField(key: "reports_to_id") public var reportsToID: UUID?
    @OptionalField(key: "wechat") public var wechat: String?
    /// YYYY-MM-DD; the age is worked out from it when shown, never stored.
    @OptionalField(key: "birthday") public var birthday: String?
    @Field(key: "notes") public var notes: String
    @OptionalField(key: "owner_id") public var ownerID: UUID?
    /// Lower-cased name, WeChat ID, e-mails and phone digits, for the search index.
    @Field(key: "search_text") package var searchText: String
    /// The name's place in a list ordered by name (`Pinyin.sortKey`, read as a person's).
    @OptionalField(key: "name_sort") package var nameSort: String?
    @Field(key: "version") public var version: Int
    @OptionalField(key: "created_by") public var createdBy: UUID?
    @Field(key: "created_at") public var createdAt: Date
    @Field(key: "updated_at") public var updatedAt: Date

    public init() {}

    /// A contact read from a query's row, field by field (`Values(row:)`), for a page
    /// that shows it. (Checked against Fluent's reading of the same row in debug builds.)
    package convenience init(row: any SQLRow) throws {
        self.init(saved: try Values(row: row))
        assert(matchesFluent(row), "contacts: the hand-written row reading differs from Fluent's")
    }

    /// Refreshes the search text and the sort key after a change (a `let` model cannot
    /// call the protocol's mutating form).
    package func refreshSearchText(_ channels: [ContactChannel]) {
        (searchText, nameSort) = keys(reachedBy: channels.filter { $0.kind != .address }.map(ContactService.normalized))
    }

    /// The contact's fields as plain values: what an import checks and writes, and what a
    /// list reads (`RowValues`). Each read of a Fluent field casts its value back from
    /// `Encodable`; an import writes a million contacts, a list page shows fifty.
    package struct Values: RowValues, Sendable {
        package var id: UUID?, customerID: UUID?, name: String, title: String?, department: String?, reportsToID: UUID?, wechat: String?
        package var birthday: String?, notes: String, ownerID: UUID?, searchText: String, nameSort: String?, version: Int, createdBy: UUID?, createdAt: Date, updatedAt: Date

        package init(id: UUID?, customerID: UUID?, name: String, title: String?, department: String?, reportsToID: UUID?, wechat: String?,
                     birthday: String?, notes: String, ownerID: UUID?, searchText: String, nameSort: String?, version: Int, createdBy: UUID?,
                     createdAt: Date, updatedAt: Date) {
            (self.id, self.customerID, self.name, self.title, self.department, self.reportsToID, self.wechat) = (id, customerID, name, title, department, reportsToID, wechat)
            (self.birthday, self.notes, self.ownerID, self.searchText, self.nameSort) = (birthday, notes, ownerID, searchText, nameSort)
            (self.version, self.createdBy, self.createdAt, self.updatedAt) = (version, createdBy, createdAt, updatedAt)
        }

        /// A new contact as it starts: no fields yet, version 1; the creator's fields are
        /// then applied (`ContactService.apply`).
        package static func new(by creator: UUID?, at now: Date) -> Values {
            Values(id: RecordID.new(), customerID: nil, name: "", title: nil, department: nil, reportsToID: nil, wechat: nil, birthday: nil, notes: "",
                   ownerID: nil, searchText: "", nameSort: nil, version: 1, createdBy: creator, createdAt: now, updatedAt: now)
        }

        /// Refreshes the search text and the sort key, given the normal forms of the
        /// contact's e-mails and phones (`ContactService.CheckedChannels.searchable`).
        package mutating func refreshSearchText(reachedBy normals: [String]) {
            (searchText, nameSort) = keys(reachedBy: normals)
        }

        /// The columns of `insertRow`, in its order: one list shared by every row, so a batch
        /// groups its rows by it without comparing names.
        package static let insertColumns = [
            "id", "customer_id", "name", "title", "department", "reports_to_id", "wechat", "birthday",
            "notes", "owner_id", "search_text", "name_sort", "version", "created_by", "created_at", "updated_at",
        ]

        /// The contact's row for an insert, written out so an import need not reflect over
        /// the model for every contact (checked against Fluent's row by `RowCodecTests`).
        package var insertRow: PreparedInsert {
            PreparedInsert(table: Contact.schema, columns: Self.insertColumns, values: [
                .init(id), .init(customerID), .init(name), .init(title), .init(department), .init(reportsToID), .init(wechat), .init(birthday),
                .init(notes), .init(ownerID), .init(searchText), .init(nameSort), .init(version), .init(createdBy), .init(createdAt), .init(updatedAt),
            ])
        }

        package var auditSnapshot: AuditSnapshot {
            ["name": name, "customer_id": customerID?.uuidString, "title": title, "department": department,
             "reports_to_id": reportsToID?.uuidString, "wechat": wechat, "birthday": birthday,
             "notes": notes.isEmpty ? nil : notes, "owner_id": ownerID?.uuidString]
        }
    }

    package var values: Values {
        Values(id: id, customerID: customerID, name: name, title: title, department: department, reportsToID: reportsToID, wechat: wechat,
               birthday: birthday, notes: notes, ownerID: ownerID, searchText: searchText, nameSort: nameSort, version: version, createdBy: createdBy,
               createdAt: createdAt, updatedAt: updatedAt)
    }

    /// The contact just saved from `values` (a new one), as the model that answers for it.
    package convenience init(saved v: Values) {
        self.init()
        (id, customerID, name, title, department, reportsToID, wechat, birthday) = (v.id, v.customerID, v.name, v.title, v.department, v.reportsToID, v.wechat, v.birthday)
        (notes, ownerID, searchText, nameSort, version, createdBy, createdAt, updatedAt) = (v.notes, v.ownerID, v.searchText, v.nameSort, v.version, v.createdBy, v.createdAt, v.updatedAt)
        $id.exists = true
    }

    package var auditSnapshot: AuditSnapshot { values.auditSnapshot }
}

/// What checking a change to a contact reads and writes. A saved contact (the Fluent
/// model) and a new one (`Contact.Values`) both hold it, so the checks
/// (`ContactService.apply`) are written once for both.
package protocol ContactFields {
    var id: UUID? { get }
    var customerID: UUID? { get set }
    var name: String { get set }
    var title: String? { get set }
    var department: String? { get set }
    var reportsToID: UUID? { get set }
    var wechat: String? { get set }
    var birthday: String? { get set }
    var notes: String { get set }
    var ownerID: UUID? { get set }
}

extension Contact.Values {
    /// A contact read from a list query's row, field by field: an export of a million
    /// contacts spent a third of its time letting Fluent find the fields by reflection.
    package init(row: any SQLRow) throws {
        (id, customerID, name, title) = (try row.decode(column: "id", as: UUID.self), try row.decode(column: "customer_id", as: UUID?.self),
                                          try row.decode(column: "name", as: String.self), try row.decode(column: "title", as: String?.self))
        (department, reportsToID, wechat, birthday) = (try row.decode(column: "department", as: String?.self), try row.decode(column: "reports_to_id", as: UUID?.self),
                                                       try row.decode(column: "wechat", as: String?.self), try row.decode(column: "birthday", as: String?.self))
        (notes, ownerID, searchText, version) = (try row.decode(column: "notes", as: String.self), try row.decode(column: "owner_id", as: UUID?.self),
                                                 try row.decode(column: "search_text", as: String.self), try row.decode(column: "version", as: Int.self))
        (createdBy, createdAt, updatedAt) = (try row.decode(column: "created_by", as: UUID?.self), try row.decode(column: "created_at", as: Date.self),
                                             try row.decode(column: "updated_at", as: Date.self))
        nameSort = try row.decode(column: "name_sort", as: String?.self)
    }
}

extension Contact: ContactFields {}
extension Contact.Values: ContactFields {}

extension ContactFields {
    /// The search text and the sort key that follow from the fields and the normal forms
    /// of the e-mails and phones a search finds the contact by.
    fileprivate func keys(reachedBy normals: [String]) -> (search: String, sort: String) {
        (SQLSearch.text([name, wechat] + normals), Pinyin.sortKey(name, person: true))
    }

    /// Whole years since the birthday, as of `today` in `timeZone`.
    package func age(on today: Date, timeZone: TimeZone) -> Int? {
        guard let birthday else { return nil }
        let parts = birthday.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3 else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let now = calendar.dateComponents([.year, .month, .day], from: today)
        guard let year = now.year, let month = now.month, let day = now.day else { return nil }
        return year - parts[0] - ((month, day) < (parts[1], parts[2]) ? 1 : 0)
    }
}

/// One way to reach a contact.
public struct ContactChannel: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, CaseIterable, Codable { case email, phone, address }
    public var kind: Kind
    public var value: String
    /// What it is for, e.g. 工作 / 私人 / mobile.
    public var label: String?
    public init(kind: Kind, value: String, label: String? = nil) {
        self.kind = kind
        self.value = value
        self.label = label
    }
}
