import Foundation
import Hummingbird
import HummingbirdCore

/// The kinds of record a file can be exported from or imported into.
public enum RecordFileKind: String, Sendable, CaseIterable, Codable {
    case customers, contacts, leads, opportunities, activities
    var recordKind: RecordKind { RecordKind(rawValue: rawValue) }
}

/// What an export file is written as.
public enum ExportFormat: String, Sendable, CaseIterable {
    case csv
    /// Contacts as vCard 3.0 or 4.0.
    case vcard3, vcard4
    /// Activities as iCalendar.
    case ical
}

/// `guanxi export KIND FILE`: a record list written to a CSV file, page by page, through
/// the same permission check, columns and audit entry as the web download.
public struct FileExport: Sendable {
    let services: AppServices
    public init(services: AppServices) { self.services = services }

    /// `view` is a saved view's id or name (its filters and columns); `filters` a list
    /// query string such as `stage=customer&tier=核心`, applied on top. Returns the row count.
    public func run(_ kind: RecordFileKind, to path: String, view: String?, filters: String?, locale: String, byteOrderMark: Bool,
                    format: ExportFormat = .csv, by actor: Principal) async throws -> Int {
        let parameters = try await query(kind, view: view, filters: filters, by: actor)
        switch (format, kind) {
        case (.csv, _): break
        case (.vcard3, .contacts), (.vcard4, .contacts):
            let version: VCard.Version = format == .vcard3 ? .v3 : .v4
            let cards = ContactVCard(services: services)
            try await cards.start(query: parameters, version: version, by: actor)
            return try await toFile(path) { out in try await cards.write(query: parameters, version: version, by: actor, to: out) }
        case (.ical, .activities):
            let calendar = ActivityCalendarExport(services: services)
            try await calendar.start(query: parameters, by: actor)
            return try await toFile(path) { out in try await calendar.write(query: parameters, by: actor, locale: locale, to: out) }
        default:
            throw GuanxiError.invalid("format", "\(format.rawValue) files hold \(format == .ical ? "activities" : "contacts"), not \(kind.rawValue).")
                .localized("msg.export_format", ["format": format.rawValue, "kind": kind.rawValue])
        }
        return switch kind {
        case .customers: try await write(CustomerList(services: services), parameters, path, locale, byteOrderMark, actor)
        case .contacts: try await write(ContactList(services: services), parameters, path, locale, byteOrderMark, actor)
        case .leads: try await write(LeadList(services: services), parameters, path, locale, byteOrderMark, actor)
        case .opportunities: try await write(OpportunityList(services: services), parameters, path, locale, byteOrderMark, actor)
        case .activities: try await write(ActivityList(services: services), parameters, path, locale, byteOrderMark, actor)
        }
    }

    /// A list's query: a saved view's filters and columns, then `filters` on top.
    func query(_ kind: RecordFileKind, view: String?, filters: String?, by actor: Principal) async throws -> Parameters {
        var query = ""
        if let view {
            let saved = try await find(view, kind: kind.recordKind, actor: actor)
            var items = URLComponents(string: "?" + saved.query)?.queryItems ?? []
            items += saved.columns.map { URLQueryItem(name: "col", value: $0) }
            var out = URLComponents()
            out.queryItems = items
            query = out.percentEncodedQuery ?? ""
        }
        if let filters, !filters.isEmpty { query += (query.isEmpty ? "" : "&") + filters }
        return URI("/?" + query).queryParameters
    }

    private func write<L: RecordList>(_ list: L, _ query: Parameters, _ path: String, _ locale: String, _ bom: Bool, _ actor: Principal) async throws -> Int {
        let export = ListExport(services: services)
        let plan = try await export.start(list, query: query, by: actor, locale: locale)
        return try await toFile(path) { out in try await export.write(list, plan: plan, query: query, by: actor, locale: locale, byteOrderMark: bom, to: out) }
    }

    /// Writes to `path` itself: a new or emptied file, or what the path names — a link's
    /// target, `/dev/stdout`, a pipe. (`FileManager.createFile` writes a new file and moves
    /// it over the path, which replaced such a path with a plain file.)
    private func toFile(_ path: String, _ write: ((String) async throws -> Void) async throws -> Int) async throws -> Int {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard descriptor >= 0 else {
            throw GuanxiError(.badRequest, "Cannot write \(path): \(String(cString: strerror(errno))).")
        }
        let file = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        defer { try? file.close() }
        return try await write { text in try file.write(contentsOf: Data(text.utf8)) }
    }

    private func find(_ view: String, kind: RecordKind, actor: Principal) async throws -> SavedView {
        if let id = UUID(uuidString: view) {
            let saved = try await services.savedViews.find(id, for: actor)
            guard saved.recordKind == kind.rawValue else { throw GuanxiError.notFound("View \(view) of \(kind.rawValue)") }
            return saved
        }
        guard let match = try await services.savedViews.list(kind, for: actor).first(where: { $0.name == view }) else {
            throw GuanxiError.notFound("View \"\(view)\"")
        }
        return match
    }
}
