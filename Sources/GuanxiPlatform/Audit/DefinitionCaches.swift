import Foundation
import Synchronization

/// Values every request needs but that change rarely — who an API token or a browser's
/// session acts as, which custom fields a record kind has, a list's saved views — are kept
/// in `ShortLivedCache`s. Reading them from the database on each request cost a busy
/// integration two of its five statements per write, and a list page seven of its eleven.
///
/// Entries live `lifetime` seconds, so a change made by another server process (or from
/// the shell) takes effect within that time. In this process a change takes effect at
/// once: every change passes through the audit log, which tells the caches registered
/// here for the kinds of record it concerns to forget.
public final class DefinitionCaches: Sendable {
    public static let lifetime: TimeInterval = 2

    private let listeners = Mutex<[(kinds: Set<RecordKind>, forget: @Sendable () -> Void)]>([])
    package let clock: any Clock

    public init(clock: any Clock) { self.clock = clock }

    /// A new cache, emptied whenever a record of one of `kinds` changes.
    package func cache<Key: Hashable & Sendable, Value: Sendable>(forgettingOn kinds: Set<RecordKind>) -> ShortLivedCache<Key, Value> {
        let cache = ShortLivedCache<Key, Value>(clock: clock, lifetime: Self.lifetime)
        listeners.withLock { $0.append((kinds, { cache.forgetAll() })) }
        return cache
    }

    /// Called by the audit log for every audited change.
    package func changed(_ kind: RecordKind) {
        for listener in listeners.withLock({ $0 }) where listener.kinds.contains(kind) { listener.forget() }
    }
}

/// A token that authenticated recently: its user's principal and when the token expires.
package struct CachedToken: Sendable {
    package let principal: Principal
    package let expiresAt: Date?
}

/// A small in-memory map whose entries expire after `lifetime` seconds of the app clock.
package final class ShortLivedCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private let clock: any Clock
    private let lifetime: TimeInterval
    private let entries = Mutex<[Key: (value: Value, storedAt: Date)]>([:])

    package init(clock: any Clock, lifetime: TimeInterval) {
        self.clock = clock
        self.lifetime = lifetime
    }

    package func value(for key: Key) -> Value? {
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

    package func store(_ value: Value, for key: Key) {
        let now = clock.now()
        entries.withLock { entries in
            if entries.count >= 10_000 { entries.removeAll() }
            entries[key] = (value, now)
        }
    }

    package func forgetAll() { entries.withLock { $0.removeAll() } }

    package func forget(_ key: Key) { _ = entries.withLock { $0.removeValue(forKey: key) } }
}
