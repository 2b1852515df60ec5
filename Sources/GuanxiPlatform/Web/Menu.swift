import Synchronization

/// An entry of the main menu: the page it opens, its text (a locale key) and who sees it.
/// Each area declares the entries of its pages; the app registers them in the order the
/// menu shows them (`Menu.register`). The platform draws them and knows none of them.
public struct MenuEntry: Sendable {
    public let path: String
    public let titleKey: String
    public let shows: @Sendable (Principal) -> Bool

    public init(_ path: String, titleKey: String, shows: @escaping @Sendable (Principal) -> Bool) {
        (self.path, self.titleKey, self.shows) = (path, titleKey, shows)
    }

    /// An entry shown to whoever may read records of any of `kinds`.
    public init(_ path: String, titleKey: String, readers kinds: RecordKind...) {
        self.init(path, titleKey: titleKey) { principal in kinds.contains { principal.scope(for: .read, on: $0) != nil } }
    }

    /// An entry shown to administrators only (settings, system status).
    public static func administrators(_ path: String, titleKey: String) -> MenuEntry {
        MenuEntry(path, titleKey: titleKey) { $0.isAdmin }
    }
}

/// The main menu's entries, registered at start-up, before the first page is drawn.
public final class Menu: Sendable {
    private let entries = Mutex<[MenuEntry]>([])

    public init() {}

    public func register(_ new: MenuEntry...) { register(new) }
    public func register(_ new: [MenuEntry]) { entries.withLock { $0 += new } }

    /// The entries `principal` sees, in the order they were registered.
    public func entries(for principal: Principal) -> [MenuEntry] { entries.withLock { $0 }.filter { $0.shows(principal) } }
}
