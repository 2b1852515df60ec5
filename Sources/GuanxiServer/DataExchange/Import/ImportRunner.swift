import FluentKit
import Foundation

/// An import file decoded once: CSV as UTF-8 bytes (read row by row later, so the file
/// is held once, not as text and rows besides), or a vCard file's cards.
struct ImportFile: Sendable {
    enum Content: Sendable { case csv([UInt8]), cards([CSVReader.Row], header: [String]) }
    let content: Content

    init(_ data: Data) throws { try self.init(bytes: [UInt8](data)) }

    init(bytes: [UInt8]) throws {
        if VCard.looksLikeVCard(Data(bytes.prefix(64))) {
            let (text, _) = try TextDecoding.decode(Data(bytes))
            let cards = ContactVCard.rows(try VCard.cards(text), locale: "zh-Hans")
            guard !cards.rows.isEmpty else { throw GuanxiError.invalid("file", "The file is empty.").localized("msg.empty_file", [:]) }
            content = .cards(cards.rows, header: cards.header)
        } else {
            content = .csv(try TextDecoding.utf8Bytes(bytes).bytes)
        }
    }
}

/// The rows of an import file: CSV read as it goes, or the cards of a vCard file.
struct ImportRows {
    private var csv: CSVReader.Rows?
    private var cards: IndexingIterator<[CSVReader.Row]>?
    init(csv: CSVReader.Rows) { self.csv = csv }
    init(cards: [CSVReader.Row]) { self.cards = cards.makeIterator() }

    mutating func next() throws -> CSVReader.Row? {
        if csv != nil { return try csv!.next() }
        return cards?.next()
    }
}

/// What a row of an import does.
enum ImportAction { case create, update(UUID, merge: Bool) }

/// Runs an import over its file, row by row, from the job's `nextLine` on.
///
/// Each row is checked as if typed into the kind's form (the service's own validation and
/// permission check); a row with a problem is rejected with its line, column and reason
/// and never stops the others. New records are saved in batches of
/// `GUANXI_IMPORT_BATCH_ROWS` (2,000), each batch in one transaction with the job's
/// progress and the rows rejected meanwhile, so after a crash every row is either fully in
/// or not in, and the job resumes where its last transaction ended. An update saves its
/// record, the fields as they were (for revert) and the progress in one transaction too.
/// A dry run checks everything — updates run and are rolled back — and writes nothing.
struct ImportRunner<Target: ImportTarget>: Sendable {
    let services: AppServices
    let target: Target
    var store: ImportJobStore { ImportJobStore(services: services) }
    var batchSize: Int { services.config.importBatchRows }

    /// Thrown inside a dry run's update transaction to roll it back once it has passed.
    struct DryRunRollback: Error {}

    private struct Pending: Sendable { let prepared: Target.Prepared; let id: UUID; let line: Int; let fields: [String] }

