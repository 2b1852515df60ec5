import Foundation
import Synchronization

/// Values every request needs but that change rarely: who an API token acts as, and
/// which custom fields a record kind has. Reading them from the database on each
/// request cost a busy integration two of its five statements per write.
///
/// Entries live `lifetime` seconds, so a change made by another server process (or
/// from the shell) takes effect within that time. In this process a change takes effect
/// at once: the audit log, which every change to users, roles, teams, departments, API
/// tokens and custom fields passes through, tells these caches to forget.
public final class DefinitionCaches: Sendable {
    public static let lifetime: TimeInterval = 2

    let tokens: ShortLivedCache<String, CachedToken>
    let customFields: ShortLivedCache<RecordKind, [CustomField]>

    public init(clock: any Clock) {
        tokens = ShortLivedCache(clock: clock, lifetime: Self.lifetime)
        customFields = ShortLivedCache(clock: clock, lifetime: Self.lifetime)
    }

    /// Called by the audit log for every audited change.
    func changed(_ kind: RecordKind) {
        switch kind {
        case .users, .roles, .teams, .departments: tokens.forgetAll()
        case .customFields: customFields.forgetAll()
        default: break
        }
    }
}

/// A token that authenticated recently: its user's principal and when the token expires.
struct CachedToken: Sendable {
    let principal: Principal
    let expiresAt: Date?
}

/// A small in-memory map whose entries expire after `lifetime` seconds of the app clock.
final class ShortLivedCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private let clock: any Clock
    private let lifetime: TimeInterval
    private let entries = Mutex<[Key: (value: Value, storedAt: Date)]>([:])

    init(clock: any Clock, lifetime: TimeInterval) {
        self.clock = clock
        self.lifetime = lifetime
    }

    func value(for key: Key) -> Value? {
        let now = clock.now()
        return entries.withLock { entries in
            guard let entry = entries[key] else { return nil }
            guard now.timeIntervalSince(entry.storedAt) < lifetime, now >= entry.storedAt else {
                entries[key] = nil
                return nil
            }
            return entry.value
        }
    }

    func store(_ value: Value, for key: Key) {
        let now = clock.now()
        entries.withLock { entries in
            if entries.count >= 10_000 { entries.removeAll() }
            entries[key] = (value, now)
        }
    }

    func forgetAll() { entries.withLock { $0.removeAll() } }
}
