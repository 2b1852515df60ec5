import Foundation
import GuanxiCustomerFile
import GuanxiPlatform

/// An import file decoded once: CSV as UTF-8 bytes (read row by row later, so the file
/// is held once, not as text and rows besides), a vCard file's cards, or a job's stored
/// UTF-8 CSV file, read a piece at a time so a large import never holds its whole file.
package struct ImportFile: Sendable {
    package enum Content: Sendable { case csv([UInt8]), cards([CSVReader.Row], header: [String]), stored(UUID, ImportJobStore) }
    package let content: Content

    package init(_ data: Data) throws { try self.init(bytes: [UInt8](data)) }

    package init(bytes: [UInt8]) throws {
        if VCard.looksLikeVCard(Data(bytes.prefix(64))) {
            let (text, _) = try TextDecoding.decode(Data(bytes))
            let cards = ContactVCard.rows(try VCard.cards(text), locale: "zh-Hans")
            guard !cards.rows.isEmpty else { throw GuanxiError.invalid("file", "The file is empty.").localized("msg.empty_file", [:]) }
            content = .cards(cards.rows, header: cards.header)
        } else {
            content = .csv(try TextDecoding.utf8Bytes(bytes).bytes)
        }
    }

    private init(content: Content) { self.content = content }

    /// The file's header: its first row (for a vCard file, the fields its cards fill).
    package func header() async throws -> [String] {
        var rows: ImportRows
        switch content {
        case .cards(_, let header): return header
        case .csv(let bytes): rows = ImportRows(csv: CSVReader.Rows(bytes: bytes[...], separator: CSVReader(detectingIn: bytes.prefix(65_536)).separator))
        case .stored(let job, let store): rows = ImportRows(stored: try await StoredRows(job: job, store: store))
        }
        return try await rows.next()?.fields ?? []
    }

    /// A job's file as kept in the database. A UTF-8 CSV file is read from there a piece at
    /// a time; a vCard or GB18030 file is read whole (converting GB18030 needs all of it).
    package static func stored(_ job: UUID, in store: ImportJobStore) async throws -> ImportFile {
        guard let first = try await store.piece(of: job, at: 0) else { throw GuanxiError.invalid("file", "The file is empty.").localized("msg.empty_file", [:]) }
        if !VCard.looksLikeVCard(Data(first.prefix(64))), try await store.isUTF8(job) { return ImportFile(content: .stored(job, store)) }
        return try ImportFile(bytes: try await store.content(job))
    }
}

/// The rows of an import file: CSV read as it goes, or the cards of a vCard file.
package struct ImportRows: Sendable {
    private var csv: CSVReader.Rows?
    private var cards: IndexingIterator<[CSVReader.Row]>?
    private var stored: StoredRows?
    package init(csv: CSVReader.Rows) { self.csv = csv }
    package init(cards: [CSVReader.Row]) { self.cards = cards.makeIterator() }
    package init(stored: StoredRows) { self.stored = stored }

    package mutating func next() async throws -> CSVReader.Row? {
        if csv != nil { return try csv!.next() }
        // Taken out while it reads, and put back: reading it in place across the `await`
        // made Swift copy the whole reader (its store, its window) for every row, which
        // was most of the time counting a million rows took.
        if var rows = stored.take() {
            defer { stored = rows }
            return try await rows.next()
        }
        return cards?.next()
    }
}

/// The rows of a job's stored CSV file: a window of the file, refilled with the next
/// piece whenever a row runs past its end.
package struct StoredRows: Sendable {
    package let job: UUID
    package let store: ImportJobStore
    private var rows: CSVReader.Rows
    private var nextPiece = 1

    /// Opens the file on its first piece (without a byte order mark).
    package init(job: UUID, store: ImportJobStore) async throws {
        var first = try await store.piece(of: job, at: 0) ?? []
        if first.starts(with: [0xEF, 0xBB, 0xBF]) { first.removeFirst(3) }
        (self.job, self.store) = (job, store)
        let separator = CSVReader(detectingIn: first.prefix(65_536)).separator
        // Whether more pieces follow is learnt when a row runs past this one.
        rows = CSVReader.Rows(bytes: first[...], separator: separator, isEnd: false)
    }

    package mutating func next() async throws -> CSVReader.Row? {
        while true {
            do {
                return try rows.next()
            } catch is CSVReader.NeedsMore {
                let piece = try await store.piece(of: job, at: nextPiece)
                nextPiece += 1
                rows = CSVReader.Rows(bytes: ArraySlice(rows.rest + (piece ?? [])), separator: rows.separator, line: rows.line, isEnd: piece == nil)
            }
        }
    }
}
