import NIOCore
import NIOPosix

/// Runs a task's work on one chosen event loop, so a long job that talks to the database
/// (an import) can keep its parts on separate cores.
///
/// Swift tasks run on the server's event loops (`Runtime.runTasksOnEventLoops`), and a
/// task resumes on whichever loop completed what it awaited — with SQLite, always the
/// database's loop. A task that computes for long stretches there holds up the
/// completions of every statement the database finishes meanwhile, so the database waits
/// for the computing instead of working beside it. A task that prefers one of these
/// executors comes back to its own loop.
final class EventLoopExecutor: TaskExecutor, @unchecked Sendable {
    private let loop: any EventLoop

    init(_ loop: any EventLoop) { self.loop = loop }

    /// The database's loop (SQLite's), or any for an engine without one.
    static func database(_ loop: (any EventLoop)?) -> EventLoopExecutor {
        EventLoopExecutor(loop ?? MultiThreadedEventLoopGroup.singleton.next())
    }

    /// A loop other than the database's, when the group has one.
    static func besideDatabase(_ busy: (any EventLoop)?) -> EventLoopExecutor {
        let loops = Array(MultiThreadedEventLoopGroup.singleton.makeIterator())
        return EventLoopExecutor(loops.first { $0 !== busy } ?? loops[0])
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        loop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
