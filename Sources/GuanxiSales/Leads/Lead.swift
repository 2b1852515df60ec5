import FluentKit
import Foundation
import GuanxiCustomerFile
import GuanxiPlatform

/// A lead (线索): someone who may become a customer — a business card from a fair, a
/// web enquiry, a referral — not yet qualified. `ownerID` nil means it sits in the
/// shared pool. Conversion turns a qualified lead into a customer, a contact and an
/// opportunity, and keeps links to them here.
public final class Lead: Model, @unchecked Sendable {
    public static let schema = "leads"

    @ID(key: .id) public var id: UUID?
    /// The person's name.
    @Field(key: "name") public var name: String
    @OptionalField(key: "company") public var company: String?
    @OptionalField(key: "title") public var title: String?
    @OptionalField(key: "phone") public var phone: String?
    @OptionalField(key: "phone_digits") package var phoneDigits: String?
    @OptionalField(key: "email") public var email: String?
    @OptionalField(key: "wechat") public var wechat: String?
    @OptionalField(key: "province") public var province: String?
    @OptionalField(key: "city") public var city: String?
    @OptionalField(key: "industry") public var industry: String?
    @OptionalField(key: "source") public var source: String?
    @Field(key: "status") public var status: String
    /// Why a lead was found unqualified, or any note on its status.
    @OptionalField(key: "status_reason") public var statusReason: String?
    @OptionalField(key: "rating") public var rating: String?
    @OptionalField(key: "owner_id") public var ownerID: UUID?
    @Field(key: "notes") public var notes: String
    @OptionalField(key: "converted_customer_id") public var convertedCustomerID: UUID?
    @OptionalField(key: "converted_contact_id") public var convertedContactID: UUID?
    @OptionalField(key: "converted_opportunity_id") public var convertedOpportunityID: UUID?
    @OptionalField(key: "converted_at") public var convertedAt: Date?
    /// Lower-cased name, company, e-mail, WeChat ID and phone digits, for the search index.
    @Field(key: "search_text") package var searchText: String
    /// The name's place in a list ordered by name (`Pinyin.sortKey`, read as a person's).
    @OptionalField(key: "name_sort") package var nameSort: String?
    @Field(key: "version") public var version: Int
    @OptionalField(key: "created_by") public var createdBy: UUID?
    @Field(key: "created_at") public var createdAt: Date
    @Field(key: "updated_at") public var updatedAt: Date

    public init() {}

    package func refreshSearchText() {
        searchText = SQLSearch.text([name, company, email, wechat, phoneDigits])
        nameSort = Pinyin.sortKey(name, person: true)
    }

    public var isConverted: Bool { status == "converted" }

    public var auditSnapshot: AuditSnapshot {
        ["name": name, "company": company, "title": title, "phone": phone, "email": email, "wechat": wechat, "province": province,
         "city": city, "industry": industry, "source": source, "status": status, "status_reason": statusReason, "rating": rating,
         "owner_id": ownerID?.uuidString, "notes": notes.isEmpty ? nil : notes,
         "converted_customer_id": convertedCustomerID?.uuidString, "converted_contact_id": convertedContactID?.uuidString,
         "converted_opportunity_id": convertedOpportunityID?.uuidString]
    }
}

extension Lead: PooledRecord {
    public static let recordKind = RecordKind.leads
    public static let recordName = "Lead"
}

/// The fixed vocabularies of leads.
public enum LeadVocabulary {
    /// `converted` is reached only by converting the lead, never by editing it.
    public static let statuses = ["new", "contacted", "qualified", "unqualified", "converted"]
    public static let editableStatuses = ["new", "contacted", "qualified", "unqualified"]
    public static let ratings = ["hot", "warm", "cold"]
}
