import Foundation
import GuanxiPlatform

/// What the data-quality checks need to know of a kind whose records people are reached
/// at: where its phones and e-mails are kept, how activities about it are found, and
/// whether it records an industry.
package struct QualitySubject: Sendable {
    package let kind: RecordKind
    package let table: String
    /// Phones and e-mails are rows of `contact_channels` (by `contact_id`) rather than
    /// the `email` and `phone_digits` columns of the record's own row.
    package var channels = false
    /// The column of `activities` that names the record (a customer's activities are
    /// all those of the customer, `customer_id`).
    package var activityColumn = "related_id"
    /// Has an `industry` column, which segmentation and reports need filled.
    package var hasIndustry = false

    package init(kind: RecordKind, table: String, channels: Bool = false, activityColumn: String = "related_id", hasIndustry: Bool = false) { (self.kind, self.table, self.channels, self.activityColumn, self.hasIndustry) = (kind, table, channels, activityColumn, hasIndustry) }
}