    /// The file's rows after the header, and the header's mapping. Errors concern the
    /// file as a whole: its encoding, quoting, header and the key. A vCard file (contacts
    /// only) reads as one row per card.
    func open(_ file: ImportFile, settings: ImportSettings) async throws -> (rows: ImportRows, header: [String], mapping: ImportMapping) {
        var rows: ImportRows
        let header: CSVReader.Row
        switch file.content {
        case .cards(let cards, let fields):
            guard target.kind == .contacts else {
                throw GuanxiError.invalid("file", "A vCard file holds contacts; import it as contacts.").localized("msg.vcard_contacts_only", [:])
            }
            (rows, header) = (ImportRows(cards: cards), CSVReader.Row(line: 0, fields: fields))
        case .csv(let bytes):
            let reader = CSVReader(detectingIn: bytes.prefix(65_536))
            var csv = CSVReader.Rows(bytes: bytes[...], separator: reader.separator)
            guard let first = try csv.next() else {
                throw GuanxiError.invalid("file", "The file is empty.").localized("msg.empty_file", [:])
            }
            (rows, header) = (ImportRows(csv: csv), first)
        }
        let custom = try await services.customValues.fields(of: target.kind)
        // Only a file that creates every row must fill every required field; an update or
        // upsert file may carry just the key and what changes.
        let mapping = try ImportMapping.make(header: header.fields, fields: target.fields, custom: custom, explicit: settings.mapping,
                                             requireAll: settings.mode == .create)
        if let key = settings.key {
            let known = target.keys + custom.map { "cf.\($0.key)" }
            guard known.contains(key) else {
                throw GuanxiError.invalid("key", "\(key) cannot find records of this kind; use one of: \(known.joined(separator: ", ")).")
                    .localized("msg.import_key_unknown", ["field": key, "choices": known.joined(separator: ", ")])
            }
            guard mapping.columns.values.contains(target.field(forKey: key)) else {
                throw GuanxiError.invalid("key", "No column of the file fills \(key), the key.").localized("msg.import_key_not_mapped", ["field": key])
            }
        } else if settings.mode != .create {
            throw GuanxiError.invalid("key", "Updating needs a key: the field that finds each row's record.").localized("msg.import_key_needed", [:])
        }
        return (rows, header.fields, mapping)
    }

