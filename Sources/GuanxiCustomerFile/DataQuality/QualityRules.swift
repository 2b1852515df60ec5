import Foundation
import SQLKit
import GuanxiPlatform

/// The data-quality checks as list filters (`/customers?quality=unreachable`), so every
/// number on the data-quality page opens the records behind it.
public enum QualityRule: String, Sendable, CaseIterable {
    /// Neither a phone nor an e-mail.
    case noContact = "no_contact"
    /// At least one phone or e-mail marked as not working.
    case invalidWays = "invalid_ways"
    /// Every phone and e-mail marked as not working: nobody can reach them.
    case unreachable
    /// Not changed and no activity for `staleDays`.
    case stale
    /// Customers without an industry (segmentation and reports need it).
    case noIndustry = "no_industry"

    public static let staleDays = 180

    package static func rules(for subject: QualitySubject) -> [QualityRule] {
        subject.hasIndustry ? allCases : [.noContact, .invalidWays, .unreachable, .stale]
    }

    /// The condition on the subject's table; `cutoff` is when "stale" begins.
    package func condition(_ subject: QualitySubject, cutoff: Date) -> SQLQueryString {
        let table = subject.table
        let problem = { (way: String, value: String) -> SQLQueryString in
            "EXISTS (SELECT 1 FROM contact_way_problems p WHERE p.record_kind = \(bind: subject.kind.rawValue) AND p.record_id = \(unsafeRaw: table).id AND p.kind = \(bind: way) AND p.normalized = \(unsafeRaw: value))"
        }
        if subject.channels {
            let channel = "FROM contact_channels ch WHERE ch.contact_id = \(table).id AND ch.kind IN ('email', 'phone')"
            let marked = "EXISTS (SELECT 1 FROM contact_way_problems p WHERE p.record_kind = '\(subject.kind.rawValue)' AND p.record_id = \(table).id AND p.kind = ch.kind AND p.normalized = ch.normalized)"
            switch self {
            case .noContact: return "NOT EXISTS (SELECT 1 \(unsafeRaw: channel))"
            case .invalidWays: return "EXISTS (SELECT 1 \(unsafeRaw: channel) AND \(unsafeRaw: marked))"
            case .unreachable: return "EXISTS (SELECT 1 \(unsafeRaw: channel)) AND NOT EXISTS (SELECT 1 \(unsafeRaw: channel) AND NOT \(unsafeRaw: marked))"
            case .stale: return "\(unsafeRaw: table).updated_at < \(bind: cutoff) AND NOT EXISTS (SELECT 1 FROM activities a WHERE a.\(unsafeRaw: subject.activityColumn) = \(unsafeRaw: table).id AND a.created_at >= \(bind: cutoff))"
            case .noIndustry: return "1 = 1"
            }
        }
        let email = problem("email", "lower(\(table).email)"), phone = problem("phone", "\(table).phone_digits")
        switch self {
        case .noContact: return "\(unsafeRaw: table).email IS NULL AND \(unsafeRaw: table).phone_digits IS NULL"
        case .invalidWays: return "(\(email) OR \(phone))"
        case .unreachable:
            return "(\(unsafeRaw: table).email IS NOT NULL OR \(unsafeRaw: table).phone_digits IS NOT NULL) AND (\(unsafeRaw: table).email IS NULL OR \(email)) AND (\(unsafeRaw: table).phone_digits IS NULL OR \(phone))"
        case .stale:
            let about: SQLQueryString = "a.\(unsafeRaw: subject.activityColumn) = \(unsafeRaw: table).id"
            return "\(unsafeRaw: table).updated_at < \(bind: cutoff) AND NOT EXISTS (SELECT 1 FROM activities a WHERE \(about) AND a.created_at >= \(bind: cutoff))"
        case .noIndustry: return subject.hasIndustry ? "\(unsafeRaw: table).industry IS NULL" : "1 = 1"
        }
    }
}
