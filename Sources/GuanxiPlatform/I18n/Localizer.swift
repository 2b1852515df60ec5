import Foundation

/// The user-interface texts, from `Resources/Locales/<locale>.json` (nested objects;
/// a key is its dotted path, e.g. `nav.users`). Simplified Chinese and English are
/// complete; a test checks that both files have the same keys.
public struct Localizer: Sendable {
    public static let supported = ["zh-Hans", "en"]
    package let tables: [String: [String: String]]
    /// Each locale's texts as nested dictionaries, read once: a page used to parse its
    /// locale file again to render (5 % of a list page's time).
    private let trees: [String: TextTree]

    /// Parsed once and never changed, so it is safe to share between threads.
    private struct TextTree: @unchecked Sendable { let value: [String: Any] }

    /// Reads `<locale>.json` of each supported locale from `directory`.
    public static func load(from directory: URL?) throws -> Localizer {
        var tables: [String: [String: String]] = [:]
        var trees: [String: TextTree] = [:]
        for locale in supported {
            guard let url = directory?.appendingPathComponent("\(locale).json"), FileManager.default.fileExists(atPath: url.path) else {
                throw GuanxiError(.internal, "The locale file \(locale).json is missing from the resources.")
            }
            let data = try Data(contentsOf: url)
            guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                throw GuanxiError(.internal, "The locale file \(locale).json is not a JSON object.")
            }
            tables[locale] = flatten(object)
            trees[locale] = TextTree(value: object)
        }
        return Localizer(tables: tables, trees: trees)
    }

    /// The text for `key`, falling back to English, then to the key itself.
    public func text(_ key: String, _ locale: String) -> String {
        tables[locale]?[key] ?? tables["en"]?[key] ?? key
    }

    /// The text for `key` only when the locale files define it (for keys built from input).
    public func known(_ key: String, _ locale: String) -> String? {
        tables[locale]?[key] ?? tables["en"]?[key]
    }

    /// An error's message in `locale`: its locale-file text with the placeholders filled
    /// (a `{field}` shows the field's label), or the English message when it has no key.
    public func message(for error: GuanxiError, _ locale: String) -> String {
        guard let key = error.key, known(key, locale) != nil else { return error.message }
        return text(key, locale, error.arguments)
    }

    /// The text for `key` with its `{placeholders}` filled.
    public func text(_ key: String, _ locale: String, _ arguments: [String: String]) -> String {
        var text = text(key, locale)
        for (name, value) in arguments {
            let shown = name == "field" ? (known("fields.\(value)", locale) ?? value) : value
            text = text.replacingOccurrences(of: "{\(name)}", with: shown)
        }
        return text
    }

    /// "label: value" as running text in `locale`: a full-width colon in Chinese
    /// (`punct.colon`), so a page never mixes ASCII punctuation into Chinese.
    public func labelled(_ label: String, _ value: String, _ locale: String) -> String {
        label + text("punct.colon", locale) + value
    }

    /// Items named in running text: "甲、乙" in Chinese, "a, b" in English (`punct.list`).
    public func list(_ items: some Sequence<String>, _ locale: String) -> String {
        items.joined(separator: text("punct.list", locale))
    }

    /// The texts as nested dictionaries, for templates (`{{t.nav.users}}`).
    public func tree(_ locale: String) -> [String: Any] {
        (trees[locale] ?? trees["en"])?.value ?? [:]
    }

    /// Picks a supported locale from an `Accept-Language` header.
    public func negotiate(_ header: String?, fallback: String) -> String {
        guard let header else { return fallback }
        for part in header.split(separator: ",") {
            let tag = part.split(separator: ";")[0].trimmingCharacters(in: .whitespaces).lowercased()
            if tag.hasPrefix("zh") { return "zh-Hans" }
            if tag.hasPrefix("en") { return "en" }
        }
        return fallback
    }

    package static func flatten(_ object: [String: Any], prefix: String = "") -> [String: String] {
        var out: [String: String] = [:]
        for (key, value) in object {
            let path = prefix.isEmpty ? key : "\(prefix).\(key)"
            if let nested = value as? [String: Any] {
                out.merge(flatten(nested, prefix: path)) { a, _ in a }
            } else if let text = value as? String {
                out[path] = text
            }
        }
        return out
    }
}
