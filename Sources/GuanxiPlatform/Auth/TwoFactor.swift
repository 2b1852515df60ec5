import FluentKit
import Foundation
import HummingbirdOTP
import SQLKit

/// Time-based one-time passwords (RFC 6238: SHA-1, six digits, 30-second steps), the
/// settings every common authenticator app uses.
public enum TwoFactor {
    /// A new random secret (20 characters, as the HMAC key).
    public static func newSecret() -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
        return String((0..<20).map { _ in alphabet.randomElement()! })
    }

    /// Accepts the code of the current step and of one step either side, to allow for clock drift.
    public static func verify(code: String, secret: String, at date: Date) -> Bool {
        matchingStep(code: code, secret: secret, at: date) != nil
    }

    /// The 30-second time step whose code `code` is, or nil when it matches none near `date`.
    public static func matchingStep(code: String, secret: String, at date: Date) -> Int64? {
        let digits = code.filter { !$0.isWhitespace }
        guard digits.count == 6, let value = Int(digits) else { return nil }
        let totp = TOTP(secret: secret)
        for offset in [-30.0, 0, 30] where totp.compute(date: date.addingTimeInterval(offset)) == value {
            return Int64((date.timeIntervalSince1970 + offset) / 30)
        }
        return nil
    }

    /// Records `step` as the user's last used one, if it is later than the last; says
    /// whether it was. One statement, so of two submissions of the same code only one wins.
    package static func takeStep(_ step: Int64, of userID: UUID, on sql: any SQLDatabase) async throws -> Bool {
        try await sql.raw("""
            UPDATE users SET totp_last_step = \(bind: step)
            WHERE id = \(bind: userID) AND (totp_last_step IS NULL OR totp_last_step < \(bind: step))
            RETURNING id
            """).first() != nil
    }

    public static func code(secret: String, at date: Date) -> String {
        String(format: "%06d", TOTP(secret: secret).compute(date: date))
    }

    /// The `otpauth://` address an authenticator app scans or imports.
    public static func authenticatorURL(secret: String, username: String) -> String {
        TOTP(secret: secret).createAuthenticatorURL(label: "Guanxi:\(username)", issuer: "Guanxi")
    }

    /// The secret as base32, for typing into an app by hand.
    public static func base32(_ secret: String) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
        var out = "", buffer = 0, bits = 0
        for byte in secret.utf8 {
            buffer = (buffer << 8) | Int(byte)
            bits += 8
            while bits >= 5 {
                out.append(alphabet[(buffer >> (bits - 5)) & 31])
                bits -= 5
            }
        }
        if bits > 0 { out.append(alphabet[(buffer << (5 - bits)) & 31]) }
        return out
    }
}
