import Foundation
import GuanxiAnalytics
import SQLKit
import GuanxiCustomerFile
import GuanxiPlatform

/// What the analytics run wrote for one customer (the `customer_scores` row).
public struct CustomerScore: Sendable, Equatable {
    public var customerID: UUID
    public var asOf: String
    public var recencyDays: Int?
    public var frequency: Int
    public var monetary: Money
    public var rfm: (r: Int, f: Int, m: Int)?
    public var segment: String?
    public var valueTier: String?
    public var bankGrade: String
    public var lifecycleStage: String
    public var probabilityActive: Double?
    /// Purchases expected in the next 365 days.
    public var expectedPurchases: Double?
    public var lifetimeValue: Money?
    public var nextOccasion: String?

    public static func == (a: CustomerScore, b: CustomerScore) -> Bool {
        a.customerID == b.customerID && a.asOf == b.asOf && a.recencyDays == b.recencyDays && a.frequency == b.frequency
            && a.monetary == b.monetary && a.rfm?.r == b.rfm?.r && a.rfm?.f == b.rfm?.f && a.rfm?.m == b.rfm?.m
            && a.segment == b.segment && a.valueTier == b.valueTier && a.bankGrade == b.bankGrade && a.lifecycleStage == b.lifecycleStage
            && a.probabilityActive == b.probabilityActive && a.expectedPurchases == b.expectedPurchases
            && a.lifetimeValue == b.lifetimeValue && a.nextOccasion == b.nextOccasion
    }

    package static let columns = ["customer_id", "as_of", "recency_days", "frequency", "monetary", "rfm_r", "rfm_f", "rfm_m", "rfm_segment",
                          "value_tier", "bank_grade", "lifecycle_stage", "probability_active", "expected_purchases", "clv", "next_occasion"]

    /// The values of `columns`, for writing a run's scores in bulk.
    package var row: [BulkValue] {
        [BulkValue(customerID), BulkValue(asOf), BulkValue(recencyDays), BulkValue(frequency), BulkValue(any: monetary.minorUnits),
         BulkValue(rfm?.r), BulkValue(rfm?.f), BulkValue(rfm?.m), BulkValue(segment), BulkValue(valueTier), BulkValue(bankGrade),
         BulkValue(lifecycleStage), probabilityActive.map { BulkValue(any: $0) } ?? .null, expectedPurchases.map { BulkValue(any: $0) } ?? .null,
         lifetimeValue.map { BulkValue(any: $0.minorUnits) } ?? .null, BulkValue(nextOccasion)]
    }

    package init(customerID: UUID, asOf: String, recencyDays: Int?, frequency: Int, monetary: Money, rfm: (r: Int, f: Int, m: Int)?, segment: String?,
         valueTier: String?, bankGrade: String, lifecycleStage: String, probabilityActive: Double?, expectedPurchases: Double?,
         lifetimeValue: Money?, nextOccasion: String?) {
        (self.customerID, self.asOf, self.recencyDays, self.frequency, self.monetary) = (customerID, asOf, recencyDays, frequency, monetary)
        (self.rfm, self.segment, self.valueTier, self.bankGrade, self.lifecycleStage) = (rfm, segment, valueTier, bankGrade, lifecycleStage)
        (self.probabilityActive, self.expectedPurchases, self.lifetimeValue, self.nextOccasion) = (probabilityActive, expectedPurchases, lifetimeValue, nextOccasion)
    }

    package init(row: any SQLRow) throws {
        customerID = try row.decode(column: "customer_id", as: UUID.self)
        asOf = try row.decode(column: "as_of", as: String.self)
        recencyDays = try row.decode(column: "recency_days", as: Int?.self)
        frequency = try row.decode(column: "frequency", as: Int.self)
        monetary = Money(minorUnits: try row.decode(column: "monetary", as: Int64.self))
        if let r = try row.decode(column: "rfm_r", as: Int?.self), let f = try row.decode(column: "rfm_f", as: Int?.self),
           let m = try row.decode(column: "rfm_m", as: Int?.self) { rfm = (r, f, m) } else { rfm = nil }
        segment = try row.decode(column: "rfm_segment", as: String?.self)
        valueTier = try row.decode(column: "value_tier", as: String?.self)
        bankGrade = try row.decode(column: "bank_grade", as: String.self)
        lifecycleStage = try row.decode(column: "lifecycle_stage", as: String.self)
        probabilityActive = try row.decode(column: "probability_active", as: Double?.self)
        expectedPurchases = try row.decode(column: "expected_purchases", as: Double?.self)
        lifetimeValue = try row.decode(column: "clv", as: Int64?.self).map(Money.init(minorUnits:))
        nextOccasion = try row.decode(column: "next_occasion", as: String?.self)
    }
}
