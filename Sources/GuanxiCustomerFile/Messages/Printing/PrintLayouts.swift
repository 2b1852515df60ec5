import Foundation

/// What a print run prints, each sized for its paper by `print.css`.
package enum PrintLayout: String, CaseIterable, Sendable {
    /// A4 letters from a letter template, one recipient per page.
    case letters
    /// Address labels on A4 sheets: 3 × 7 of 63.5 × 38.1 mm (Avery L7160 and its copies).
    case labels21 = "labels-3x7"
    /// 2 × 7 of 99.1 × 38.1 mm (Avery L7163).
    case labels14 = "labels-2x7"
    /// 3 × 8 of 70 × 37 mm (Avery 3474, the common Chinese A4 label sheet).
    case labels24 = "labels-3x8"
    /// DL envelopes, 220 × 110 mm.
    case envelopeDL = "envelope-dl"
    /// C5 envelopes, 229 × 162 mm.
    case envelopeC5 = "envelope-c5"

    package var labelsPerSheet: Int? {
        switch self {
        case .labels21: 21
        case .labels14: 14
        case .labels24: 24
        default: nil
        }
    }

    package var isEnvelope: Bool { self == .envelopeDL || self == .envelopeC5 }
}
