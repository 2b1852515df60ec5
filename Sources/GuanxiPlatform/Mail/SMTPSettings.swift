import Foundation

/// Where and how the outbox hands mail over, from `GUANXI_SMTP_URL`:
/// `smtp://user:password@host:587` (STARTTLS, required by default),
/// `smtps://user:password@host:465` (TLS from the first byte), with the options
/// `?starttls=required|optional|off`, `&cafile=/path/ca.pem` (a private certificate
/// authority) and `&timeout=30` (seconds to wait for each answer; four times as long for
/// the verdict on a message's text, which a server may scan first).
public struct SMTPSettings: Sendable, Equatable {
    public enum Security: String, Sendable {
        /// TLS from the start (port 465).
        case implicitTLS = "tls"
        /// STARTTLS, and no mail is sent over a server that does not offer it.
        case starttlsRequired = "required"
        /// STARTTLS when offered, plain text otherwise (never with a password, see `SMTPClient`).
        case starttlsOptional = "optional"
        /// Plain text: a relay on the same machine or network.
        case off
    }

    public var host: String
    public var port: Int
    public var username: String?
    public var password: String?
    public var security: Security
    public var caFile: String?
    public var timeout: TimeInterval

    public init(host: String, port: Int, username: String? = nil, password: String? = nil, security: Security, caFile: String? = nil, timeout: TimeInterval = 30) {
        (self.host, self.port, self.username, self.password, self.security, self.caFile, self.timeout) = (host, port, username, password, security, caFile, timeout)
    }

    /// Reads the URL; the error names what is wrong with it.
    public static func parse(_ url: String) throws -> SMTPSettings {
        let shape = "GUANXI_SMTP_URL must look like smtp://user:password@host:587 or smtps://user:password@host:465"
        guard let parts = URLComponents(string: url), let scheme = parts.scheme?.lowercased(), ["smtp", "smtps"].contains(scheme),
              let host = parts.host, !host.isEmpty else {
            throw GuanxiError(.configuration, "\(shape) (got \"\(ConfigParser.redacted(url))\").")
        }
        var settings = SMTPSettings(host: host, port: parts.port ?? (scheme == "smtps" ? 465 : 587),
                                    username: parts.user?.removingPercentEncoding, password: parts.password?.removingPercentEncoding,
                                    security: scheme == "smtps" ? .implicitTLS : .starttlsRequired)
        for item in parts.queryItems ?? [] {
            let value = item.value ?? ""
            switch item.name {
            case "starttls":
                guard scheme == "smtp", let security = Security(rawValue: value), security != .implicitTLS else {
                    throw GuanxiError(.configuration, "GUANXI_SMTP_URL: starttls must be required, optional or off, on an smtp:// address (got \"\(value)\").")
                }
                settings.security = security
            case "cafile":
                guard FileManager.default.isReadableFile(atPath: value) else {
                    throw GuanxiError(.configuration, "GUANXI_SMTP_URL: the cafile \"\(value)\" cannot be read.")
                }
                settings.caFile = value
            case "timeout":
                guard let seconds = Int(value), (1...600).contains(seconds) else {
                    throw GuanxiError(.configuration, "GUANXI_SMTP_URL: timeout must be a whole number of seconds from 1 to 600 (got \"\(value)\").")
                }
                settings.timeout = TimeInterval(seconds)
            default:
                throw GuanxiError(.configuration, "GUANXI_SMTP_URL: unknown option \"\(item.name)\" (known: starttls, cafile, timeout).")
            }
        }
        if settings.username != nil, settings.password == nil {
            throw GuanxiError(.configuration, "GUANXI_SMTP_URL names a user without a password.")
        }
        return settings
    }

    /// The server without the password, for the status page and messages.
    public var safeDescription: String {
        let scheme = security == .implicitTLS ? "smtps" : "smtp"
        let user = username.map { "\($0)@" } ?? ""
        return "\(scheme)://\(user)\(host):\(port)" + (security == .implicitTLS || security == .starttlsRequired ? "" : " (starttls=\(security.rawValue))")
    }
}
