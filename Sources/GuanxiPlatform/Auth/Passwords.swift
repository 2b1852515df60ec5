import Foundation
import HummingbirdBcrypt
import NIOPosix

/// Password policy and hashing. bcrypt is slow on purpose, so hashing runs on the
/// thread pool and never blocks an event loop.
public struct Passwords: Sendable {
    /// bcrypt cost; 12 in production, lower in tests to keep them quick.
    package let cost: UInt8

    public init(cost: UInt8 = 12) { self.cost = cost }

    public static let minimumLength = 10

    /// At least ten characters with letters and digits, and not the user name.
    public func checkPolicy(_ password: String, username: String, field: String = "password") throws {
        guard password.count >= Self.minimumLength else {
            throw GuanxiError.invalid(field, "The password must be at least \(Self.minimumLength) characters long.").localized("msg.password_short", ["min": String(Self.minimumLength)])
        }
        guard password.count <= 72 else { throw GuanxiError.invalid(field, "The password must be at most 72 characters long.").localized("msg.password_long", [:]) }
        guard password.contains(where: \.isLetter), password.contains(where: \.isNumber) else {
            throw GuanxiError.invalid(field, "The password must contain both letters and digits.").localized("msg.password_mix", [:])
        }
        guard password.lowercased() != username.lowercased() else {
            throw GuanxiError.invalid(field, "The password must not be the user name.").localized("msg.password_username", [:])
        }
    }

    public func hash(_ password: String) async throws -> String {
        let cost = self.cost
        return try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: cost) }
    }

    public func verify(_ password: String, hash: String) async throws -> Bool {
        try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: hash) }
    }

    /// A random password that meets the policy, for the first admin and for resets.
    public static func generate() -> String {
        let alphabet = Array("abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        var out = (0..<14).map { _ in alphabet.randomElement()! }
        out.insert(Array("23456789").randomElement()!, at: Int.random(in: 0...14))
        out.insert(Array("abcdefghijkmnpqrstuvwxyz").randomElement()!, at: Int.random(in: 0...15))
        return String(out)
    }
}
