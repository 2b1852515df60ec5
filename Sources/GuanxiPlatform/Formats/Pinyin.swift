import Foundation

/// The order Chinese readers expect of names: by pinyin, the way a phone's contact list
/// or a printed directory sorts them (阿里 before 北京 before Blue Harbor before 中国),
/// rather than by code point (which puts 中 before 乙 by the strokes' history, and every
/// Chinese name after every Latin one). Lists sort by the key kept with each record.
package enum Pinyin {
    /// The readings of surnames that differ from the character's usual reading
    /// (曾 is céng in 曾经, Zēng as a family name).
    static let surnames: [Character: String] = [
        "曾": "zeng", "单": "shan", "仇": "qiu", "解": "xie", "区": "ou", "查": "zha", "朴": "piao", "盖": "ge", "尉": "yu",
        "乐": "yue", "覃": "qin", "缪": "miao", "翟": "zhai", "黑": "he", "秘": "bi", "种": "chong", "任": "ren", "召": "shao",
        "长": "chang", "重": "chong", "柏": "bai", "繁": "po", "员": "yun", "句": "gou", "能": "nai", "过": "guo",
    ]

    private static let table: [UInt32: (start: UInt32, readings: [Substring])] = {
        var out: [UInt32: (UInt32, [Substring])] = [:]
        for range in ranges { out[range.first] = (range.first, range.readings.split(separator: ",", omittingEmptySubsequences: false)) }
        return out
    }()

    /// The toneless reading of one ideograph (ü as v), or nil for any other character.
    package static func reading(_ scalar: Unicode.Scalar) -> Substring? {
        let code = scalar.value
        for (first, entry) in table where code >= first && code < first + UInt32(entry.readings.count) {
            let reading = entry.readings[Int(code - first)]
            return reading.isEmpty ? nil : reading
        }
        return nil
    }

    /// The sort key of a name: each ideograph by its reading, Latin letters lower-cased,
    /// digits kept; a "0" closes each syllable or word, so 李 (li0) comes before 梁 (liang0)
    /// in byte order and in the usual collations alike (digits sort before letters).
    /// `person`: the first character is read as a surname.
    package static func sortKey(_ name: String, person: Bool = false) -> String {
        var key = ""
        var inWord = false
        for (index, character) in name.trimmingCharacters(in: .whitespacesAndNewlines).enumerated() {
            if person, index == 0, let surname = surnames[character] {
                key += surname + "0"
                inWord = false
                continue
            }
            if character.unicodeScalars.count == 1, let scalar = character.unicodeScalars.first, let reading = reading(scalar) {
                if inWord { key += "0" }
                key += reading + "0"
                inWord = false
            } else if character.isLetter || character.isNumber {
                key += character.lowercased()
                inWord = true
            } else if inWord {
                // Spaces and punctuation end a word; a run of them counts once.
                key += "0"
                inWord = false
            }
        }
        return String(key.prefix(200))
    }
}
