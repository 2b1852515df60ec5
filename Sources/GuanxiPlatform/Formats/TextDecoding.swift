import Foundation
import GuanxiPlatform
#if canImport(Glibc)
import Glibc
#endif

/// Text files as spreadsheets export them: UTF-8 with or without a byte-order mark, or
/// GB18030 (which covers GBK and GB2312) as Excel and WPS write CSV on Chinese Windows.
package enum TextDecoding {
    package enum Encoding: String, Sendable { case utf8 = "UTF-8", gb18030 = "GB18030" }

    /// The text and the encoding it was read in. UTF-8 is tried first — a GB18030 file of
    /// Chinese text is almost never valid UTF-8 — then GB18030; anything else is an error.
    package static func decode(_ data: Data) throws -> (text: String, encoding: Encoding) {
        var bytes = [UInt8](data)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        if let text = String(validating: bytes, as: UTF8.self) { return (text, .utf8) }
        if let text = gb18030(bytes) { return (text, .gb18030) }
        throw GuanxiError.invalid("file", "The file is neither UTF-8 nor GB18030 (GBK) text. Save it as CSV UTF-8 and try again.")
            .localized("msg.unknown_encoding", [:])
    }

    /// The file as UTF-8 bytes (without a byte-order mark), for reading row by row without
    /// building one string of the whole file. Same rules as `decode`.
    package static func utf8Bytes(_ data: Data) throws -> (bytes: [UInt8], encoding: Encoding) {
        try utf8Bytes([UInt8](data))
    }

    package static func utf8Bytes(_ bytes: [UInt8]) throws -> (bytes: [UInt8], encoding: Encoding) {
        var bytes = bytes
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        if isUTF8(bytes) { return (bytes, .utf8) }
        if let text = gb18030(bytes) { return (Array(text.utf8), .gb18030) }
        throw GuanxiError.invalid("file", "The file is neither UTF-8 nor GB18030 (GBK) text. Save it as CSV UTF-8 and try again.")
            .localized("msg.unknown_encoding", [:])
    }

    /// Checked by the standard library's own validation, which passes over ASCII a word at
    /// a time: transcoding each character to find out took 4 % of a million-contact import.
    package static func isUTF8(_ bytes: some Collection<UInt8>) -> Bool {
        String(validating: bytes, as: UTF8.self) != nil
    }

    /// Where the last whole UTF-8 character of `bytes` ends: a character cut off at the
    /// end (1–3 bytes) is left after it, to be completed by what follows.
    package static func completeUTF8Prefix(_ bytes: [UInt8]) -> Int {
        var start = bytes.count
        while start > 0, bytes.count - start < 3, bytes[start - 1] & 0xC0 == 0x80 { start -= 1 }
        guard start > 0 else { return bytes.count }
        let lead = bytes[start - 1]
        let length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1
        return bytes.count - (start - 1) < length ? start - 1 : bytes.count
    }

    /// Converts with the C library's iconv, which every Linux has.
    package static func gb18030(_ bytes: [UInt8]) -> String? {
        let converter = iconv_open("UTF-8", "GB18030")
        guard converter != iconv_t(bitPattern: -1) else { return nil }
        defer { iconv_close(converter) }
        var input = bytes.map { CChar(bitPattern: $0) }
        var output = [CChar](repeating: 0, count: bytes.count * 2 + 16)
        var inputLeft = input.count, outputLeft = output.count
        let result = input.withUnsafeMutableBufferPointer { inBuffer in
            output.withUnsafeMutableBufferPointer { outBuffer in
                var inPointer = inBuffer.baseAddress, outPointer = outBuffer.baseAddress
                return iconv(converter, &inPointer, &inputLeft, &outPointer, &outputLeft)
            }
        }
        guard result != -1, inputLeft == 0 else { return nil }
        return String(decoding: output[0..<(output.count - outputLeft)].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
