import Foundation
import SQLKit
import GuanxiPlatform

/// A new customer probably exists already when a readable one has its e-mail, its phone digits, or its
/// company name without the legal form.
extension DuplicateCheck {
    package func customers(like c: some CustomerFields, for actor: Principal) async throws -> [DuplicateCandidate] {
        var keys: [(String, any SQLExpression, String)] = [("name", SQLIdentifier("name_key"), CompanyName.core(c.name))]
        if let email = c.email { keys.append(("email", SQLFunction("lower", args: SQLIdentifier("email")), email.lowercased())) }
        if let digits = c.phoneDigits, digits.count >= 7 { keys.append(("phone", SQLIdentifier("phone_digits"), digits)) }
        return try await find(table: "customers", kind: .customers, keys: keys, excluding: c.id, for: actor)
    }
}
