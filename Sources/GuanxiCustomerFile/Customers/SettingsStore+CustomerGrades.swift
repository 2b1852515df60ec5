import Foundation
import GuanxiPlatform

extension SettingsStore {
    public static let customerGrades = "customers.grades"

    /// The organisation's customer grade scale, e.g. A/B/C or nine grades.
    public func customerGrades() async throws -> [String] {
        try await value(Self.customerGrades, as: [String].self) ?? CustomerVocabulary.defaultGrades
    }

    public func setCustomerGrades(_ grades: [String], by actor: Principal) async throws {
        guard actor.isAdmin else { throw GuanxiError.forbidden }
        var clean: [String] = []
        for grade in grades {
            guard let text = try Validate.text(grade, field: "grades", required: false, max: 20), !clean.contains(text) else { continue }
            clean.append(text)
        }
        guard (1...20).contains(clean.count) else {
            throw GuanxiError.invalid("grades", "A grade scale has 1 to 20 grades.").localized("msg.grade_scale", [:])
        }
        try await set(Self.customerGrades, to: clean, by: actor)
    }
}
