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
package final class EventLoopExecutor: TaskExecutor, @unchecked Sendable {
    private let loop: any EventLoop

    package init(_ loop: any EventLoop) { self.loop = loop }

    /// Two executors on different loops (when the group has two): one for the database's
    /// work — on SQLite's own loop when there is one — and one for computing beside it.
    package static func pair(database: (any EventLoop)?) -> (writing: EventLoopExecutor, computing: EventLoopExecutor) {
        let loops = Array(MultiThreadedEventLoopGroup.singleton.makeIterator())
        let writing = database ?? loops[loops.count - 1]
        return (EventLoopExecutor(writing), EventLoopExecutor(loops.first { $0 !== writing } ?? writing))
    }

    package func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        loop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
