import Foundation

/// One audit entry as a page shows it (a record's history, the audit browser): action
/// and kind in the reader's language, times in their time zone, and its changes as the
/// reader reads them (`ReadableHistory`).
package struct AuditEntryRow {
    package struct Change {
        package let field: String; package let old: String; package let new: String
        package init(field: String, old: String, new: String) { (self.field, self.old, self.new) = (field, old, new) }
    }
    package let at: String; package let actor: String; package let address: String; package let action: String; package let kind: String
    package let label: String; package let changes: [Change]

    /// `actor` is the user's name as colleagues know it; the log's own name (the sign-in
    /// name it kept, or "system") when there is none.
    package init(_ e: AuditEntry, actor: String? = nil, changes: [Change], format: DisplayFormat, localizer: Localizer, locale: String) {
        at = format.dateTime(e.at); self.actor = actor ?? e.actorName; address = e.address; label = e.recordLabel
        action = localizer.known("audit_actions.\(e.action)", locale) ?? e.action
        kind = localizer.known("kinds.\(e.recordKind)", locale) ?? e.recordKind
        self.changes = changes
    }
}

/// One API token as the profile and user pages list it.
package struct APITokenRow {
    package let id: String; package let name: String; package let prefix: String; package let created: String; package let expires: String
    package let lastUsed: String; package let revoked: Bool

    package init(_ info: APITokenInfo, format: DisplayFormat) {
        id = info.id.uuidString; name = info.name; prefix = info.prefix; created = format.dateTime(info.createdAt)
        expires = info.expiresAt.map(format.dateTime) ?? "—"; lastUsed = info.lastUsedAt.map(format.dateTime) ?? "—"; revoked = info.revokedAt != nil
    }
}