    /// Runs (or resumes) `job`. Returns the problems met; for a real run they are also
    /// stored with the job. `progress` hears after every saved batch.
    func run(_ job: inout ImportJob, file: ImportFile, dryRun: Bool, by actor: Principal,
             progress: @Sendable (ImportJob) async throws -> Void = { _ in }) async throws -> [ImportProblem] {
        var (rows, header, mapping) = try await open(file, settings: job.settings)
        let settings = job.settings
        let keyField = settings.key.map(target.field(forKey:))
        let keyHeader = keyField.flatMap { k in mapping.columns.first { $0.value == k }.map { header[$0.key] } } ?? ""
        var seen: [String: (line: Int, id: UUID?)] = [:]
        var pending: [Pending] = []
        var pendingRejects: [ImportProblem] = []
        var problems: [ImportProblem] = []
        var sinceCheck = 0

        func problem(_ row: CSVReader.Row, _ column: String, _ reason: String) -> ImportProblem {
            ImportProblem(line: row.line, column: column, reason: reason, fields: row.fields)
        }
        func reject(_ p: ImportProblem, skipped: Bool = false) {
            if skipped { job.skipped += 1 } else { job.rejected += 1 }
            pendingRejects.append(p)
            problems.append(p)
        }
        func says(_ key: String, _ english: String, _ arguments: [String: String]) -> String {
            services.localizer.known(key, actor.locale) != nil ? services.localizer.text(key, actor.locale, arguments) : english
        }
        func flush() async throws {
            defer { (pending, pendingRejects) = ([], []) }
            guard !dryRun, !(pending.isEmpty && pendingRejects.isEmpty) else { return }
            let (batch, rejects, snapshot) = (pending, pendingRejects, job)
            do {
                try await services.database.db.transaction { tx in
                    try await target.insertAll(batch.map(\.prepared), by: actor, on: tx)
                    try await ImportJobStore.recordCreated(job: snapshot.id, batch.flatMap { p in
                        target.alsoCreated(p.prepared).map { ($0.kind, $0.id, p.line) } + [(target.kind, p.id, p.line)]
                    }, on: tx)
                    try await store.saveProgress(snapshot, rejects: rejects, on: tx)
                }
            } catch where !batch.isEmpty && !(error is CancellationError) {
                // One record broke a rule the checks could not see (another user took the
                // same external id meanwhile): save the others one by one.
                var rejects = rejects
                for p in batch {
                    do {
                        try await services.database.db.transaction { tx in try await save(p, job: snapshot.id, by: actor, on: tx) }
                    } catch {
                        (job.created, job.rejected) = (job.created - 1, job.rejected + 1)
                        let failed = ImportProblem(line: p.line, column: "", reason: "\(error)", fields: p.fields)
                        rejects.append(failed)
                        problems.append(failed)
                    }
                }
                let (fixed, allRejects) = (job, rejects)
                try await services.database.db.transaction { tx in try await store.saveProgress(fixed, rejects: allRejects, on: tx) }
            }
        }

        while let row = try rows.next() {
            guard row.line >= job.nextLine else { continue }
            defer { job.nextLine = row.line + 1 }
            guard row.fields.count == header.count else {
                reject(problem(row, "", says("msg.import_ragged", "The row has \(row.fields.count) fields where the header has \(header.count).",
                                             ["count": String(row.fields.count), "expected": String(header.count)])))
                continue
            }
            var values = mapping.values(row.fields)
            let keyValue = keyField.flatMap { values[$0] }.flatMap { ImportValues.list($0).first }.map(Self.unlabelled)
            var matches: [UUID] = []
            var earlierLine: Int?
            if let key = settings.key, let keyValue {
                let normal = target.normalised(key, keyValue)
                if let earlier = seen[normal] { earlierLine = earlier.line; matches = earlier.id.map { [$0] } ?? [] }
                if matches.isEmpty { matches = try await target.existing(key, keyValue, services: services) }
            } else if settings.mode != .create {
                reject(problem(row, keyHeader, says("msg.import_key_blank", "\(keyHeader) is empty; the import finds records by it.", ["field": keyHeader])))
                continue
            }
            var action = ImportAction.create
            switch (settings.mode, matches.count) {
            case (_, 2...):
                reject(problem(row, keyHeader, says("msg.import_ambiguous", "\(matches.count) records have \(keyHeader) \(keyValue ?? ""); the import cannot tell which to update.",
                                                    ["count": String(matches.count), "field": keyHeader, "value": keyValue ?? ""])))
                continue
            case (.create, 1):
                switch settings.duplicates {
                case .create: action = .create
                case .merge: action = .update(matches[0], merge: true)
                case .skip:
                    let reason = earlierLine.map { says("msg.import_duplicate_row", "Same \(keyHeader) as line \($0); skipped.", ["field": keyHeader, "line": String($0)]) }
                        ?? says("msg.import_duplicate_record", "A record with \(keyHeader) \(keyValue ?? "") exists already; skipped.", ["field": keyHeader, "value": keyValue ?? ""])
                    reject(problem(row, keyHeader, reason), skipped: true)
                    continue
                }
            case (.update, 0):
                reject(problem(row, keyHeader, says("msg.import_no_match", "No record has \(keyHeader) \(keyValue ?? "").", ["field": keyHeader, "value": keyValue ?? ""])))
                continue
            case (.update, _), (.upsert, 1): action = .update(matches[0], merge: false)
            default: action = .create
            }
            let rowContext = ImportRow(jobID: dryRun ? nil : job.id, line: row.line)
            do {
                switch action {
                case .create:
                    let input = try await target.input(values, settings: settings, isNew: true, row: rowContext, by: actor)
                    let (prepared, id) = try await target.prepare(input, by: actor)
                    pending.append(Pending(prepared: prepared, id: id, line: row.line, fields: row.fields))
                    job.created += 1
                    if let key = settings.key, let keyValue { seen[target.normalised(key, keyValue)] = (row.line, id) }
                case .update(let id, let merge):
                    try await flush()
                    let touched = Array(values.keys) + (settings.tag != nil && target.fields.contains { $0.key == "tags" } && values["tags"] == nil ? ["tags"] : [])
                    let before = try await target.values(of: id, fields: touched, by: actor)
                    if merge { values = values.filter { field, _ in (before[field] ?? "").isEmpty || target.fields.first { $0.key == field }?.multiple == true } }
                    let input = try await target.input(values, settings: settings, isNew: false, row: rowContext, by: actor)
                    var after = job
                    (after.updated, after.nextLine) = (after.updated + 1, row.line + 1)
                    let (snapshot, store) = (after, store)
                    do {
                        try await target.update(id, input, restoring: false, by: actor) { tx in
                            if dryRun { throw DryRunRollback() }
                            try await ImportJobStore.recordUpdated(job: snapshot.id, kind: target.kind, id: id, line: row.line, before: before, on: tx)
                            try await store.saveProgress(snapshot, rejects: [], on: tx)
                        }
                    } catch is DryRunRollback {}
                    job.updated += 1
                    if let key = settings.key, let keyValue { seen[target.normalised(key, keyValue)] = (row.line, id) }
                }
            } catch let error as GuanxiError where error.kind != .internal {
                reject(problem(row, column(of: error, mapping: mapping, header: header), services.localizer.message(for: error, actor.locale)))
            }
            sinceCheck += 1
            if pending.count >= batchSize || sinceCheck >= batchSize {
                job.nextLine = row.line + 1
                try await flush()
                sinceCheck = 0
                try await progress(job)
                if !dryRun, try await store.cancelRequested(job.id) {
                    job.status = .cancelled
                    try await services.database.db.transaction { [job] tx in try await store.saveProgress(job, rejects: [], on: tx) }
                    return problems
                }
            }
        }
        try await flush()
        job.status = .done
        if !dryRun {
            let finished = job
            try await services.database.db.transaction { tx in
                try await store.saveProgress(finished, rejects: [], on: tx)
                try await services.audit.record(on: tx, actor: actor, action: .import, kind: target.kind, id: finished.id.uuidString, label: finished.fileName, changes: [
                    FieldChange(field: "created", old: nil, new: String(finished.created)), FieldChange(field: "updated", old: nil, new: String(finished.updated)),
                    FieldChange(field: "skipped", old: nil, new: String(finished.skipped)), FieldChange(field: "rejected", old: nil, new: String(finished.rejected)),
                ])
            }
        }
        try await progress(job)
        return problems
    }

