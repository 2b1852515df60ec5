import FluentKit
import Foundation
import SQLKit
import GuanxiPlatform

/// A customer (客户): a company or a person, and more broadly any relationship worth
/// managing (partner, supplier, competitor, media, government). Every department works
/// from this one record. `ownerID` nil means the customer sits in the shared pool.
public final class Customer: Model, RowDecodable, @unchecked Sendable {
    public static let schema = "customers"

    @ID(key: .id) public var id: UUID?
    @Field(key: "name") public var name: String
    @Field(key: "kind") public var kind: String
    @OptionalField(key: "industry") public var industry: String?
    @OptionalField(key: "size") public var size: String?
    @OptionalField(key: "province") public var province: String?
    @OptionalField(key: "city") public var city: String?
    @OptionalField(key: "district") public var district: String?
    @OptionalField(key: "address") public var address: String?
    @OptionalField(key: "postcode") public var postcode: String?
    @OptionalField(key: "phone") public var phone: String?
    /// The phone's digits only, so "010-6543 2100" and "01065432100" match.
    @OptionalField(key: "phone_digits") package var phoneDigits: String?
    @OptionalField(key: "email") public var email: String?
    @OptionalField(key: "website") public var website: String?
    @OptionalField(key: "source") public var source: String?
    /// The customer's number in another system (shop, ERP); unique when set.
    @OptionalField(key: "external_id") public var externalID: String?
    @OptionalField(key: "owner_id") public var ownerID: UUID?
    @OptionalField(key: "grade") public var grade: String?
    @OptionalField(key: "value_tier") public var valueTier: String?
    @OptionalField(key: "lifecycle_stage") public var lifecycleStage: String?
    @Field(key: "relationship") public var relationship: String
    @OptionalField(key: "parent_id") public var parentID: UUID?
    @OptionalField(key: "referred_by_id") public var referredByID: UUID?
    @OptionalField(key: "birthday") public var birthday: String?
    @OptionalField(key: "anniversary") public var anniversary: String?
    @Field(key: "notes") public var notes: String
    @Field(key: "consent_email") package var consentEmail: String
    @OptionalField(key: "consent_email_at") package var consentEmailAt: Date?
    @OptionalField(key: "consent_email_via") package var consentEmailVia: String?
    @Field(key: "consent_sms") package var consentSMS: String
    @OptionalField(key: "consent_sms_at") package var consentSMSAt: Date?
    @OptionalField(key: "consent_sms_via") package var consentSMSVia: String?
    @Field(key: "consent_phone") package var consentPhone: String
    @OptionalField(key: "consent_phone_at") package var consentPhoneAt: Date?
    @OptionalField(key: "consent_phone_via") package var consentPhoneVia: String?
    /// Lower-cased name, e-mail, website and phone digits, for the search index.
    @Field(key: "search_text") package var searchText: String
    /// The name without its legal form (`CompanyName.core`), for finding duplicates.
    @OptionalField(key: "name_key") package var nameKey: String?
    /// The name's place in a list ordered by name (`Pinyin.sortKey`).
    @OptionalField(key: "name_sort") package var nameSort: String?
    /// Grows by one on every change; clients send it back to prove they saw the latest.
    @Field(key: "version") public var version: Int
    @OptionalField(key: "created_by") public var createdBy: UUID?
    @Field(key: "created_at") public var createdAt: Date
    @Field(key: "updated_at") public var updatedAt: Date

    public init() {}

    /// A customer read from a query's row, field by field (`Values(row:)`), for a page
    /// that shows it alone. (Checked against Fluent's reading of the same row in debug builds.)
    package convenience init(row: any SQLRow) throws {
        self.init(saved: try Values(row: row))
        assert(matchesFluent(row), "customers: the hand-written row reading differs from Fluent's")
    }

