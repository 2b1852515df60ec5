import Foundation
import NIOCore
import SQLiteNIO

/// Ids as SQLite keeps them: their 16 bytes, not the 36 characters of their text.
///
/// An id is in a record's key, in every index that leads to the record (contacts by
/// customer, search keys, contact channels, an import's record list) and in every row that
/// names it, about a dozen times a contact; as text that was some 400 bytes of each
/// contact's 1.9 KB on disk. Every id SQLKit or Fluent hands SQLite goes through here, so
/// all of them are stored and compared the same way; migration 0047 turns the text ids an
/// older version stored into bytes.
///
/// An id still reads from its text, as other tools or older rows may hold it. PostgreSQL
/// has its own `uuid` type and is not concerned.
extension UUID: @retroactive SQLiteDataConvertible {
    public init?(sqliteData: SQLiteData) {
        switch sqliteData {
        case .blob(let bytes): guard let id = Self(bytes: bytes) else { return nil }; self = id
        case .text(let text): guard let id = Self(text: text) else { return nil }; self = id
        default: return nil
        }
    }

    public var sqliteData: SQLiteData? { .blob(ByteBuffer(bytes: bytes)) }

    /// The id's 16 bytes, in order (the order its text spells them).
    package var bytes: [UInt8] { withUnsafeBytes(of: uuid) { Array($0) } }

    /// An id from exactly 16 bytes; nil for any other length.
    package init?(bytes: ByteBuffer) {
        guard bytes.readableBytes == 16 else { return nil }
        var out: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        bytes.withUnsafeReadableBytes { source in
            withUnsafeMutableBytes(of: &out) { $0.copyMemory(from: source) }
        }
        self.init(uuid: out)
    }
}
