import Foundation

/// The content transfer encodings of MIME (RFC 2045), read leniently: real mail has
/// base64 without padding and quoted-printable with stray `=` signs.
enum TransferEncoding {
    static func decode(_ bytes: ArraySlice<UInt8>, encoding: String?) -> [UInt8] {
        switch encoding?.trimmingCharacters(in: .whitespaces).lowercased() {
        case "base64": return base64(bytes)
        case "quoted-printable": return quotedPrintable(bytes, underscoreIsSpace: false)
        default: return Array(bytes)
        }
    }

    /// Base64, skipping anything outside its alphabet and stopping at the padding.
    static func base64(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count * 3 / 4)
        var buffer: UInt32 = 0, bits = 0
        for byte in bytes {
            let value: UInt8
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): value = byte - UInt8(ascii: "A")
            case UInt8(ascii: "a")...UInt8(ascii: "z"): value = byte - UInt8(ascii: "a") + 26
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = byte - UInt8(ascii: "0") + 52
            case UInt8(ascii: "+"), UInt8(ascii: "-"): value = 62
            case UInt8(ascii: "/"), UInt8(ascii: "_"): value = 63
            case UInt8(ascii: "="): return output
            default: continue
            }
            buffer = (buffer << 6) | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                output.append(UInt8((buffer >> UInt32(bits)) & 0xFF))
            }
        }
        return output
    }

    /// Quoted-printable; in encoded words (`underscoreIsSpace`) `_` stands for a space.
    static func quotedPrintable(_ bytes: ArraySlice<UInt8>, underscoreIsSpace: Bool) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        func hex(_ byte: UInt8) -> UInt8? {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
            case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
            default: return nil
            }
        }
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte == UInt8(ascii: "=") {
                let next = index + 1
                // A soft line break: `=` at the end of a line joins it to the next.
                if next < bytes.endIndex, bytes[next] == UInt8(ascii: "\r") || bytes[next] == UInt8(ascii: "\n") {
                    index = next + (bytes[next] == UInt8(ascii: "\r") && next + 1 < bytes.endIndex && bytes[next + 1] == UInt8(ascii: "\n") ? 2 : 1)
                    continue
                }
                if next + 1 < bytes.endIndex, let high = hex(bytes[next]), let low = hex(bytes[next + 1]) {
                    output.append(high << 4 | low)
                    index = next + 2
                    continue
                }
                output.append(byte)
            } else if byte == UInt8(ascii: "_"), underscoreIsSpace {
                output.append(UInt8(ascii: " "))
            } else {
                output.append(byte)
            }
            index += 1
        }
        return output
    }
}