    /// The customer's fields as plain values, read from the model once. Each read of a
    /// Fluent field looks up its generic metadata and casts the value back; an import of a
    /// hundred thousand companies read every field for the row and again for the audit
    /// entry, a tenth of its time.
    package struct Values: Sendable {
        package var id: UUID?, name: String, kind: String, industry: String?, size: String?, province: String?, city: String?, district: String?
        package var address: String?, postcode: String?, phone: String?, phoneDigits: String?, email: String?, website: String?, source: String?
        package var externalID: String?, ownerID: UUID?, grade: String?, valueTier: String?, lifecycleStage: String?, relationship: String
        package var parentID: UUID?, referredByID: UUID?, birthday: String?, anniversary: String?, notes: String
        package var consentEmail: String, consentEmailAt: Date?, consentEmailVia: String?, consentSMS: String, consentSMSAt: Date?, consentSMSVia: String?
        package var consentPhone: String, consentPhoneAt: Date?, consentPhoneVia: String?
        package var searchText: String, nameKey: String?, nameSort: String?, version: Int, createdBy: UUID?, createdAt: Date, updatedAt: Date

        /// A new customer as it starts: a company and a customer, its consents unknown,
        /// version 1; the creator's fields are then applied (`CustomerService.apply`).
        package static func new(owner: UUID?, by creator: UUID?, at now: Date) -> Values {
            let unknown = Consent.Status.unknown.rawValue
            return Values(id: RecordID.new(), name: "", kind: "company", industry: nil, size: nil, province: nil, city: nil, district: nil,
                          address: nil, postcode: nil, phone: nil, phoneDigits: nil, email: nil, website: nil, source: nil,
                          externalID: nil, ownerID: owner, grade: nil, valueTier: nil, lifecycleStage: nil, relationship: "customer",
                          parentID: nil, referredByID: nil, birthday: nil, anniversary: nil, notes: "",
                          consentEmail: unknown, consentEmailAt: nil, consentEmailVia: nil, consentSMS: unknown, consentSMSAt: nil,
                          consentSMSVia: nil, consentPhone: unknown, consentPhoneAt: nil, consentPhoneVia: nil,
                          searchText: "", nameKey: nil, nameSort: nil, version: 1, createdBy: creator, createdAt: now, updatedAt: now)
        }

        /// The columns of `insertRow`, in its order: one list shared by every row, so a batch
        /// groups its rows by it without comparing names.
        package static let insertColumns = [
            "id", "name", "kind", "industry", "size", "province", "city", "district",
            "address", "postcode", "phone", "phone_digits", "email", "website", "source", "external_id",
            "owner_id", "grade", "value_tier", "lifecycle_stage", "relationship", "parent_id", "referred_by_id", "birthday",
            "anniversary", "notes", "consent_email", "consent_email_at", "consent_email_via", "consent_sms", "consent_sms_at", "consent_sms_via",
            "consent_phone", "consent_phone_at", "consent_phone_via", "search_text", "name_key", "name_sort", "version", "created_by",
            "created_at", "updated_at",
        ]

        /// The customer's row for an insert, written out so an import creating a hundred
        /// thousand companies need not reflect over forty fields for each (checked against
        /// Fluent's row by `RowCodecTests`).
        package var insertRow: PreparedInsert {
            PreparedInsert(table: Customer.schema, columns: Self.insertColumns, values: [
                .init(id), .init(name), .init(kind), .init(industry), .init(size), .init(province), .init(city), .init(district),
                .init(address), .init(postcode), .init(phone), .init(phoneDigits), .init(email), .init(website), .init(source), .init(externalID),
                .init(ownerID), .init(grade), .init(valueTier), .init(lifecycleStage), .init(relationship), .init(parentID), .init(referredByID), .init(birthday),
                .init(anniversary), .init(notes), .init(consentEmail), .init(consentEmailAt), .init(consentEmailVia), .init(consentSMS), .init(consentSMSAt), .init(consentSMSVia),
                .init(consentPhone), .init(consentPhoneAt), .init(consentPhoneVia), .init(searchText), .init(nameKey), .init(nameSort), .init(version), .init(createdBy),
                .init(createdAt), .init(updatedAt),
            ])
        }

        /// The audited fields (tags are added by the service, which owns them); a consent
        /// is written "opted_in (网站)", and left out while unknown.
        package var auditSnapshot: AuditSnapshot {
            var out: AuditSnapshot = [
                "name": name, "kind": kind, "industry": industry, "size": size, "province": province, "city": city, "district": district,
                "address": address, "postcode": postcode, "phone": phone, "email": email, "website": website, "source": source, "external_id": externalID,
                "owner_id": ownerID?.uuidString, "grade": grade, "value_tier": valueTier, "lifecycle_stage": lifecycleStage,
                "relationship": relationship, "parent_id": parentID?.uuidString, "referred_by_id": referredByID?.uuidString,
                "birthday": birthday, "anniversary": anniversary, "notes": notes.isEmpty ? nil : notes,
            ]
            for channel in Consent.Channel.allCases {
                let given = consent(channel)
                guard given.status != .unknown else { continue }
                out["consent_\(channel.rawValue)"] = "\(given.status.rawValue)\(given.via.map { " (\($0))" } ?? "")"
            }
            return out
        }
    }

