import Foundation
import Logging

/// Turns raw setting strings into an `AppConfig`, collecting one message per bad value
/// that names the environment variable, so an operator can fix them all at once.
package struct ConfigParser {
    package let read: (String) -> String?
    package var problems: [String] = []

    package init(read: @escaping (String) -> String?) { self.read = read }

    package static func environmentName(_ key: String) -> String {
        key.uppercased().replacingOccurrences(of: ".", with: "_").replacingOccurrences(of: "-", with: "_")
    }

    package mutating func parse() -> AppConfig {
        var c = AppConfig()
        c.host = read("guanxi.host") ?? c.host
        c.port = integer("guanxi.port", default: c.port, in: 1...65535)
        c.dataDirectory = read("guanxi.data.dir") ?? c.dataDirectory
        c.database = .sqliteFile((c.dataDirectory as NSString).appendingPathComponent("guanxi.sqlite"))
        if let url = read("guanxi.database.url"), !url.isEmpty {
            if let parsed = URLComponents(string: url), ["postgres", "postgresql"].contains(parsed.scheme ?? ""), parsed.host?.isEmpty == false {
                c.database = .postgres(url)
            } else {
                problems.append("GUANXI_DATABASE_URL must look like postgres://user:password@host:5432/database (got \"\(Self.redacted(url))\").")
            }
        }
        c.initialAdminPassword = read("guanxi.admin.password")
        c.autoMigrate = boolean("guanxi.auto.migrate", default: c.autoMigrate)
        c.sessionIdleTimeout = Double(integer("guanxi.session.idle.minutes", default: 120, in: 1...100_000) * 60)
        c.sessionAbsoluteTimeout = Double(integer("guanxi.session.absolute.hours", default: 12, in: 1...10_000) * 3600)
        c.maxBodySize = integer("guanxi.max.body.bytes", default: c.maxBodySize, in: 1024...1_073_741_824)
        c.maxUploadBytes = integer("guanxi.max.upload.bytes", default: c.maxUploadBytes, in: 1024...1_073_741_824)
        c.maxImportBytes = integer("guanxi.max.import.bytes", default: c.maxImportBytes, in: 1024...1_073_741_824)
        c.importBatchRows = integer("guanxi.import.batch.rows", default: c.importBatchRows, in: 10...50_000)
        c.importSetAsideRows = integer("guanxi.import.set.aside.rows", default: c.importSetAsideRows, in: 0...1_000_000_000)
        c.databaseConnectionsPerLoop = integer("guanxi.database.connections.per.loop", default: c.databaseConnectionsPerLoop, in: 1...64)
        c.apiRequestsPerMinute = integer("guanxi.api.rate.limit", default: c.apiRequestsPerMinute, in: 1...1_000_000)
        c.loginFailuresPerAccount = integer("guanxi.login.max.failures", default: c.loginFailuresPerAccount, in: 1...1000)
        c.loginLockout = Double(integer("guanxi.login.lock.minutes", default: 15, in: 1...10_000) * 60)
        c.loginFailuresPerAddress = integer("guanxi.login.max.failures.per.address", default: c.loginFailuresPerAddress, in: 1...100_000)
        c.trustProxy = boolean("guanxi.trust.proxy", default: c.trustProxy)
        c.publicURL = read("guanxi.public.url")
        if let token = read("guanxi.metrics.token"), !token.isEmpty {
            if token.count >= 16 { c.metricsToken = token } else { problems.append("GUANXI_METRICS_TOKEN must be at least 16 characters.") }
        }
        c.secureCookies = boolean("guanxi.secure.cookies", default: c.publicURL?.hasPrefix("https://") ?? false)
        if let locale = read("guanxi.default.locale") {
            if Localizer.supported.contains(locale) { c.defaultLocale = locale } else {
                problems.append("GUANXI_DEFAULT_LOCALE must be one of \(Localizer.supported.joined(separator: ", ")) (got \"\(locale)\").")
            }
        }
        if let zone = read("guanxi.default.time.zone") {
            if TimeZone(identifier: zone) != nil { c.defaultTimeZone = zone } else {
                problems.append("GUANXI_DEFAULT_TIME_ZONE is not a known time zone (got \"\(zone)\").")
            }
        }
        if let level = read("guanxi.log.level") {
            if let parsed = Logger.Level(rawValue: level.lowercased()) { c.logLevel = parsed } else {
                problems.append("GUANXI_LOG_LEVEL must be one of trace, debug, info, notice, warning, error, critical (got \"\(level)\").")
            }
        }
        if let url = read("guanxi.smtp.url"), !url.isEmpty {
            do { c.smtp = try SMTPSettings.parse(url) } catch let error as GuanxiError { problems.append(error.message) } catch { problems.append("\(error)") }
        }
        if let from = read("guanxi.mail.from"), !from.isEmpty {
            if let address = Self.mailbox(from) { c.mailFrom = address } else {
                problems.append("GUANXI_MAIL_FROM must be an e-mail address, optionally with a name: 关系 CRM <crm@example.cn> (got \"\(from)\").")
            }
        }
        c.mailPerDomainPerMinute = integer("guanxi.mail.per.domain.per.minute", default: c.mailPerDomainPerMinute, in: 1...100_000)
        c.mailMaxBytes = integer("guanxi.mail.max.bytes", default: c.mailMaxBytes, in: 1024...1_073_741_824)
        return c
    }

    /// "Name <address>" or a bare address.
    static func mailbox(_ text: String) -> MailAddress? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.hasSuffix(">"), let open = trimmed.lastIndex(of: "<") {
            let name = trimmed[..<open].trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            return try? MailAddress(String(trimmed[trimmed.index(after: open)..<trimmed.index(before: trimmed.endIndex)]), name: name.isEmpty ? nil : name)
        }
        return try? MailAddress(trimmed)
    }

    private mutating func integer(_ key: String, default value: Int, in range: ClosedRange<Int>) -> Int {
        guard let raw = read(key) else { return value }
        guard let parsed = Int(raw.trimmingCharacters(in: .whitespaces)), range.contains(parsed) else {
            problems.append("\(Self.environmentName(key)) must be a whole number from \(range.lowerBound) to \(range.upperBound) (got \"\(raw)\").")
            return value
        }
        return parsed
    }

    private mutating func boolean(_ key: String, default value: Bool) -> Bool {
        guard let raw = read(key) else { return value }
        switch raw.lowercased() {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off": return false
        default:
            problems.append("\(Self.environmentName(key)) must be true or false (got \"\(raw)\").")
            return value
        }
    }

    /// Hides the password of a database URL in messages.
    package static func redacted(_ url: String) -> String {
        guard var parts = URLComponents(string: url), parts.password != nil else { return url }
        parts.password = "***"
        return parts.string ?? url
    }
}
