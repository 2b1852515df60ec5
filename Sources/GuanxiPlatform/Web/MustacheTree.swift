import Foundation
import Mustache
import Synchronization

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
        // Most fields hold text, a flag or a number: told by their type alone, which is
        // far cheaper than reflecting on them (a record page has hundreds).
        if value is String || value is Bool || value is Int { return value }
        if let dictionary = value as? [String: Any] { return dictionary.mapValues(make) }
        if value is MustacheParent || value is MustacheLambda || value is MustacheCustomRepresentation { return value }
        if let array = value as? [Any] { return array.map(make) }
        if value is any OptionalValue { return unwrapped(value).map(make) ?? value }
        // Only Guanxi's own models: a date or an id is a value, not an object of fields.
        guard isOwn(type(of: value)) else { return value }
        let mirror = Mirror(reflecting: value)
        guard mirror.displayStyle == .struct || mirror.displayStyle == .class else { return value }
        var fields: [String: Any] = [:]
        for child in mirror.children {
            if let label = child.label, let present = unwrapped(child.value) { fields[label] = make(present) }
        }
        return fields
    }

    /// Whether a type is one of Guanxi's, by its module's name, looked up once per type
    /// (spelling a type's name takes longer than reading all its fields).
    private static func isOwn(_ type: Any.Type) -> Bool {
        let key = ObjectIdentifier(type)
        if let known = owned.withLock({ $0[key] }) { return known }
        let own = String(reflecting: type).hasPrefix("Guanxi")
        owned.withLock { $0[key] = own }
        return own
    }

    private static let owned = Mutex<[ObjectIdentifier: Bool]>([:])

    /// The value an optional holds (nil for none); any other value as it is.
    private static func unwrapped(_ value: Any) -> Any? {
        guard let optional = value as? any OptionalValue else { return value }
        return optional.wrapped.flatMap(unwrapped)
    }
}

/// An optional seen through `Any`, so its value can be taken without reflection.
private protocol OptionalValue {
    var wrapped: Any? { get }
}

extension Optional: OptionalValue {
    fileprivate var wrapped: Any? { self.map { $0 } }
}
