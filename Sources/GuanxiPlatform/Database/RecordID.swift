import Foundation

/// Ids for new records: UUID version 7 (RFC 9562) — 48 bits of Unix time in
/// milliseconds, then a 12-bit counter, then random bits.
///
/// Ids made one after another sort one after another, so every index keyed by a record
/// id (the primary key, search keys, contact channels, audit entries, an import's record
/// list) grows at its end instead of at a random page. With random (version 4) ids an
/// import of a million contacts spent most of its time reading and rewriting index pages
/// all over the file. The counter keeps ids made in the same millisecond in order.
package enum RecordID {
    private static let state = LastID()

    package static func new() -> UUID {
        let (millis, counter) = state.next(now: UInt64(Date().timeIntervalSince1970 * 1000))
        var random = SystemRandomNumberGenerator()
        let tail = random.next() as UInt64
        return UUID(uuid: (
            UInt8(truncatingIfNeeded: millis >> 40), UInt8(truncatingIfNeeded: millis >> 32), UInt8(truncatingIfNeeded: millis >> 24),
            UInt8(truncatingIfNeeded: millis >> 16), UInt8(truncatingIfNeeded: millis >> 8), UInt8(truncatingIfNeeded: millis),
            0x70 | UInt8(counter >> 8), UInt8(truncatingIfNeeded: counter),
            0x80 | UInt8(truncatingIfNeeded: tail >> 58), UInt8(truncatingIfNeeded: tail >> 48), UInt8(truncatingIfNeeded: tail >> 40),
            UInt8(truncatingIfNeeded: tail >> 32), UInt8(truncatingIfNeeded: tail >> 24), UInt8(truncatingIfNeeded: tail >> 16),
            UInt8(truncatingIfNeeded: tail >> 8), UInt8(truncatingIfNeeded: tail)))
    }

    /// The last millisecond used and its counter; a clock that steps back, or more than
    /// 4,096 ids in one millisecond, borrow the next millisecond so order holds.
    private final class LastID: @unchecked Sendable {
        private let lock = NSLock()
        private var millis: UInt64 = 0
        private var counter: UInt16 = 0

        package func next(now: UInt64) -> (UInt64, UInt16) {
            lock.withLock {
                if now > millis {
                    (millis, counter) = (now, UInt16.random(in: 0..<1024))
                } else if counter < 0x0FFF {
                    counter += 1
                } else {
                    (millis, counter) = (millis + 1, 0)
                }
                return (millis, counter)
            }
        }
    }
}

extension UUID {
    /// `uuidString`'s text (upper-case, with hyphens), written out directly: Foundation
    /// formats it a byte at a time through `snprintf`, which an import of a million
    /// contacts — eight ids a row, written as this text to PostgreSQL's `COPY` — felt for
    /// seconds.
    public var text: String {
        withUnsafeBytes(of: uuid) { bytes in
            String(unsafeUninitializedCapacity: 36) { out in
                let digits: StaticString = "0123456789ABCDEF"
                var at = 0
                for (index, byte) in bytes.enumerated() {
                    if index == 4 || index == 6 || index == 8 || index == 10 { out[at] = UInt8(ascii: "-"); at += 1 }
                    out[at] = digits.utf8Start[Int(byte >> 4)]
                    out[at + 1] = digits.utf8Start[Int(byte & 0x0F)]
                    at += 2
                }
                return at
            }
        }
    }
}

extension UUID {
    /// Reads the text `uuidString` writes (hyphens at 8, 13, 18 and 23, hex digits of
    /// either case), as `UUID(uuidString:)` does but without Foundation's `sscanf`; nil
    /// for any other text. PostgreSQL's `COPY` and older SQLite files (before migration
    /// 0047) hand ids back as this text.
    public init?(text: String) {
        var text = text
        guard let id = text.withUTF8({ Self.parse($0) }) else { return nil }
        self = id
    }

    private static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> UUID? {
        guard bytes.count == 36 else { return nil }
        var out: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        let parsed = withUnsafeMutableBytes(of: &out) { raw -> Bool in
            var at = 0
            for index in 0..<16 {
                if index == 4 || index == 6 || index == 8 || index == 10 {
                    guard bytes[at] == UInt8(ascii: "-") else { return false }
                    at += 1
                }
                guard let high = hexValue(bytes[at]), let low = hexValue(bytes[at + 1]) else { return false }
                raw[index] = high << 4 | low
                at += 2
            }
            return true
        }
        return parsed ? UUID(uuid: out) : nil
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        default: nil
        }
    }
}
