extension StringProtocol {
    /// The ASCII digits 0–9 of the text, in order ("+86 138-0013 8000" → "8613800138000"):
    /// how phone numbers are compared and searched. Read on the UTF-8 bytes, since
    /// `Character.isNumber` looks each character up in Unicode's tables and an import
    /// normalises millions of numbers.
    package var asciiDigits: String {
        String(decoding: utf8.filter { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }, as: UTF8.self)
    }
}
