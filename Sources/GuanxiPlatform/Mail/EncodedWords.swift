import Foundation

/// Header text in a form every mail system reads (RFC 2047 and RFC 5322): plain ASCII
/// stays as it is; anything else becomes `=?UTF-8?B?…?=` words of at most 75 characters,
/// each holding whole characters so a reader never sees half of a Chinese character.
public enum EncodedWords {
    /// Unstructured text such as a subject.
    public static func text(_ value: String) -> String {
        if isPlain(value) { return value }
        return words(value).joined(separator: " ")
    }

    /// A display name: quoted when it holds specials like `,` or `.`, encoded when not ASCII.
    public static func phrase(_ value: String) -> String {
        if isPlain(value) {
            let atoms = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: " !#$%&'*+-/=?^_`{|}~"))
            if value.unicodeScalars.allSatisfy(atoms.contains) { return value }
            return "\"" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }
        return words(value).joined(separator: " ")
    }

    /// Printable ASCII without `=?` (which a reader would take for the start of an encoded word).
    package static func isPlain(_ value: String) -> Bool {
        value.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F } && !value.contains("=?")
    }

    /// Encoded words of UTF-8 base64, 36 bytes of text each (12 Chinese characters): 60
    /// characters with their framing, short enough that a header's first word stays on
    /// its line ("Subject: =?UTF-8?B?…?="), since some readers keep the space of a fold
    /// right after the colon.
    package static func words(_ value: String) -> [String] {
        var words: [String] = []
        var chunk = Data()
        for character in value {
            let bytes = Data(String(character).utf8)
            if chunk.count + bytes.count > 36, !chunk.isEmpty {
                words.append("=?UTF-8?B?\(chunk.base64EncodedString())?=")
                chunk = Data()
            }
            chunk.append(bytes)
        }
        if !chunk.isEmpty { words.append("=?UTF-8?B?\(chunk.base64EncodedString())?=") }
        return words
    }

    /// Folds a header line at spaces so no line passes 78 characters (RFC 5322 §2.1.1);
    /// encoded words are separated by spaces, so a long Chinese subject folds between them.
    package static func fold(_ line: String) -> String {
        guard line.count > 78 else { return line }
        var lines: [String] = []
        var current = ""
        for (index, piece) in line.split(separator: " ", omittingEmptySubsequences: false).enumerated() {
            if current.isEmpty { current = String(piece); continue }
            // Never right after "Name:": some readers keep that fold's space in the value.
            if index > 1, current.count + 1 + piece.count > 78 {
                lines.append(current)
                current = String(piece)
            } else {
                current += " " + piece
            }
        }
        lines.append(current)
        return lines.joined(separator: "\r\n ")
    }
}
