import Foundation

/// Turns the bytes of a mail's text into a string, by the charset the mail names. Chinese
/// mail arrives in GB2312, GBK, GB18030 or Big5 as often as in UTF-8, and older programs
/// name one while sending another, so every GB name is read as GB18030 (which holds the
/// other two), and a name nobody knows is read as UTF-8, then GB18030, then Latin-1.
public enum Charsets {
    /// The text, and whether the charset was one Guanxi knows (false when it had to guess).
    public static func decode<Bytes: Collection<UInt8>>(_ bytes: Bytes, charset: String?) -> (text: String, known: Bool) {
        let data = Data(bytes)
        let name = (charset ?? "utf-8").trimmingCharacters(in: CharacterSet(charactersIn: "\"' ")).lowercased()
        if data.allSatisfy({ $0 < 0x80 }) { return (String(decoding: data, as: UTF8.self), true) }
        if let encoding = encoding(named: name) {
            if let text = String(data: data, encoding: encoding) { return (text, true) }
            // The bytes do not fit the named charset: a mislabelled message.
            return (guess(data), true)
        }
        return (guess(data), false)
    }

    /// GB18030 as Foundation numbers it (CoreFoundation's `kCFStringEncodingGB_18030_2000`).
    static let gb18030 = String.Encoding(rawValue: 0x8000_0632)
    /// Big5 (`kCFStringEncodingBig5`).
    static let big5 = String.Encoding(rawValue: 0x8000_0A03)

    static func encoding(named name: String) -> String.Encoding? {
        switch name {
        case "utf-8", "utf8", "us-ascii", "ascii", "unicode-1-1-utf-8": return .utf8
        case "gb2312", "gbk", "gb18030", "x-gbk", "cp936", "ms936", "windows-936", "euc-cn", "x-euc-cn", "csgb2312", "chinese", "gb_2312-80":
            return gb18030
        case "big5", "big-5", "big5-hkscs", "x-big5", "cp950", "ms950", "windows-950", "csbig5": return big5
        default: return String.Encoding(ianaName: name)
        }
    }

    /// Bytes whose charset is unknown or wrong: UTF-8 if they are valid UTF-8, else
    /// GB18030 (which accepts most byte sequences a Chinese mailer writes), else Latin-1.
    static func guess(_ data: Data) -> String {
        if let text = String(data: data, encoding: .utf8) { return text }
        if let text = String(data: data, encoding: gb18030) { return text }
        return String(data: data, encoding: .isoLatin1) ?? String(decoding: data, as: UTF8.self)
    }
}
