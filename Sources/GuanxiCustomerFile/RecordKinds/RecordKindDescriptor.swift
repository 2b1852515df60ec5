import Foundation
import GuanxiPlatform
import SQLKit

/// Everything the shared features need to know about one kind of record, supplied by the
/// kind's own folder and registered once at start-up (`RecordKinds`). Lists, saved views,
/// import, export, bulk actions, timelines, attachments, custom fields, contact-way marks,
/// duplicates and merge, hand-over and the role editor read it, so none of them names a
/// concrete kind: a new kind of record is its folder plus one registration line.
///
/// A capability left `nil` (or `false`) is one the kind does not offer; the features that
/// need it leave the kind out.
package struct RecordKindDescriptor: Sendable {
    package let kind: RecordKind
    /// Its table; rows have `id`, `version`, `updated_at` and, when owned, `owner_id`.
    package var table: String
    /// Locale key of its name as menus and filters show it ("kinds.customers").
    package var nameKey: String
    /// Where its pages are ("/customers"); a record's page is `path/ID`.
    package var path: String
    /// The column that names one record in audit entries and hand-over summaries.
    package var labelColumn = "name"
    /// Roles grant permissions on it (the role editor lists it).
    package var grantable = true
    /// The kind whose grants cover it: its own, or that of the records it belongs to
    /// (purchases are imported by whoever may import customers).
    package var permissionKind: RecordKind
    /// Its unowned records sit in the shared pool (公海), open to everyone granted the
    /// action, for anyone to claim.
    package var inSharedPool = false
    /// Migrations that create the kind's tables, run after the core ones (a kind described
    /// by hand keeps its tables in the numbered migrations).
    package var migrations: [any GuanxiMigration] = []
    /// Finds one record for a principal, through the kind's own permission check; 404 when
    /// the record is missing or out of the principal's reach for `action`.
    package var find: (@Sendable (_ id: UUID, _ actor: Principal, _ action: PermissionAction) async throws -> FoundRecord)?
    /// Its list: filters, pages and columns, shared by the list page, saved views and exports.
    package var list: (any RecordList)?
    /// Formats its list exports to besides CSV, by the name clients ask for ("vcard4").
    package var fileFormats: [String: RecordFileFormat] = [:]
    /// The global search box's hits among its records that the actor may read.
    package var search: (@Sendable (_ term: String, _ actor: Principal, _ limit: Int) async throws -> [SearchHit])?
    /// What a record picker (`/pick/<kind>`) offers, when it is not `search` for readers of
    /// the kind: the owner pickers offer colleagues to people who cannot read user records.
    /// It checks its own permissions.
    package var pick: (@Sendable (_ term: String, _ actor: Principal, _ limit: Int) async throws -> [SearchHit])?
    /// Its records at one customer that match `term` (a customer's contacts), for pickers
    /// a form narrows by the customer it names: a deal's contact, a contact's manager.
    /// Empty `term`: the first `limit` in the kind's order. Checks the reader's permissions.
    package var searchAtCustomer: (@Sendable (_ term: String, _ customerID: UUID, _ actor: Principal, _ limit: Int) async throws -> [SearchHit])?
    /// How a CSV file becomes records of this kind (import, dry run, revert).
    package var importTarget: (@Sendable (ImportSettings) -> any ImportTarget)?
    /// Actions on many records picked in its list, each applied one record at a time
    /// through the kind's service.
    package var bulkActions: [BulkAction: BulkAction.Apply] = [:]
    /// Readers can save views of its list (filters and columns), and pick records in it
    /// for bulk actions.
    package var savedViews = false
    /// Sections it shows on other kinds' record pages (a deal list on a customer's page).
    package var panels: [RecordPanel] = []
    /// The kind's declaration, if it is declared as data (`RecordSchema`): the app builds
    /// its web pages from it (`SchemaPages`).
    package var schema: RecordSchema?
    /// The records of other kinds its records hang on, and whether deleting one of those
    /// deletes them or leaves them detached: what another kind's deletion takes with it.
    package var hangsOn: [RecordDependent] = []
    /// Has a timeline (its history and the activities about it); activities can be about it.
    package var timeline = false
    /// What the kind adds to one of its records' timelines besides changes and
    /// activities (a deal's stage moves).
    package var timelineEvents: (@Sendable (_ id: UUID) async throws -> [TimelineEvent])?
    /// How its audited fields read in histories, beyond `HistoryField.common`.
    package var historyFields: [String: HistoryField] = [:]
    /// Audited fields its `timelineEvents` already tell (a deal's stage): its timeline
    /// leaves them out of change entries, so each move is told once.
    package var toldByTimelineEvents: Set<String> = []
    /// Files can be attached to its records.
    package var attachments = false
    /// Administrators can define custom fields for it.
    package var customFields = false
    /// What the data-quality checks need to know of it; nil for a kind they leave out.
    package var quality: QualitySubject?
    /// The column of `activities` that names one of its records, for its timeline and
    /// activity lists (a customer's are all those of the customer).
    package var activityColumn = "related_id"
    /// Its phones and e-mails (kind `phone` or `email`, value as stored), which data
    /// quality can mark as not working; nil for a kind that has none.
    package var contactWays: (@Sendable (_ id: UUID) async throws -> [(kind: String, value: String)])?
    /// Its records whose e-mail is `address` (lower case): received mail from or to that
    /// address is filed on their timelines (`MailFiling`). Nil for a kind without e-mail.
    package var mailAddressed: (@Sendable (_ address: String) async throws -> [UUID])?
    /// Its records with one of these phone numbers (digits, in the forms of
    /// `SMSNumber.storedForms`): a text message's reply is filed on their timelines.
    package var phoneNumbered: (@Sendable (_ digits: [String]) async throws -> [UUID])?
    /// How mail merges, letters and labels reach its records; nil for a kind they leave out.
    package var messageRecipients: MessageRecipients?
    /// Makes one of its records for someone who wrote in and is not known yet (a lead),
    /// when the administrator has chosen so; the received mail is then filed on it.
    package var fromUnknownSender: (@Sendable (_ sender: ReceivedAddress, _ subject: String) async throws -> UUID)?
    /// How its duplicates are found over the whole file: one grouped query per key.
    package var duplicateKeys: [DuplicateKey] = []
    /// How two or more of its records become one; nil when they cannot be merged.
    package var merging: RecordMerging?
    /// A hand-over of everything a user owns moves its records; `handOverOnly` narrows
    /// which (activities: only the open ones).
    package var handOver = false
    package var handOverOnly: String?

    package init(kind: RecordKind, table: String? = nil, nameKey: String? = nil, path: String? = nil) {
        self.kind = kind
        self.permissionKind = kind
        self.table = table ?? kind.rawValue
        self.nameKey = nameKey ?? "kinds.\(kind.rawValue)"
        self.path = path ?? "/\(kind.rawValue)"
    }
}

