/// Text without the white space (spaces, tabs, line breaks, the ideographic space 　)
/// at either end — what `trimmingCharacters(in: .whitespacesAndNewlines)` gives, without
/// its round trip through `NSString`, which cost an import of a million rows several
/// seconds. A value with nothing to trim comes back without being copied.
extension String {
    package var trimmed: String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.isWhiteSpace }) else { return "" }
        let last = scalars.lastIndex(where: { !$0.isWhiteSpace })!
        if first == scalars.startIndex, scalars.index(after: last) == scalars.endIndex { return self }
        return String(scalars[first...last])
    }
}

extension String {
    /// Nil for the empty string: an optional input that was left blank.
    package var nilIfEmpty: String? { isEmpty ? nil : self }
}

extension Substring {
    package var trimmed: String { String(self).trimmed }
}

extension Unicode.Scalar {
    /// Unicode's White_Space property, spelled out: `properties.isWhitespace` looks it up
    /// in Unicode's tables, which the checks of a million imported rows felt for seconds.
    public var isWhiteSpace: Bool {
        switch value {
        case 0x09...0x0D, 0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000: true
        default: false
        }
    }
}
