import Foundation
import SQLKit
import GuanxiCustomerFile
import GuanxiPlatform

/// A new lead probably exists already when a readable one has its e-mail or phone digits.
extension DuplicateCheck {
    package func leads(like l: Lead, for actor: Principal) async throws -> [DuplicateCandidate] {
        var keys: [(String, any SQLExpression, String)] = []
        if let email = l.email { keys.append(("email", SQLFunction("lower", args: SQLIdentifier("email")), email.lowercased())) }
        if let digits = l.phoneDigits, digits.count >= 7 { keys.append(("phone", SQLIdentifier("phone_digits"), digits)) }
        return try await find(table: "leads", kind: .leads, keys: keys, excluding: l.id, for: actor)
    }
}
