import Foundation
import Hummingbird
import GuanxiPlatform

/// A file format a kind of record exports to besides CSV — contacts as vCard, activities
/// as iCalendar — for the web download, the API and `guanxi export` alike.
package struct RecordFileFormat: Sendable {
    /// The file name's extension ("vcf", "ics").
    package let fileExtension: String
    /// Checks the export permission and the list's filters and records the export (before
    /// the first byte goes out), then hands back the file as pages.
    package let open: @Sendable (_ query: Parameters, _ actor: Principal, _ locale: String) async throws -> Pages

    /// A file read a page at a time: `head`, each page's text, then `tail`.
    package struct Pages: Sendable {
        package var head = ""
        /// One page after the cursor: its text, how many records it holds and the next
        /// cursor (nil after the last page).
        package let page: @Sendable (_ after: String?) async throws -> (text: String, rows: Int, next: String?)
        package var tail = ""

        /// Writes every page to `out`; returns how many records they held.
        package func write(to out: (String) async throws -> Void) async throws -> Int {
            if !head.isEmpty { try await out(head) }
            var cursor: String?, count = 0
            repeat {
                let chunk = try await page(cursor)
                if !chunk.text.isEmpty { try await out(chunk.text) }
                (count, cursor) = (count + chunk.rows, chunk.next)
            } while cursor != nil
            if !tail.isEmpty { try await out(tail) }
            return count
        }

        /// The pages as a download that fetches each only when the client reads on.
        package var text: PagedText {
            let page = self.page
            return PagedText(head: head, page: { after in
                let chunk = try await page(after)
                return (chunk.text, chunk.next)
            }, tail: tail)
        }
    }
}
