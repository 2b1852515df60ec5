import Foundation

/// The fields a merge lets the user choose between, per kind, and how to copy one from
/// the record chosen onto the survivor.
enum MergeFields {
    typealias Copy<R> = @Sendable (_ to: R, _ from: R) -> Void

    static let customer: [(key: String, read: @Sendable (Customer) -> String?, copy: Copy<Customer>)] = [
        ("name", { $0.name }, { $0.name = $1.name }),
        ("kind", { $0.kind }, { $0.kind = $1.kind }),
        ("industry", { $0.industry }, { $0.industry = $1.industry }),
        ("size", { $0.size }, { $0.size = $1.size }),
        ("region", { [$0.province, $0.city, $0.district].compactMap { $0 }.joined(separator: " ").nilIfEmpty }, { ($0.province, $0.city, $0.district) = ($1.province, $1.city, $1.district) }),
        ("address", { $0.address }, { ($0.address, $0.postcode) = ($1.address, $1.postcode) }),
        ("phone", { $0.phone }, { ($0.phone, $0.phoneDigits) = ($1.phone, $1.phoneDigits) }),
        ("email", { $0.email }, { $0.email = $1.email }),
        ("website", { $0.website }, { $0.website = $1.website }),
        ("external_id", { $0.externalID }, { $0.externalID = $1.externalID }),
        ("source", { $0.source }, { $0.source = $1.source }),
        ("grade", { $0.grade }, { $0.grade = $1.grade }),
        ("relationship", { $0.relationship }, { $0.relationship = $1.relationship }),
        ("lifecycle_stage", { $0.lifecycleStage }, { $0.lifecycleStage = $1.lifecycleStage }),
        ("owner", { $0.ownerID?.uuidString }, { $0.ownerID = $1.ownerID }),
        ("birthday", { $0.birthday }, { $0.birthday = $1.birthday }),
        ("anniversary", { $0.anniversary }, { $0.anniversary = $1.anniversary }),
        ("notes", { $0.notes.nilIfEmpty }, { $0.notes = $1.notes }),
    ]

    static let contact: [(key: String, read: @Sendable (Contact) -> String?, copy: Copy<Contact>)] = [
        ("name", { $0.name }, { $0.name = $1.name }),
        ("customer", { $0.customerID?.uuidString }, { $0.customerID = $1.customerID }),
        ("title", { $0.title }, { $0.title = $1.title }),
        ("department", { $0.department }, { $0.department = $1.department }),
        ("wechat", { $0.wechat }, { $0.wechat = $1.wechat }),
        ("birthday", { $0.birthday }, { $0.birthday = $1.birthday }),
        ("owner", { $0.ownerID?.uuidString }, { $0.ownerID = $1.ownerID }),
        ("notes", { $0.notes.nilIfEmpty }, { $0.notes = $1.notes }),
    ]

    /// The value each field keeps unless the user picks another: the survivor's, or where
    /// it has none, the first of the others that has one.
    static func defaults<R>(_ fields: [(key: String, read: @Sendable (R) -> String?, copy: Copy<R>)], survivor: R, others: [R], id: (R) -> UUID) -> [String: UUID] {
        var out: [String: UUID] = [:]
        for field in fields {
            out[field.key] = field.read(survivor) != nil ? id(survivor) : others.first { field.read($0) != nil }.map(id) ?? id(survivor)
        }
        return out
    }
}

extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}