    package var values: Values {
        Values(id: id, name: name, kind: kind, industry: industry, size: size, province: province, city: city, district: district,
               address: address, postcode: postcode, phone: phone, phoneDigits: phoneDigits, email: email, website: website, source: source,
               externalID: externalID, ownerID: ownerID, grade: grade, valueTier: valueTier, lifecycleStage: lifecycleStage, relationship: relationship,
               parentID: parentID, referredByID: referredByID, birthday: birthday, anniversary: anniversary, notes: notes,
               consentEmail: consentEmail, consentEmailAt: consentEmailAt, consentEmailVia: consentEmailVia, consentSMS: consentSMS, consentSMSAt: consentSMSAt,
               consentSMSVia: consentSMSVia, consentPhone: consentPhone, consentPhoneAt: consentPhoneAt, consentPhoneVia: consentPhoneVia,
               searchText: searchText, nameKey: nameKey, nameSort: nameSort, version: version, createdBy: createdBy, createdAt: createdAt, updatedAt: updatedAt)
    }

    /// The customer just saved from `values` (a new one), as the model that answers for it.
    package convenience init(saved v: Values) {
        self.init()
        (id, name, kind, industry, size, province, city, district) = (v.id, v.name, v.kind, v.industry, v.size, v.province, v.city, v.district)
        (address, postcode, phone, phoneDigits, email, website, source) = (v.address, v.postcode, v.phone, v.phoneDigits, v.email, v.website, v.source)
        (externalID, ownerID, grade, valueTier, lifecycleStage, relationship) = (v.externalID, v.ownerID, v.grade, v.valueTier, v.lifecycleStage, v.relationship)
        (parentID, referredByID, birthday, anniversary, notes) = (v.parentID, v.referredByID, v.birthday, v.anniversary, v.notes)
        (consentEmail, consentEmailAt, consentEmailVia) = (v.consentEmail, v.consentEmailAt, v.consentEmailVia)
        (consentSMS, consentSMSAt, consentSMSVia) = (v.consentSMS, v.consentSMSAt, v.consentSMSVia)
        (consentPhone, consentPhoneAt, consentPhoneVia) = (v.consentPhone, v.consentPhoneAt, v.consentPhoneVia)
        (searchText, nameKey, nameSort, version, createdBy, createdAt, updatedAt) = (v.searchText, v.nameKey, v.nameSort, v.version, v.createdBy, v.createdAt, v.updatedAt)
        $id.exists = true
    }

    /// The audited fields (tags are added by the service, which owns them).
    public var auditSnapshot: AuditSnapshot { values.auditSnapshot }
}

