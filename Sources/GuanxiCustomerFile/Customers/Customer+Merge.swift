import FluentKit
import Foundation
import GuanxiPlatform

extension RecordMerging {
    /// Customers merge field by field; their contacts, deals, activities, commitments,
    /// purchases, attachments, child companies, referrals and converted leads move to the
    /// survivor, and the tags of all of them stay.
    package static func customers(_ services: CustomerFileServices) -> RecordMerging {
        RecordMerging(
            relations: [
                MergeRelation(table: "contacts", column: "customer_id"), MergeRelation(table: "opportunities", column: "customer_id"),
                MergeRelation(table: "activities", column: "customer_id"), .activities(about: .customers),
                MergeRelation(table: "commitments", column: "customer_id"), MergeRelation(table: "purchases", column: "customer_id"),
                .attachments(of: .customers),
                MergeRelation(table: "customers", column: "parent_id"), MergeRelation(table: "customers", column: "referred_by_id"),
                MergeRelation(table: "leads", column: "converted_customer_id"),
            ],
            compare: { ids, actor in
                var records: [Customer] = []
                for id in ids { records.append(try await services.customers.find(id, for: actor, action: .update)) }
                return try await MergeComparison.build(records, Customer.mergeFields, id: { $0.id! }, name: \.name) { key, value in
                    key == "owner" ? try await services.users.displayName(value) : value
                }
            },
            prepare: { survivor, others, take, actor in
                let keep = try await services.customers.find(survivor, for: actor, action: .update)
                var gone: [Customer] = []
                for id in others { gone.append(try await services.customers.find(id, for: actor, action: .delete)) }
                let survivorState = try MergeState(id: survivor, record: keep, tags: try await services.customers.tags(of: survivor))
                var merged: [MergeState] = []
                for c in gone { merged.append(try MergeState(id: c.id!, record: c, tags: try await services.customers.tags(of: c.id!))) }
                let before = keep.auditSnapshot
                let choices = MergeField.defaults(Customer.mergeFields, survivor: keep, others: gone) { $0.id! }.merging(take) { _, new in new }
                MergeField.apply(Customer.mergeFields, choices: choices, to: keep, from: gone) { $0.id! }
                keep.refreshSearchText()
                keep.version += 1
                keep.updatedAt = services.clock.now()
                let tags = Array(Set(merged.flatMap { $0.tags ?? [] } + (survivorState.tags ?? []))).sorted()
                let removed = gone
                return PreparedMerge(survivor: survivorState, merged: merged, label: keep.name, names: gone.map(\.name), before: before,
                                     after: keep.auditSnapshot) { tx in
                    // External ids are unique: the removed records let go of theirs before the survivor may take one.
                    for c in removed { try await c.delete(on: tx) }
                    try await keep.update(on: tx)
                    try await CustomerService.tags.replace(of: survivor, with: tags, on: tx)
                }
            },
            restore: { state, isSurvivor, version, now, tx in
                let old = try JSONDecoder().decode(Customer.self, from: state.record)
                if isSurvivor {
                    // The survivor gets back, field by field, what the merge may have changed.
                    guard let current = try await Customer.find(state.id, on: tx) else { throw GuanxiError.notFound("Customer") }
                    for field in Customer.mergeFields { field.copy(current, old) }
                    current.refreshSearchText()
                    (current.version, current.updatedAt) = (version, now)
                    try await current.update(on: tx)
                } else {
                    try await old.create(on: tx)
                }
                try await CustomerService.tags.replace(of: state.id, with: state.tags ?? [], on: tx)
            })
    }
}

extension Customer {
    /// The fields a merge of customers lets the user choose between.
    package static let mergeFields: [MergeField<Customer>] = [
        MergeField("name", { $0.name }, { $0.name = $1.name }),
        MergeField("kind", { $0.kind }, { $0.kind = $1.kind }),
        MergeField("industry", { $0.industry }, { $0.industry = $1.industry }),
        MergeField("size", { $0.size }, { $0.size = $1.size }),
        MergeField("region", { [$0.province, $0.city, $0.district].compactMap { $0 }.joined(separator: " ").nilIfEmpty },
                   { ($0.province, $0.city, $0.district) = ($1.province, $1.city, $1.district) }),
        MergeField("address", { $0.address }, { ($0.address, $0.postcode) = ($1.address, $1.postcode) }),
        MergeField("phone", { $0.phone }, { ($0.phone, $0.phoneDigits) = ($1.phone, $1.phoneDigits) }),
        MergeField("email", { $0.email }, { $0.email = $1.email }),
        MergeField("website", { $0.website }, { $0.website = $1.website }),
        MergeField("external_id", { $0.externalID }, { $0.externalID = $1.externalID }),
        MergeField("source", { $0.source }, { $0.source = $1.source }),
        MergeField("grade", { $0.grade }, { $0.grade = $1.grade }),
        MergeField("relationship", { $0.relationship }, { $0.relationship = $1.relationship }),
        MergeField("lifecycle_stage", { $0.lifecycleStage }, { $0.lifecycleStage = $1.lifecycleStage }),
        MergeField("owner", { $0.ownerID?.uuidString }, { $0.ownerID = $1.ownerID }),
        MergeField("birthday", { $0.birthday }, { $0.birthday = $1.birthday }),
        MergeField("anniversary", { $0.anniversary }, { $0.anniversary = $1.anniversary }),
        MergeField("notes", { $0.notes.nilIfEmpty }, { $0.notes = $1.notes }),
    ]
}
