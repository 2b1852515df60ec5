import Foundation

/// The values a key column holds when a large import starts — by hash, with the records
/// holding them — so the import can set aside the index that column is looked up by
/// (keeping it up costs a page write per new row once it outgrows the cache: a million
/// contacts took 231 s with the e-mail index kept, against 78 s without) and still find
/// duplicates. A value whose hash is absent is new; the records of a present one are
/// confirmed through their own ids (`ImportTarget.findAll(_:_:among:on:)`), which a hash
/// shared by two values cannot fool. Records the run itself creates are found through
/// the run's own memory, as before.
package struct ImportKeySnapshot: Sendable {
    private let first: [Int: UUID]
    private let more: [Int: [UUID]]

    /// The records that may hold `normalised` (the key's stored form).
    package func candidates(_ normalised: String) -> [UUID] {
        let hash = normalised.hashValue
        guard let id = first[hash] else { return [] }
        return [id] + (more[hash] ?? [])
    }

    /// Collects (normalised value, record) pairs as a query streams them.
    package final class Builder: @unchecked Sendable {
        private let lock = NSLock()
        private var first: [Int: UUID] = [:]
        private var more: [Int: [UUID]] = [:]
        package init() {}

        package func add(_ normalised: String, _ id: UUID) {
            let hash = normalised.hashValue
            lock.withLock {
                if first[hash] == nil { first[hash] = id } else if first[hash] != id, more[hash, default: []].count < 3, more[hash]?.contains(id) != true {
                    more[hash, default: []].append(id)
                }
            }
        }

        package var snapshot: ImportKeySnapshot { lock.withLock { ImportKeySnapshot(first: first, more: more) } }
    }
}