extension Customer.Values: RowValues {
    /// A customer read from a list query's row, field by field: Fluent finds a model's
    /// fields by reflection, and holds each in an object cast on every read — a third of
    /// a customer list page's time, then a tenth.
    package init(row: any SQLRow) throws {
        id = try row.decode(column: "id", as: UUID.self)
        name = try row.decode(column: "name", as: String.self)
        kind = try row.decode(column: "kind", as: String.self)
        industry = try row.decode(column: "industry", as: String?.self)
        size = try row.decode(column: "size", as: String?.self)
        province = try row.decode(column: "province", as: String?.self)
        city = try row.decode(column: "city", as: String?.self)
        district = try row.decode(column: "district", as: String?.self)
        address = try row.decode(column: "address", as: String?.self)
        postcode = try row.decode(column: "postcode", as: String?.self)
        phone = try row.decode(column: "phone", as: String?.self)
        phoneDigits = try row.decode(column: "phone_digits", as: String?.self)
        email = try row.decode(column: "email", as: String?.self)
        website = try row.decode(column: "website", as: String?.self)
        source = try row.decode(column: "source", as: String?.self)
        externalID = try row.decode(column: "external_id", as: String?.self)
        ownerID = try row.decode(column: "owner_id", as: UUID?.self)
        grade = try row.decode(column: "grade", as: String?.self)
        valueTier = try row.decode(column: "value_tier", as: String?.self)
        lifecycleStage = try row.decode(column: "lifecycle_stage", as: String?.self)
        relationship = try row.decode(column: "relationship", as: String.self)
        parentID = try row.decode(column: "parent_id", as: UUID?.self)
        referredByID = try row.decode(column: "referred_by_id", as: UUID?.self)
        birthday = try row.decode(column: "birthday", as: String?.self)
        anniversary = try row.decode(column: "anniversary", as: String?.self)
        notes = try row.decode(column: "notes", as: String.self)
        consentEmail = try row.decode(column: "consent_email", as: String.self)
        consentEmailAt = try row.decode(column: "consent_email_at", as: Date?.self)
        consentEmailVia = try row.decode(column: "consent_email_via", as: String?.self)
        consentSMS = try row.decode(column: "consent_sms", as: String.self)
        consentSMSAt = try row.decode(column: "consent_sms_at", as: Date?.self)
        consentSMSVia = try row.decode(column: "consent_sms_via", as: String?.self)
        consentPhone = try row.decode(column: "consent_phone", as: String.self)
        consentPhoneAt = try row.decode(column: "consent_phone_at", as: Date?.self)
        consentPhoneVia = try row.decode(column: "consent_phone_via", as: String?.self)
        searchText = try row.decode(column: "search_text", as: String.self)
        nameKey = try row.decode(column: "name_key", as: String?.self)
        nameSort = try row.decode(column: "name_sort", as: String?.self)
        version = try row.decode(column: "version", as: Int.self)
        createdBy = try row.decode(column: "created_by", as: UUID?.self)
        createdAt = try row.decode(column: "created_at", as: Date.self)
        updatedAt = try row.decode(column: "updated_at", as: Date.self)
    }
}

extension Customer: PooledRecord {
    public static let recordKind = RecordKind.customers
    public static let recordName = "Customer"
}

