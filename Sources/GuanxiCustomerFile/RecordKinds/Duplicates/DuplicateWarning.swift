import GuanxiPlatform
/// The list of probable duplicates a form shows above a refused "create", each a link to
/// the record, with the "save anyway" box (the `duplicate-warning` partial).
package struct DuplicateWarning {
    package struct Link { package let href: String; package let name: String; package let reason: String }
    package struct Part { package let links: [Link] }

    package static func part(_ error: GuanxiError?, localizer: Localizer, locale: String) -> Part? {
        guard let error, error.code == "probable_duplicate" else { return nil }
        return Part(links: error.details.map { d in
            Link(href: "/\(d["kind"] ?? "customers")/\(d["id"] ?? "")", name: d["name"] ?? "",
                 reason: localizer.text("duplicates.reason_\(d["reason"] ?? "name")", locale))
        })
    }
}
