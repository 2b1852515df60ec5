/// Text without the white space (spaces, tabs, line breaks, the ideographic space 　)
/// at either end — what `trimmingCharacters(in: .whitespacesAndNewlines)` gives, without
/// its round trip through `NSString`, which cost an import of a million rows several
/// seconds. A value with nothing to trim comes back without being copied.
extension String {
    var trimmed: String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
        if first == scalars.startIndex, scalars.index(after: last) == scalars.endIndex { return self }
        return String(scalars[first...last])
    }
}

extension Substring {
    var trimmed: String { String(self).trimmed }
}
