import Foundation
import GuanxiPlatform

/// How an import treats its rows, chosen before it starts and kept with the job.
public struct ImportSettings: Codable, Sendable, Equatable {
    public enum Mode: String, Codable, Sendable, CaseIterable {
        /// Every row becomes a new record (rows that match an existing record by the key
        /// are handled by `duplicates`).
        case create
        /// Rows update the record the key finds; rows that find none are rejected.
        case update
        /// Rows update the record the key finds, or create one.
        case upsert
    }
    /// What a create-mode row that matches an existing record (or an earlier row of the
    /// file) by the key does.
    public enum Duplicates: String, Codable, Sendable, CaseIterable {
        /// Skipped and listed in the report.
        case skip
        /// Merged into the record it matches: its empty fields are filled from the row.
        case merge
        /// Created all the same.
        case create
    }

    public var mode: Mode = .create
    /// The field that finds existing records: `email`, `phone`, `external_id` (customers)
    /// or `cf.KEY` for a custom field. Needed for update and upsert; in create mode it
    /// finds duplicates.
    public var key: String?
    public var duplicates: Duplicates = .skip
    /// File header → field key ("" ignores the column). Headers not named here are
    /// recognised by their name.
    public var mapping: [String: String] = [:]
    /// A tag added to every customer the import touches (the trade fair, the campaign).
    public var tag: String?
    /// The source written on every record created.
    public var source: String?
    /// New leads are assigned by the lead assignment rules instead of to the importer.
    public var assignByRules = false
    /// A purchase whose customer reference matches nobody creates that customer.
    public var createMissingCustomers: Bool?

    public init() {}
}
