import GuanxiAnalytics
import GuanxiPlatform

/// The RFM segments a customer can be in, as the analytics run stores them
/// (`customer_scores.rfm_segment`) and the API sends them. The customer list filters by
/// them; the analytics area writes and counts them.
package enum CustomerSegments {
    package static let all = RFMSegment.allCases.map(\.rawValue.snakeCased)
}
