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

    /// An entry shown to whoever may create records of `kind` (the quick-create menu).
    public static func creators(_ path: String, titleKey: String, of kind: RecordKind) -> MenuEntry {
        MenuEntry(path, titleKey: titleKey) { $0.scope(for: .create, on: kind) != nil }
    }

    /// An entry shown to administrators only (settings, system status).
    public static func administrators(_ path: String, titleKey: String) -> MenuEntry {
        MenuEntry(path, titleKey: titleKey) { $0.isAdmin }
    }
}

/// A heading of the main menu (sales, service, analytics, administration …) under which
/// areas register their entries; declared by the app, named by a locale key.
public struct MenuGroup: Sendable, Equatable {
    public let key: String
    public let titleKey: String
    public init(_ key: String, titleKey: String) { (self.key, self.titleKey) = (key, titleKey) }
}

/// The main menu's entries, registered at start-up, before the first page is drawn: pages
/// under their groups, and the "new …" actions of the quick-create menu.
public final class Menu: Sendable {
    private let entries = Mutex<[(group: MenuGroup, entry: MenuEntry)]>([])
    private let creates = Mutex<[MenuEntry]>([])

    public init() {}

    public func register(_ new: MenuEntry..., in group: MenuGroup) { register(new, in: group) }
    public func register(_ new: [MenuEntry], in group: MenuGroup) { entries.withLock { $0 += new.map { (group, $0) } } }

    /// Entries of the quick-create menu: a page that makes a new record, and who may.
    public func registerCreate(_ new: MenuEntry...) { creates.withLock { $0 += new } }

    /// The entries `principal` sees, in the order they were registered.
    public func entries(for principal: Principal) -> [MenuEntry] { entries.withLock { $0 }.map(\.entry).filter { $0.shows(principal) } }

    /// The groups `principal` sees something in, in the order each was first registered,
    /// with their entries.
    public func groups(for principal: Principal) -> [(group: MenuGroup, entries: [MenuEntry])] {
        var out: [(group: MenuGroup, entries: [MenuEntry])] = []
        for (group, entry) in entries.withLock({ $0 }) where entry.shows(principal) {
            if let index = out.firstIndex(where: { $0.group == group }) { out[index].entries.append(entry) } else { out.append((group, [entry])) }
        }
        return out
    }

    /// The quick-create entries `principal` may use.
    public func creates(for principal: Principal) -> [MenuEntry] { creates.withLock { $0 }.filter { $0.shows(principal) } }
}
