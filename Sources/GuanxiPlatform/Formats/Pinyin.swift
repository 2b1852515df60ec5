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

    private static let table: [(first: UInt32, readings: [Substring])] = ranges.map { range in
        (range.first, range.readings.split(separator: ",", omittingEmptySubsequences: false))
    }

    /// The toneless reading of one ideograph (ü as v), or nil for any other character.
    package static func reading(_ scalar: Unicode.Scalar) -> Substring? {
        let code = scalar.value
        for entry in table where code >= entry.first && code < entry.first + UInt32(entry.readings.count) {
            let reading = entry.readings[Int(code - entry.first)]
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
        key.reserveCapacity(name.utf8.count * 2)
        var inWord = false
        for (index, character) in name.trimmed.enumerated() {
            if person, index == 0, let surname = surnames[character] {
                key += surname
                key += "0"
                inWord = false
                continue
            }
            if let ascii = character.asciiValue {
                // Latin letters, digits and punctuation, told apart without Unicode's tables
                // (a company import makes a hundred thousand keys).
                switch ascii {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                    key.unicodeScalars.append(Unicode.Scalar(ascii))
                    inWord = true
                case UInt8(ascii: "A")...UInt8(ascii: "Z"):
                    key.unicodeScalars.append(Unicode.Scalar(ascii + 32))
                    inWord = true
                default:
                    if inWord { key += "0" }
                    inWord = false
                }
            } else if character.unicodeScalars.count == 1, let scalar = character.unicodeScalars.first, let reading = reading(scalar) {
                if inWord { key += "0" }
                key += reading
                key += "0"
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
