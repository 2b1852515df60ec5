import FluentKit

/// Group commit: writes that arrive while a transaction is running wait for it and are
/// then committed together in the next one.
///
/// With SQLite every transaction holds the one connection, and its fixed cost — BEGIN,
/// COMMIT and the thread switches around each — was most of what a busy API client's
/// single inserts paid; sharing it between the writes that queued meanwhile lets more
/// records through a second. A lone write still starts at once.
///
/// Each write keeps its own all-or-nothing promise: if a shared transaction fails, each
/// of its writes runs again alone in a transaction of its own and fails or succeeds on
/// its own account. Writes must therefore touch nothing but the database handle they
/// are given (anything else happens before or after).
package actor GroupCommit {
    package typealias Write = @Sendable (any Database) async throws -> Void

    private let database: DatabaseService
    private var pending: [(write: Write, done: CheckedContinuation<Void, any Error>)] = []
    private var draining = false
    /// How many writes share one transaction at most.
    private let largestGroup = 64

    package init(database: DatabaseService) { self.database = database }

    package func run(_ write: @escaping Write) async throws {
        try await withCheckedThrowingContinuation { (done: CheckedContinuation<Void, any Error>) in
            pending.append((write, done))
            if !draining {
                draining = true
                Task { await drain() }
            }
        }
    }

    private func drain() async {
        while !pending.isEmpty {
            let group = Array(pending.prefix(largestGroup))
            pending.removeFirst(group.count)
            await commit(group)
        }
        draining = false
    }

    private func commit(_ group: [(write: Write, done: CheckedContinuation<Void, any Error>)]) async {
        let writes = group.map(\.write)
        do {
            try await database.db.transaction { tx in for write in writes { try await write(tx) } }
            for member in group { member.done.resume() }
        } catch {
            guard group.count > 1 else { return group[0].done.resume(throwing: error) }
            for member in group {
                do {
                    try await database.db.transaction { tx in try await member.write(tx) }
                    member.done.resume()
                } catch {
                    member.done.resume(throwing: error)
                }
            }
        }
    }
}
