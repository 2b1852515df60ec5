import FluentKit
import Foundation
import SQLKit
import Synchronization
import GuanxiPlatform

/// The registry of record kinds: each kind's folder hands its `RecordKindDescriptor` in at
/// start-up (`CustomerFileServices.registerRecordKinds`), and the shared features ask here which
/// kinds offer what. Registration happens before the server answers its first request;
/// after that the registry is only read.
package final class RecordKinds: Sendable {
    private let entries = Mutex<[RecordKindDescriptor]>([])
    /// Panels of areas that are no kind of record themselves (the analytics).
    private let loosePanels = Mutex<[RecordPanel]>([])

    package init() {}

    /// Adds a kind, or replaces the one registered under the same key.
    package func register(_ descriptor: RecordKindDescriptor) {
        entries.withLock { all in
            if let at = all.firstIndex(where: { $0.kind == descriptor.kind }) { all[at] = descriptor } else { all.append(descriptor) }
        }
    }

    private let columnSources = Mutex<[ListColumnSource]>([])

    /// Adds columns to another kind's lists.
    package func register(columns: ListColumnSource) { columnSources.withLock { $0.append(columns) } }

    /// The column sources of `kind`'s lists, in the order they were registered.
    package func columnSources(of kind: RecordKind) -> [ListColumnSource] { columnSources.withLock { $0 }.filter { $0.host == kind } }

    /// Adds a panel that no kind of record owns.
    package func register(panel: RecordPanel) { loosePanels.withLock { $0.append(panel) } }

    /// The panels shown on `kind`'s record pages: the kinds' own, in the order the kinds
    /// were registered, then the others in theirs.
    package func panels(on kind: RecordKind) -> [RecordPanel] {
        (all.flatMap(\.panels) + loosePanels.withLock { $0 }).filter { $0.host == kind }
    }

    private let figures = Mutex<[DashboardFigure]>([])
    /// The home page's cards (`HomeCard`).
    package let homeCardList = Mutex<[HomeCard]>([])

    /// Adds a chart to the analytics dashboard.
    package func register(figure: DashboardFigure) { figures.withLock { $0.append(figure) } }

    /// The dashboard's charts from other areas, in the order they were registered.
    package var dashboardFigures: [DashboardFigure] { figures.withLock { $0 } }

    /// What deleting a record of any kind takes with it, inside the deletion's transaction:
    /// the record's attachments, and whatever else an area hangs on records of every kind.
    /// A step receives the deleted records of one kind together (the record itself, or a
    /// chunk of those its deletion takes along), so it can remove what hangs on them at once.
    package typealias Deletion = @Sendable (_ kind: RecordKind, _ ids: [UUID], _ tx: any Database) async throws -> Void
    private let deletionSteps = Mutex<[Deletion]>([])

    /// Adds a step to every record's deletion (`RecordWriter.delete`).
    package func register(deletion: @escaping Deletion) { deletionSteps.withLock { $0.append(deletion) } }

    /// The steps every deletion runs, in the order they were registered.
    package var deletions: [Deletion] { deletionSteps.withLock { $0 } }

    /// What hangs on records of `host` (`RecordKindDescriptor.hangsOn`), in registration order.
    package func dependents(of host: RecordKind) -> [RecordDependent] { all.flatMap(\.hangsOn).filter { $0.host == host } }

    /// How many records of each kind hang on one record of `kind`, for the question before
    /// its deletion: every one, also those the asker cannot read, since they go too.
    package func dependents(of kind: RecordKind, _ id: UUID, on sql: any SQLDatabase) async throws -> [(dependent: RecordDependent, count: Int)] {
        var out: [(RecordDependent, Int)] = []
        for dependent in dependents(of: kind) {
            let count = try await Self.count(of: dependent, on: id, in: sql)
            if count > 0 { out.append((dependent, count)) }
        }
        return out
    }

    /// How many records of `dependent` hang on `host`.
    package static func count(of dependent: RecordDependent, on host: UUID, in sql: any SQLDatabase) async throws -> Int {
        try await sql.select().column(SQLFunction("count", args: SQLLiteral.all), as: "n").from(dependent.table)
            .where(SQLIdentifier(dependent.column), .equal, host).first(decodingColumn: "n", as: Int.self) ?? 0
    }

    /// The records that were merged into one and live on as it, if an area keeps such
    /// (the duplicates' merges): a record's timeline tells their story too.
    package typealias MergedInto = @Sendable (_ survivor: UUID) async throws -> [UUID]
    private let mergedSources = Mutex<[MergedInto]>([])

    /// Adds a source of merged records (`Duplicates` registers its merges).
    package func register(mergedInto source: @escaping MergedInto) { mergedSources.withLock { $0.append(source) } }

    /// The records merged into `survivor` and not taken apart again.
    package func merged(into survivor: UUID) async throws -> [UUID] {
        var out: [UUID] = []
        for source in mergedSources.withLock({ $0 }) { out += try await source(survivor) }
        return out
    }

    /// Every kind, in the order they were registered (the order menus and editors list them).
    package var all: [RecordKindDescriptor] { entries.withLock { $0 } }

    package subscript(kind: RecordKind) -> RecordKindDescriptor? { entries.withLock { all in all.first { $0.kind == kind } } }

    /// The kinds that offer what `offers` asks for, in registration order.
    package func kinds(where offers: (RecordKindDescriptor) -> Bool) -> [RecordKind] { all.filter(offers).map(\.kind) }

    /// The kind a client named (`raw` as in URLs and files) if it offers what `offers`
    /// asks; otherwise an error naming the kinds that do.
    package func named(_ raw: String?, field: String, offering offers: (RecordKindDescriptor) -> Bool) throws -> RecordKindDescriptor {
        let candidates = all.filter(offers)
        if let raw, let found = candidates.first(where: { $0.kind.rawValue == raw }) { return found }
        let choices = candidates.map(\.kind.rawValue).joined(separator: ", ")
        throw GuanxiError.invalid(field, "\(field) must be one of \(choices).").localized("msg.choice", ["field": field, "choices": choices])
    }

    /// The kind whose grants cover `kind` (`RecordKindDescriptor.permissionKind`).
    /// Where `kind`'s pages are (`RecordKindDescriptor.path`), or a record's page when `id` is given.
    package func url(_ kind: RecordKind, _ id: UUID? = nil) -> SiteURL {
        let url = SiteURL(self[kind]?.path ?? "/\(kind.rawValue)")
        return id.map { url.appending($0) } ?? url
    }

    package func permissionKind(of kind: RecordKind) -> RecordKind { self[kind]?.permissionKind ?? kind }

    /// The record if the actor may do `action` on it; 404 otherwise, also for a kind
    /// that cannot be looked up one record at a time.
    package func find(_ kind: RecordKind, _ id: UUID, for actor: Principal, action: PermissionAction = .read) async throws -> FoundRecord {
        guard let find = self[kind]?.find else { throw GuanxiError.notFound("Record") }
        return try await find(id, actor, action)
    }
}
