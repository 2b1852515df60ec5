import FluentKit
import Foundation
import Hummingbird
import GuanxiPlatform

/// The customer form: reads a submitted form into a `CustomerInput` and renders the
/// form, either from the saved customer or, after a rejected save, from what was typed.
package struct CustomerForm {
    package let services: CustomerFileServices

    package static let textFields = ["name", "phone", "email", "website", "industry", "source", "external_id", "province", "city", "district", "postcode",
                             "birthday", "anniversary", "address", "notes"]

    package typealias Choice = WebChoice
    package struct TextField { package let name: String; package let label: String; package let value: String; package let saved: String?; package let multiline: Bool; package let type: String }
    /// A choice field; `pick` names the kind a record picker searches (`RecordPicker`).
    package struct Select { package let name: String; package let label: String; package let options: [Choice]; package let saved: String?; package var pick: String? = nil }
    package struct ConsentRow { package let channel: String; package let label: String; package let options: [Choice]; package let via: String }
    package struct Page {
        package let isNew: Bool; let id: String; let version: Int; let title: String
        package let texts: [TextField]; let selects: [Select]; let consents: [ConsentRow]; let tags: String; let custom: [CustomFieldForm.Input]
        package let error: String?; let conflict: Bool
        /// Probable duplicates when a create was refused for them.
        package let duplicates: DuplicateWarning.Part?
    }

    package static func input(_ form: FormData, custom: [CustomField]) throws -> CustomerInput {
        var input = CustomerInput()
        input.customFields = CustomFieldForm.values(form, fields: custom)
        input.name = form["name"]
        input.kind = form["kind"]
        input.industry = form["industry"]
        input.size = form["size"]
        input.province = form["province"]
        input.city = form["city"]
        input.district = form["district"]
        input.address = form["address"]
        input.postcode = form["postcode"]
        input.phone = form["phone"]
        input.email = form["email"]
        input.website = form["website"]
        input.externalID = form["external_id"]
        input.source = form["source"]
        input.grade = form["grade"]
        input.valueTier = form["value_tier"]
        input.lifecycleStage = form["lifecycle_stage"]
        input.relationship = form["relationship"]
        input.birthday = form["birthday"]
        input.anniversary = form["anniversary"]
        input.notes = form["notes"]
        if let owner = form["owner_id"] { input.ownerID = .some(try Validate.uuid(owner, field: "ownerId")) }
        if let parent = form["parent_id"] { input.parentID = .some(try Validate.uuid(parent, field: "parentId")) }
        if let tags = form["tags"] {
            input.tags = tags.split(whereSeparator: { $0 == "," || $0 == "，" }).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        for channel in Consent.Channel.allCases {
            if let status = form["consent_\(channel.rawValue)"] { input.consent[channel] = (status, form["consent_\(channel.rawValue)_via"]) }
        }
        return input
    }

    package func render(_ customer: Customer?, form: FormData? = nil, context: SignedInContext, error: GuanxiError? = nil,
                status: HTTPResponse.Status = .ok) async throws -> Response {
        let principal = context.principal
        let t = { (key: String) in services.localizer.text(key, context.locale) }
        let conflict = error?.code == "version_conflict"
        // What the form shows: the typed values after a rejected save, else the saved ones.
        func value(_ name: String, _ saved: String?) -> String { form?[name] ?? saved ?? "" }
        func savedHint(_ name: String, _ saved: String?) -> String? {
            guard conflict, let typed = form?[name], typed != (saved ?? "") else { return nil }
            return saved ?? "—"
        }
        let c = customer
        let savedText: [String: String?] = [
            "name": c?.name, "industry": c?.industry, "province": c?.province, "city": c?.city, "district": c?.district, "address": c?.address,
            "postcode": c?.postcode, "phone": c?.phone, "email": c?.email, "website": c?.website, "source": c?.source, "external_id": c?.externalID,
            "birthday": c?.birthday, "anniversary": c?.anniversary, "notes": c?.notes,
        ]
        let texts = Self.textFields.map { name in
            let saved = savedText[name] ?? nil
            return TextField(name: name, label: t("customer_fields.\(name)"), value: value(name, saved), saved: savedHint(name, saved),
                             multiline: name == "notes" || name == "address",
                             type: ["birthday", "anniversary"].contains(name) ? "date" : name == "email" ? "email" : "text")
        }
        func select(_ name: String, _ values: [(String, String)], saved: String?, allowEmpty: Bool = true) -> Select {
            let current = value(name, saved)
            let options = (allowEmpty ? [Choice(value: "", label: "—", selected: current.isEmpty)] : [])
                + values.map { Choice(value: $0.0, label: $0.1, selected: $0.0 == current) }
            return Select(name: name, label: t("customer_fields.\(name)"), options: options, saved: savedHint(name, saved))
        }
        let owners = try await services.users.pickable(for: principal)
        let ownerSaved = c == nil ? principal.userID.uuidString : c?.ownerID?.uuidString
        let parents = try await RecordPicker(services: services).choices(.customers, chosen: value("parent_id", c?.parentID?.uuidString), for: principal, excluding: c?.id)
        let selects = [
            select("kind", CustomerVocabulary.kinds.map { ($0, t("customer_kinds.\($0)")) }, saved: c?.kind ?? "company", allowEmpty: false),
            select("relationship", CustomerVocabulary.relationships.map { ($0, t("relationships.\($0)")) }, saved: c?.relationship ?? "customer", allowEmpty: false),
            { var owner = select("owner_id", owners.map { ($0.id!.uuidString, $0.displayName) }, saved: ownerSaved); owner.pick = "users"; return owner }(),
            select("grade", try await services.settings.customerGrades().map { ($0, $0) }, saved: c?.grade),
            select("value_tier", CustomerVocabulary.valueTiers.map { ($0, t("value_tiers.\($0)")) }, saved: c?.valueTier),
            select("lifecycle_stage", CustomerVocabulary.lifecycleStages.map { ($0, t("lifecycle.\($0)")) }, saved: c?.lifecycleStage),
            select("size", CustomerVocabulary.sizes.map { ($0, t("sizes.\($0)")) }, saved: c?.size),
            Select(name: "parent_id", label: t("customer_fields.parent_id"), options: parents, saved: savedHint("parent_id", c?.parentID?.uuidString), pick: "customers"),
        ]
        let consents = Consent.Channel.allCases.map { channel in
            let saved = c?.consent(channel) ?? Consent(status: .unknown)
            let current = form?["consent_\(channel.rawValue)"] ?? saved.status.rawValue
            return ConsentRow(channel: channel.rawValue, label: t("consent.\(channel.rawValue)"),
                              options: Consent.Status.allCases.map { Choice(value: $0.rawValue, label: t("consent.\($0.rawValue)"), selected: $0.rawValue == current) },
                              via: form?["consent_\(channel.rawValue)_via"] ?? saved.via ?? "")
        }
        var savedTags: String?
        if let id = c?.id { savedTags = try await services.customers.tags(of: id).joined(separator: ", ") }
        let page = Page(isNew: c == nil, id: c?.id?.uuidString ?? "", version: c?.version ?? 0, title: c?.name ?? t("customers.new"),
                        texts: texts, selects: selects, consents: consents, tags: form?["tags"] ?? savedTags ?? "",
                        custom: try await CustomFieldForm(services: services).inputs(.customers, recordID: c?.id,
                                                                                      typed: form, locale: context.locale),
                        error: error.map { services.localizer.message(for: $0, context.locale) }, conflict: conflict,
                        duplicates: DuplicateWarning.part(error, localizer: services.localizer, locale: context.locale))
        return services.renderer.render("customer-form", titleKey: c == nil ? "customers.new" : "customers.edit", page: page, context: context, status: status)
    }
}