    /// Saves a new record, and notes it (with what was created along with it) for revert.
    private func save(_ p: Pending, job: UUID, by actor: Principal, on tx: any Database) async throws {
        try await target.insert(p.prepared, by: actor, on: tx)
        for also in target.alsoCreated(p.prepared) { try await ImportJobStore.recordCreated(job: job, kind: also.kind, id: also.id, line: p.line, on: tx) }
        try await ImportJobStore.recordCreated(job: job, kind: target.kind, id: p.id, line: p.line, on: tx)
    }

    /// "手机: 138 0013 8000" → "138 0013 8000": a key compares values, not their labels.
    static func unlabelled(_ entry: String) -> String {
        guard let colon = entry.firstIndex(where: { $0 == ":" || $0 == "：" }), !entry[..<colon].contains("@"), entry[..<colon].allSatisfy({ !$0.isNumber }) else { return entry }
        return entry[entry.index(after: colon)...].trimmingCharacters(in: .whitespaces)
    }

    /// The file's header for the field an error names ("emails[0]" → the e-mail column).
    func column(of error: GuanxiError, mapping: ImportMapping, header: [String]) -> String {
        guard var field = error.field else { return "" }
        if let bracket = field.firstIndex(of: "[") { field = String(field[..<bracket]) }
        if field.hasPrefix("customFields.") { field = "cf." + field.dropFirst("customFields.".count) }
        let aliases = ["customerId": "customer", "ownerId": "owner", "externalId": "external_id", "lifecycleStage": "lifecycle_stage", "reportsToId": "reports_to",
                       "stageId": "stage", "pipelineId": "pipeline", "expectedClose": "expected_close", "lossReason": "loss_reason", "startsAt": "starts_at",
                       "endsAt": "ends_at", "dueAt": "due_at", "relatedId": "customer"]
        field = aliases[field] ?? field
        return mapping.columns.first { $0.value == field }.map { header[$0.key] } ?? field
    }
}
