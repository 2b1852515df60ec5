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

    /// A contact read from a list query's row, field by field: an export of a million
    /// contacts spent a third of its time letting Fluent find the fields by reflection.
    /// (Checked against Fluent's reading of the same row in debug builds.)
    package convenience init(row: any SQLRow) throws {
        self.init()
        (id, customerID, name, title) = (try row.decode(column: "id", as: UUID.self), try row.decode(column: "customer_id", as: UUID?.self),
                                          try row.decode(column: "name", as: String.self), try row.decode(column: "title", as: String?.self))
        (department, reportsToID, wechat, birthday) = (try row.decode(column: "department", as: String?.self), try row.decode(column: "reports_to_id", as: UUID?.self),
                                                       try row.decode(column: "wechat", as: String?.self), try row.decode(column: "birthday", as: String?.self))
        (notes, ownerID, searchText, version) = (try row.decode(column: "notes", as: String.self), try row.decode(column: "owner_id", as: UUID?.self),
                                                 try row.decode(column: "search_text", as: String.self), try row.decode(column: "version", as: Int.self))
        (createdBy, createdAt, updatedAt) = (try row.decode(column: "created_by", as: UUID?.self), try row.decode(column: "created_at", as: Date.self),
                                             try row.decode(column: "updated_at", as: Date.self))
        nameSort = try row.decode(column: "name_sort", as: String?.self)
        $id.exists = true  // as `_$idExists` would, without its reflection over the model
        assert(matchesFluent(row), "contacts: the hand-written row reading differs from Fluent's")
    }

    package func refreshSearchText(_ channels: [ContactChannel]) {
        searchText = SQLSearch.text([name, wechat] + channels.filter { $0.kind != .address }.map(ContactService.normalized))
        nameSort = Pinyin.sortKey(name, person: true)
    }

    /// The contact's fields as plain values, read from the model once. Each read of a
    /// Fluent field casts its value back from `Encodable`; an import writes a million
    /// contacts and reads every field for the row and again for the audit entry.
    package struct Values {
        package let id: UUID?, customerID: UUID?, name: String, title: String?, department: String?, reportsToID: UUID?, wechat: String?
        package let birthday: String?, notes: String, ownerID: UUID?, searchText: String, nameSort: String?, version: Int, createdBy: UUID?, createdAt: Date, updatedAt: Date

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

    package var auditSnapshot: AuditSnapshot { values.auditSnapshot }

    /// Whole years since the birthday, as of `today` in `timeZone`.
    public func age(on today: Date, timeZone: TimeZone) -> Int? {
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
