import Mustache

/// Page models in the form Mustache reads fastest. swift-mustache finds a name in a
/// struct through `Mirror`, anew for every lookup, and a name a list row lacks (`t.…`,
/// `page.…`) is looked for again on every object around it — so a list of fifty rows cost
/// thousands of reflections: 44 % of the contact list page's time. `make` turns the
/// page's own structs into dictionaries once per render, one reflection per object; the
/// template's lookups are then hash lookups. What Mustache sees does not change: the same
/// names with the same values, and an absent optional is absent (Mustache unwraps one and
/// looks further out when it is nil, as it does for a missing name).
enum MustacheTree {
    static func make(_ value: Any) -> Any {
        if let dictionary = value as? [String: Any] { return dictionary.mapValues(make) }
        if value is MustacheParent || value is MustacheLambda || value is MustacheCustomRepresentation { return value }
        if let array = value as? [Any] { return array.map(make) }
        let mirror = Mirror(reflecting: value)
        switch mirror.displayStyle {
        case .struct?, .class?:
            // Only Guanxi's own models: a date or an id is a value, not an object of fields.
            guard isOwn(type(of: value)) else { return value }
            var fields: [String: Any] = [:]
            for child in mirror.children {
                if let label = child.label, let present = unwrapped(child.value) { fields[label] = make(present) }
            }
            return fields
        case .optional?:
            return unwrapped(value).map(make) ?? value
        default:
            return value
        }
    }

    private static func isOwn(_ type: Any.Type) -> Bool { String(reflecting: type).hasPrefix("Guanxi") }

    /// The value an optional holds (nil for none); any other value as it is.
    private static func unwrapped(_ value: Any) -> Any? {
        let mirror = Mirror(reflecting: value)
        guard mirror.displayStyle == .optional else { return value }
        return mirror.children.first.flatMap { unwrapped($0.value) }
    }
}
