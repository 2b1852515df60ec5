import GuanxiPlatform
/// A download as an async sequence of byte chunks — a head, one chunk per page, a tail —
/// that fetches a page only when the reader asks for the next chunk, so a slow client
/// never makes pages pile up in memory.
struct PagedText: AsyncSequence, Sendable {
    typealias Element = ArraySlice<UInt8>
    /// One page after the cursor: its text and the next cursor (nil after the last page).
    typealias Page = @Sendable (_ after: String?) async throws -> (text: String, next: String?)
    let head: String
    let page: Page
    var tail = ""

    struct AsyncIterator: AsyncIteratorProtocol {
        let text: PagedText
        var started = false, cursor: String?, finished = false, ended = false
        mutating func next() async throws -> ArraySlice<UInt8>? {
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
    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(text: self) }
}