/// What checking a change to a customer reads and writes. A saved customer (the Fluent
/// model) and a new one (`Customer.Values`) both hold it, so the checks
/// (`CustomerService.apply`) are written once for both.
package protocol CustomerFields {
    var id: UUID? { get }
    var name: String { get set }
    var kind: String { get set }
    var industry: String? { get set }
    var size: String? { get set }
    var province: String? { get set }
    var city: String? { get set }
    var district: String? { get set }
    var address: String? { get set }
    var postcode: String? { get set }
    var phone: String? { get set }
    var phoneDigits: String? { get set }
    var email: String? { get set }
    var website: String? { get set }
    var source: String? { get set }
    var externalID: String? { get set }
    var ownerID: UUID? { get set }
    var grade: String? { get set }
    var valueTier: String? { get set }
    var lifecycleStage: String? { get set }
    var relationship: String { get set }
    var parentID: UUID? { get set }
    var referredByID: UUID? { get set }
    var birthday: String? { get set }
    var anniversary: String? { get set }
    var notes: String { get set }
    var consentEmail: String { get set }
    var consentEmailAt: Date? { get set }
    var consentEmailVia: String? { get set }
    var consentSMS: String { get set }
    var consentSMSAt: Date? { get set }
    var consentSMSVia: String? { get set }
    var consentPhone: String { get set }
    var consentPhoneAt: Date? { get set }
    var consentPhoneVia: String? { get set }
    var searchText: String { get set }
    var nameKey: String? { get set }
    var nameSort: String? { get set }
    /// Refreshes the search text, the duplicate key and the sort key after a change.
    mutating func refreshSearchText()
}

extension Customer: CustomerFields {
    package func refreshSearchText() { (searchText, nameKey, nameSort) = keys }
}

extension Customer.Values: CustomerFields {
    package mutating func refreshSearchText() { (searchText, nameKey, nameSort) = keys }
}

extension CustomerFields {
    /// The search text, the duplicate key and the sort key that follow from the fields.
    fileprivate var keys: (search: String, name: String, sort: String) {
        (SQLSearch.text([name, email, website, phoneDigits]), CompanyName.core(name), Pinyin.sortKey(name, person: kind == "person"))
    }

    package func consent(_ channel: Consent.Channel) -> Consent {
        switch channel {
        case .email: Consent(status: .init(rawValue: consentEmail) ?? .unknown, at: consentEmailAt, via: consentEmailVia)
        case .sms: Consent(status: .init(rawValue: consentSMS) ?? .unknown, at: consentSMSAt, via: consentSMSVia)
        case .phone: Consent(status: .init(rawValue: consentPhone) ?? .unknown, at: consentPhoneAt, via: consentPhoneVia)
        }
    }

    package mutating func setConsent(_ consent: Consent, for channel: Consent.Channel) {
        switch channel {
        case .email: (consentEmail, consentEmailAt, consentEmailVia) = (consent.status.rawValue, consent.at, consent.via)
        case .sms: (consentSMS, consentSMSAt, consentSMSVia) = (consent.status.rawValue, consent.at, consent.via)
        case .phone: (consentPhone, consentPhoneAt, consentPhoneVia) = (consent.status.rawValue, consent.at, consent.via)
        }
    }
}

/// Whether a customer agreed to be contacted on a channel, when, and how it was recorded.
public struct Consent: Sendable, Equatable {
    public enum Channel: String, Sendable, CaseIterable { case email, sms, phone }
    public enum Status: String, Sendable, CaseIterable { case unknown, optedIn = "opted_in", optedOut = "opted_out" }
    public var status: Status
    public var at: Date?
    public var via: String?
    public init(status: Status, at: Date? = nil, via: String? = nil) {
        self.status = status
        self.at = at
        self.via = via
    }
}

/// The fixed vocabularies of the customer file. Grades are the organisation's own scale.
public enum CustomerVocabulary {
    public static let kinds = ["company", "person"]
    public static let sizes = ["micro", "small", "medium", "large", "enterprise"]
    /// 培育 acquisition, 成长 growth, 回报 maturity, 挽留 at risk, 终止 lost.
    public static let lifecycleStages = ["acquisition", "growth", "maturity", "at_risk", "lost"]
    /// 屈从型 VIP, 关怀型 high, 适应型 ordinary, 冷漠型 low (unprofitable).
    public static let valueTiers = ["vip", "high", "ordinary", "low"]
    public static let relationships = ["customer", "partner", "supplier", "competitor", "media", "government"]
    /// The grade scale when an administrator has not set one.
    public static let defaultGrades = ["A", "B", "C"]
}
