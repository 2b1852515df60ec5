import Foundation
import Hummingbird
import GuanxiCustomerFile
import GuanxiPlatform

/// Writes a record list — the filters, sort and columns the reader chose — as CSV, one
/// keyset page at a time, so a million rows need no more memory than a page. The web
/// download, the API and `guanxi export` all go through it.
///
/// It needs the export permission on the kind; rows are the ones the list shows the
/// reader (the read scope) that the export scope also reaches. The export is audited
/// before the first row is written, naming the filters and columns, so a download cut
/// short is on record too.
package struct ListExport: Sendable {
    package let services: CustomerFileServices

    /// What an export writes: the header line's labels and the column keys behind them.
    package struct Plan: Sendable { package let keys: [String]; package let labels: [String] }

    /// Checks the permission and the query, and records the export; `write` then streams it.
    package func start<L: RecordList>(_ list: L, query: Parameters, by principal: Principal, locale: String) async throws -> Plan {
        _ = try services.permissions.require(principal, .export, on: list.kind)
        let first = try await list.page(query, cursor: nil, limit: 1, for: principal)
        let all = try await ListTable(services: services).columns(list.kind, builtIn: try await list.columns(for: first.records, principal: principal, locale: locale), records: first.records, locale: locale)
        let keys = ListTable.chosen(query, among: all, defaults: list.defaultColumns)
        let plan = Plan(keys: keys, labels: keys.compactMap { key in all.first { $0.key == key }?.label })
        let filters = ListTable.savedQuery(query)
        try await services.database.db.transaction { tx in
            try await services.audit.record(on: tx, actor: principal, action: .export, kind: list.kind, id: "export", label: list.kind.rawValue,
                                            changes: [FieldChange(field: "filters", old: nil, new: filters.isEmpty ? nil : filters),
                                                      FieldChange(field: "columns", old: nil, new: keys.joined(separator: ","))])
        }
        return plan
    }

    /// Streams the header and every row to `out`, a chunk per page; returns the row count.
    ///
    /// Pages overlap, so the database is never idle while text is made: the next page is
    /// read as soon as this one is, and each page becomes text — its look-ups (phones,
    /// customer and owner names) and its CSV lines — in a task of its own while later
    /// pages are read and looked up. Up to `pagesInFlight` pages are held at once; the
    /// text goes out in page order.
    ///
    /// All of it runs on the computing loop, none on the database's: with SQLite, every
    /// query borrows the one connection on the database's loop, and a page being turned
    /// into records there held up the hand-over to the next query (a million contacts:
    /// 25 s with pages read on the database's loop, 17 s without).
    package func write<L: RecordList>(_ list: L, plan: Plan, query: Parameters, by principal: Principal, locale: String, byteOrderMark: Bool,
                              to out: (String) async throws -> Void) async throws -> Int {
        try await withTaskExecutorPreference(services.database.computingExecutor) {
            try await out(header(list, plan: plan, locale: locale, byteOrderMark: byteOrderMark))
            var reading: Task<Page<L.Record>, any Error>? = read(list, query: query, after: nil, by: principal)
            var texts: [Task<(String, Int), any Error>] = []
            defer { reading?.cancel(); texts.forEach { $0.cancel() } }
            var count = 0
            while reading != nil || !texts.isEmpty {
                if let next = reading, texts.count < Self.pagesInFlight {
                    let page = try await next.value
                    reading = page.next.map { read(list, query: query, after: $0, by: principal) }
                    texts.append(Task(executorPreference: services.database.computingExecutor) {
                        try await self.text(list, plan: plan, records: page.records, by: principal, locale: locale)
                    })
                    continue
                }
                let (text, rows) = try await texts.removeFirst().value
                if !text.isEmpty { try await out(text) }
                count += rows
            }
            return count
        }
    }

    /// Pages read and not yet written out.
    package static let pagesInFlight = 3

    /// A page of records handed from the task that read it to the one that writes it out.
    private struct Page<Record>: @unchecked Sendable { package let records: [Record]; package let next: String? }

    private func read<L: RecordList>(_ list: L, query: Parameters, after cursor: String?, by principal: Principal) -> Task<Page<L.Record>, any Error> {
        Task(executorPreference: services.database.computingExecutor) {
            let page = try await list.page(query, cursor: cursor, limit: L.exportPageSize, for: principal)
            return Page(records: page.records, next: page.next)
        }
    }

    package func header<L: RecordList>(_ list: L, plan: Plan, locale: String, byteOrderMark: Bool) -> String {
        (byteOrderMark ? CSVText.byteOrderMark : "") + CSVText.line([titleLabel(list, locale)] + plan.labels)
    }

    /// One page of rows as CSV, and the cursor of the next page (nil after the last).
    package func chunk<L: RecordList>(_ list: L, plan: Plan, query: Parameters, after cursor: String?, by principal: Principal,
                              locale: String) async throws -> (text: String, rows: Int, next: String?) {
        let page = try await list.page(query, cursor: cursor, limit: L.exportPageSize, for: principal)
        let (text, rows) = try await text(list, plan: plan, records: page.records, by: principal, locale: locale)
        return (text, rows, page.next)
    }

    /// The CSV lines of a page's records that the export scope reaches, and how many.
    private func text<L: RecordList>(_ list: L, plan: Plan, records page: [L.Record], by principal: Principal, locale: String) async throws -> (String, Int) {
        let exportable = try await services.permissions.ownerFilter(principal, .export, on: list.kind)
        let records = page.filter { exportable.allows($0.recordOwnerID) }
        let all = try await ListTable(services: services).columns(list.kind, builtIn: try await list.columns(for: records, principal: principal, locale: locale), records: records, locale: locale)
        let columns = plan.keys.compactMap { key in all.first { $0.key == key } }
        var text = ""
        for record in records { CSVText.append([list.title(record)] + columns.map { $0.value(record) }, to: &text) }
        return (text, records.count)
    }

    package func titleLabel<L: RecordList>(_ list: L, _ locale: String) -> String {
        services.localizer.text(list.titleLabelKey, locale)
    }
}
