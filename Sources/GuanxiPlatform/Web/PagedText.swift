import Foundation

/// A download as an async sequence of byte chunks — a head, one chunk per page, a tail —
/// that fetches a page only when the reader asks for the next chunk, so a slow client
/// never makes pages pile up in memory.
package struct PagedText: AsyncSequence, Sendable {
    package typealias Element = ArraySlice<UInt8>
    /// One page after the cursor: its text and the next cursor (nil after the last page).
    package typealias Page = @Sendable (_ after: String?) async throws -> (text: String, next: String?)
    package let head: String
    package let page: Page
    package var tail = ""

    package init(head: String, page: @escaping Page, tail: String = "") { (self.head, self.page, self.tail) = (head, page, tail) }

    package struct AsyncIterator: AsyncIteratorProtocol {
        let text: PagedText
        var started = false, cursor: String?, finished = false, ended = false
        package mutating func next() async throws -> ArraySlice<UInt8>? {
            if !started {
                started = true
                if !text.head.isEmpty { return ArraySlice(text.head.utf8) }
            }
            while !finished {
                let chunk = try await text.page(cursor)
                (cursor, finished) = (chunk.next, chunk.next == nil)
                if !chunk.text.isEmpty { return ArraySlice(chunk.text.utf8) }
            }
            guard !ended, !text.tail.isEmpty else { return nil }
            ended = true
            return ArraySlice(text.tail.utf8)
        }
    }
    package func makeAsyncIterator() -> AsyncIterator { AsyncIterator(text: self) }
}
