extension String {
    /// The ASCII digits 0–9 of the text, in order ("+86 138-0013 8000" → "8613800138000"):
    /// how phone numbers are compared and searched. Read on the UTF-8 bytes, since
    /// `Character.isNumber` looks each character up in Unicode's tables and an import
    /// normalises millions of numbers. The digits are counted first, then copied once into
    /// a string of that size — one of up to 15 digits, most phone numbers, needs no
    /// allocation at all (filtering into an array and decoding it made two, a tenth of
    /// checking an imported contact).
    package var asciiDigits: String {
        let digits = utf8.withContiguousStorageIfAvailable { bytes in
            let count = bytes.reduce(0) { $0 + (Self.isDigit($1) ? 1 : 0) }
            return String(unsafeUninitializedCapacity: count) { buffer in
                var next = 0
                for byte in bytes where Self.isDigit(byte) {
                    buffer[next] = byte
                    next += 1
                }
                return next
            }
        }
        return digits ?? String(decoding: utf8.filter(Self.isDigit), as: UTF8.self)
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
}

extension Substring {
    package var asciiDigits: String { String(self).asciiDigits }
}
