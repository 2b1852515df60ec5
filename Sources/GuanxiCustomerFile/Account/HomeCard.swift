import Foundation
import GuanxiPlatform

/// A part of the home page that an area offers — the day's work, the pipeline, customers
/// at risk, the system's health — drawn for a reader when it has something for them
/// (nil: not for this reader). Cards show in the order they were registered.
package struct HomeCard: Sendable {
    /// Names the card (tests, a future "hide this card" setting).
    package let key: String
    package let render: @Sendable (_ context: SignedInContext) async throws -> String?

    package init(key: String, render: @escaping @Sendable (_ context: SignedInContext) async throws -> String?) { (self.key, self.render) = (key, render) }
}

extension RecordKinds {
    /// The home page's cards from the areas, in the order they were registered.
    package var homeCards: [HomeCard] { homeCardList.withLock { $0 } }
    package func register(homeCard: HomeCard) { homeCardList.withLock { $0.append(homeCard) } }
}