extension RecordKindDescriptor {
    /// `mailAddressed` for a kind that keeps one e-mail in an `email` column of its table
    /// (indexed on `LOWER(email)`).
    package static func emailColumn(of table: String, database: DatabaseService) -> @Sendable (String) async throws -> [UUID] {
        { address in
            try await database.sql.raw("SELECT id FROM \(unsafeRaw: table) WHERE LOWER(email) = \(bind: address.lowercased()) LIMIT 20")
                .all(decodingColumn: "id", as: UUID.self)
        }
    }
}

extension RecordKindDescriptor {
    /// `phoneNumbered` for a kind that keeps one phone's digits in a `phone_digits` column (indexed).
    package static func phoneDigitsColumn(of table: String, database: DatabaseService) -> @Sendable ([String]) async throws -> [UUID] {
        { digits in
            try await database.sql.select().column("id").from(table).where("phone_digits", .in, digits).limit(20).all(decodingColumn: "id", as: UUID.self)
        }
    }
}

/// A record as the shared features see it: what it is called and which customer it
/// belongs to (for activities about it and the timeline of its customer).
public struct FoundRecord: Sendable, Equatable {
    package let kind: RecordKind
    public let id: UUID
    public let name: String
    public let customerID: UUID?
    package init(kind: RecordKind, id: UUID, name: String, customerID: UUID?) {
        (self.kind, self.id, self.name, self.customerID) = (kind, id, name, customerID)
    }
}

/// One record the search box found.
public struct SearchHit: Sendable, Equatable {
    public var kind: RecordKind
    public var id: UUID
    public var title: String
    public var detail: String

    package init(kind: RecordKind, id: UUID, title: String, detail: String) { (self.kind, self.id, self.title, self.detail) = (kind, id, title, detail) }
}

/// A moment a kind adds to its records' timelines, shown under `title`.
package struct TimelineEvent: Sendable {
    package let at: Date
    package let actor: String
    package let title: String

    package init(at: Date, actor: String, title: String) { (self.at, self.actor, self.title) = (at, actor, title) }
}

/// One action on many records picked in a list.
public enum BulkAction: String, Sendable, CaseIterable {
    /// Give them an owner (`ownerID`; nil leaves them unowned).
    case assign
    /// Add a tag (`tag`).
    case tag
    /// Move them to the shared pool.
    case pool
    case delete

    /// What the action needs besides the record.
    public struct Arguments: Sendable {
        public var ownerID: UUID?
        public var tag: String?
    }
    public typealias Apply = @Sendable (_ id: UUID, _ arguments: Arguments, _ actor: Principal) async throws -> Void
}
