import Foundation
import Hummingbird
import HummingbirdCore
import GuanxiCustomerFile
import GuanxiPlatform


/// `guanxi export KIND FILE`: a record list written to a CSV file, page by page, through
/// the same permission check, columns and audit entry as the web download.
public struct FileExport: Sendable {
    package let services: CustomerFileServices
    public init(services: CustomerFileServices) { self.services = services }

    /// `view` is a saved view's id or name (its filters and columns); `filters` a list
    /// query string such as `stage=customer&tier=核心`, applied on top. Returns the row count.
    ///
    /// `kind` is a kind with a list (`customers`, `contacts` …); `format` is `csv` or one of
    /// the kind's other formats (`vcard4` for contacts, `ical` for activities).
    public func run(_ kind: String, to path: String, view: String?, filters: String?, locale: String, byteOrderMark: Bool,
                    format: String = "csv", by actor: Principal) async throws -> Int {
        let descriptor = try Self.exportable(kind, in: services.records)
        let parameters = try await query(descriptor.kind, view: view, filters: filters, by: actor)
        if format != "csv" {
            let pages = try await Self.format(format, of: descriptor, in: services.records).open(parameters, actor, locale)
            return try await toFile(path) { out in try await pages.write(to: out) }
        }
        return try await write(descriptor.list!, parameters, path, locale, byteOrderMark, actor)
    }

    /// The kinds whose lists can be exported, by the names files and URLs use.
    public static func exportableKinds(_ services: CustomerFileServices) -> [String] { services.records.kinds { $0.list != nil }.map(\.rawValue) }

    /// The kind a client named, if it has a list to export; otherwise an error naming those that do.
    package static func exportable(_ kind: String, in records: RecordKinds) throws -> RecordKindDescriptor {
        try records.named(kind, field: "kind") { $0.list != nil }
    }

    /// One of a kind's formats besides CSV; an error naming the kinds that offer it otherwise.
    package static func format(_ name: String, of descriptor: RecordKindDescriptor, in records: RecordKinds) throws -> RecordFileFormat {
        if let format = descriptor.fileFormats[name] { return format }
        let holders = records.kinds { $0.fileFormats[name] != nil }.map(\.rawValue).joined(separator: ", ")
        throw GuanxiError.invalid("format", "\(name) files hold \(holders.isEmpty ? "nothing Guanxi exports" : holders), not \(descriptor.kind.rawValue).")
            .localized("msg.export_format", ["format": name, "kind": descriptor.kind.rawValue])
    }

    /// A list's query: a saved view's filters and columns, then `filters` on top.
    package func query(_ kind: RecordKind, view: String?, filters: String?, by actor: Principal) async throws -> Parameters {
        var query = ""
        if let view {
            let saved = try await find(view, kind: kind, actor: actor)
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
