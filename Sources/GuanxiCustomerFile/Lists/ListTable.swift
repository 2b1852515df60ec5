import Foundation
import Hummingbird
import GuanxiPlatform

/// The table part of every record list: the columns the reader chose (built-in ones and
/// custom fields), saved views, and the bulk-action form around the rows.
package struct ListTable {
    package typealias Column<Record> = ListColumn<Record>
    /// One record's row.
    package struct Row {
        package let id: String; package let href: String; package let title: String; package let cells: [Cell]
        package init(id: String, href: String, title: String, cells: [Cell]) { (self.id, self.href, self.title, self.cells) = (id, href, title, cells) }
    }
    /// One cell: its text, and where it leads when it names another record.
    package struct Cell {
        package let text: String; package let href: String?
        /// The column's heading, which a phone shows beside the value when rows become cards.
        package let label: String
        package init(text: String, href: String?, label: String) { (self.text, self.href, self.label) = (text, href, label) }
    }

    /// The rows as the table's body. Written here rather than by the template: fifty rows
    /// of six cells are some 1,500 Mustache look-ups, each a chain of dynamic casts in
    /// swift-mustache — about a third of a list page's time. Every value goes through
    /// the templates' own escaping (`HTMLEscaping`), attributes and text alike.
    package static func html(_ rows: [Row], canBulk: Bool) -> String {
        let e = HTMLEscaping.escape
        var out = ""
        out.reserveCapacity(rows.count * 600)
        for row in rows {
            out += "<tr>"
            if canBulk { out += #"<td class="pick"><input type="checkbox" name="ids" value="\#(e(row.id))" aria-label="\#(e(row.title))"></td>"# }
            out += #"<td class="title"><a href="\#(e(row.href))">\#(e(row.title))</a></td>"#
            for cell in row.cells {
                out += #"<td data-label="\#(e(cell.label))"\#(cell.text.isEmpty ? #" class="empty""# : "")>"#
                if let href = cell.href { out += #"<a href="\#(e(href))">\#(e(cell.text))</a>"# } else { out += e(cell.text) }
                out += "</td>"
            }
            out += "</tr>"
        }
        return out
    }
    package struct ViewLink { package let id: String; package let name: String; package let shared: Bool; package let current: Bool; package let mine: Bool }
    package struct Part {
        package let path: String; let headers: [ListHeading]; let nameHeading: ListHeading; let columns: [WebChoice]; let chosen: String
        /// The records as the table's body (`ListTable.html`), and whether there are any.
        package let rowsHTML: String; let hasRows: Bool
        package let views: [ViewLink]; let query: String; let actions: [WebChoice]; let canBulk: Bool; let owners: [WebChoice]
        package let hasTag: Bool; let bulkResult: String?
        /// The CSV download of this list (same filters and columns); nil without the export permission.
        package let exportHref: String?
        /// A mail merge to this list as filtered; nil when the kind has no addresses or the
        /// reader may not send. The selection goes to it through the bulk form (`kind`).
        package let mergeHref: String?
        /// Letters, labels and envelopes for this list as filtered; nil when the kind has no addresses.
        package let printHref: String?
        package let kind: String
        /// First, previous and next page.
        package let pager: ListPager
        /// How many records the filters select ("37 records", "more than 1,000"); empty when not counted.
        package let total: String
        /// Whether `total` says anything (Mustache takes an empty string for true).
        package let counted: Bool
        /// The same list counted to the end, offered when `total` says "more than".
        package let countAllHref: String?
    }

    /// The most records a list counts on its own (`CappedCount`); above it, it says "more
    /// than" and offers to count them all.
    package static let countCap = 1_000

    /// How far this request's list counts: `countCap`, or every record when the reader
    /// asked (`count=all`, kept while paging) — one full count, only on request.
    package static func countLimit(_ request: Request) -> Int {
        request.uri.queryParameters["count"] == "all" ? 1_000_000_000 : countCap
    }

    package let services: CustomerFileServices

    /// Builds the table for `records` of `kind` at `path` ("/customers"). `builtIn` are the
    /// kind's own columns, the first `defaults` of which show unless the reader chose;
    /// `next` is the cursor of the page after; `sorts` the list's own orders, first the
    /// default, by the column key that shows each ("name" for the first column).
    package func part<Record: ListedRecord>(_ kind: RecordKind, path: String, records: [Record], title: (Record) -> String, titleKey: String = "customer_fields.name",
                                         builtIn: [Column<Record>], defaults: [String], next: String?, sorts: [String], total: Int? = nil,
                                         request: Request, context: SignedInContext) async throws -> Part {
        let principal = context.principal
        let q = request.uri.queryParameters
        let all = try await columns(kind, builtIn: builtIn, records: records, locale: context.locale)
        let chosenKeys = Self.chosen(q, among: all, defaults: try await services.savedViews.columns(of: kind, for: principal) ?? defaults)
        let columns = chosenKeys.compactMap { key in all.first { $0.key == key } }
        let views = try await services.savedViews.list(kind, for: principal)
        let current = q["view"].map(String.init)
        let t = { (key: String) in services.localizer.text(key, context.locale) }
        let actions = BulkActions.actions(for: kind, in: services.records)
        // The bulk form's new owner: a picker that starts with the first colleagues and
        // searches the rest (`RecordPicker`), not every colleague on every list page.
        let owners = try await services.users.firstPickable(for: principal, limit: RecordPicker.pageSize)
        let rows = records.map { r in
            Row(id: r.recordID.uuidString, href: "\(path)/\(r.recordID.uuidString)", title: title(r), cells: columns.map { Cell(text: $0.value(r), href: $0.link?(r), label: $0.label) })
        }
        var bulkResult: String?
        if let done = q["bulk_done"].flatMap({ Int($0) }), let failed = q["bulk_failed"].flatMap({ Int($0) }) {
            bulkResult = services.localizer.text("lists.bulk_result", context.locale, ["done": String(done), "failed": String(failed)])
        }
        return Part(
            path: path, headers: columns.map { ListHeading.make(key: $0.key, label: $0.label, sorts: sorts, request: request, path: path) },
            nameHeading: ListHeading.make(key: "name", label: t(titleKey), sorts: sorts, request: request, path: path),
            columns: all.map { WebChoice(value: $0.key, label: $0.label, selected: chosenKeys.contains($0.key)) },
            chosen: chosenKeys.joined(separator: ","),
            rowsHTML: Self.html(rows, canBulk: !actions.isEmpty), hasRows: !rows.isEmpty,
            views: views.map { ViewLink(id: $0.id!.uuidString, name: $0.name, shared: $0.shared, current: $0.id?.uuidString == current, mine: $0.ownerID == principal.userID) },
            query: Self.savedQuery(request), actions: actions.map { WebChoice(value: $0.rawValue, label: t("lists.action_\($0.rawValue)"), selected: false) },
            canBulk: !actions.isEmpty, owners: owners.map { WebChoice(value: $0.id.uuidString, label: $0.displayName, selected: false) },
            hasTag: actions.contains(.tag), bulkResult: bulkResult,
            exportHref: principal.scope(for: .export, on: kind) == nil ? nil : Self.exportHref(path: path, request: request, columns: chosenKeys),
            mergeHref: MailMergePages.startURL(kind, query: Self.savedQuery(request), for: principal, in: services.records),
            printHref: services.records[kind]?.messageRecipients == nil ? nil : SiteURL("/print").with("kind", kind.rawValue).with("query", Self.savedQuery(request)).description,
            kind: kind.rawValue,
            pager: ListPager(request: request, path: path, next: next) { services.localizer.text("lists.page_number", context.locale, ["n": String($0)]) },
            total: total.map { n in
                let limit = Self.countLimit(request)
                return services.localizer.text(n > limit ? "lists.total_more" : "lists.total", context.locale, ["n": DisplayFormat.grouped(min(n, limit))])
            } ?? "", counted: total != nil,
            countAllHref: (total ?? 0) > Self.countLimit(request) ? Self.countAllHref(path: path, request: request) : nil)
    }

    /// The list as it is, counted to the end.
    static func countAllHref(path: String, request: Request) -> String {
        var out = URLComponents()
        out.queryItems = ListPager.items(request).filter { $0.name != "count" } + [URLQueryItem(name: "count", value: "all")]
        return path + "?" + (out.percentEncodedQuery ?? "")
    }

    /// Every column of a list of `records`: the kind's own, then its custom fields.
    /// Every column of a list of `records`: the kind's own, those other areas add
    /// (`ListColumnSource`), then its custom fields.
    package func columns<Record: ListedRecord>(_ kind: RecordKind, builtIn: [Column<Record>], records: [Record], locale: String) async throws -> [Column<Record>] {
        let fields = try await services.customValues.fields(of: kind)
        let values = try await services.customValues.values(of: kind, ids: records.map(\.recordID))
        var added: [Column<Record>] = []
        for source in services.records.columnSources(of: kind) {
            for column in try await source.columns(records.map(\.recordID), locale) {
                added.append(Column<Record>(key: column.key, label: column.label) { column.values[$0.recordID] ?? "" })
            }
        }
        return builtIn + added + fields.map { f in
            Column<Record>(key: "cf.\(f.key)", label: f.label) { values[$0.recordID]?[f.key]?.display ?? "" }
        }
    }

    /// The column keys the query string chose (`col`, in order; unknown ones dropped), or the defaults.
    /// The columns a list shows: those the address names (a view, an export), else
    /// `defaults` (the reader's kept choice, or the list's own) — only those the list has.
    package static func chosen<Record>(_ query: Parameters, among all: [Column<Record>], defaults: [String]) -> [String] {
        let sent: [String] = query.getAll("col").map { String($0) }
        return (sent.isEmpty ? defaults : sent).filter { key in all.contains { $0.key == key } }
    }

    /// `/customers/export?filters&col=…`: the list as shown, as a CSV download.
    package static func exportHref(path: String, request: Request, columns: [String]) -> String {
        var out = URLComponents()
        out.queryItems = columns.map { URLQueryItem(name: "col", value: $0) }
        let filters = savedQuery(request)
        return "\(path)/export?" + [filters, out.percentEncodedQuery ?? ""].filter { !$0.isEmpty }.joined(separator: "&")
    }

    /// The sort choices of a list: its own orders, then its custom fields.
    package func sorts(_ kind: RecordKind, builtIn: [String], selected: String, locale: String) async throws -> [WebChoice] {
        let t = { (key: String) in services.localizer.text(key, locale) }
        return builtIn.map { WebChoice(value: $0, label: t("lists.sort_\($0)"), selected: $0 == selected) }
            + (try await services.customValues.fields(of: kind)).map { WebChoice(value: "cf.\($0.key)", label: $0.label, selected: "cf.\($0.key)" == selected) }
    }

    /// The filters of the current request, as a view saves them (no paging, columns apart).
    package static func savedQuery(_ request: Request) -> String { savedQuery(request.uri.queryParameters) }

    package static func savedQuery(_ query: Parameters) -> String {
        var out = URLComponents()
        out.queryItems = query.filter { !["after", "view", "opened", "col", "bulk_done", "bulk_failed", "notice", "bom"].contains(String($0.key)) && !$0.value.isEmpty }
            .map { URLQueryItem(name: String($0.key), value: String($0.value)) }
        return out.percentEncodedQuery ?? ""
    }

    /// `/customers?view=ID` opens the view: its filters and columns, as a plain list URL.
    package func open(_ viewID: String, path: String, context: SignedInContext) async throws -> Response {
        let view = try await services.savedViews.find(try UUID(uuidString: viewID).orThrow(.notFound("View")), for: context.principal)
        var url = SiteURL(path).with(rawQuery: view.query)
        for column in view.columns { url = url.with("col", column) }
        return WebRenderer.redirect(url.with("view", viewID).with("opened", "1"))
    }

    package init(services: CustomerFileServices) { self.services = services }
}
