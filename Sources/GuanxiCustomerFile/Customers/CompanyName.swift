import Foundation
import GuanxiPlatform

/// Company names as people compare them: "北京星辰科技有限公司", "星辰科技" and
/// "Xingchen Technology Co., Ltd." name the same firm more often than not.
public enum CompanyName {
    /// Legal forms and their usual spellings, longest first so that 股份有限公司 goes
    /// before 有限公司.
    package static let legalForms = [
        "股份有限公司", "有限责任公司", "集团有限公司", "有限公司", "(集团)", "（集团）", "集团", "公司",
        "co., ltd.", "co.,ltd.", "co. ltd.", "co., ltd", "co.,ltd", "co. ltd", "co ltd", "company limited", "limited", "ltd.", "ltd", " co.", " co",
        "incorporated", "inc.", "inc", "corporation", "corp.", "corp", "gmbh", "llc", "plc", "s.a.", "ag",
    ]

    /// The legal forms' bytes, for comparing name endings byte by byte.
    private static let legalFormBytes = legalForms.map { Array($0.utf8) }
    /// What is trimmed from either end between legal forms: space , . ， 。
    private static let punctuation: [[UInt8]] = [" ", ",", ".", "，", "。"].map { Array($0.utf8) }

    /// The distinctive part of a company name, lower-cased, without its legal form and
    /// trailing punctuation; the name itself when nothing would be left. Worked on the
    /// UTF-8 bytes: comparing thirty legal forms by characters was a twentieth of an
    /// import of a hundred thousand companies. (UTF-8 cannot match a whole character's
    /// bytes inside another character, so byte endings are character endings here.)
    public static func core(_ name: String) -> String {
        let text = Array(name.trimmed.lowercased().utf8)
        var (start, end) = (0, text.count)
        func endsWith(_ bytes: [UInt8]) -> Bool {
            bytes.count <= end - start && text[(end - bytes.count)..<end].elementsEqual(bytes)
        }
        func startsWith(_ bytes: [UInt8]) -> Bool {
            bytes.count <= end - start && text[start..<(start + bytes.count)].elementsEqual(bytes)
        }
        var changed = true
        while changed {
            changed = false
            while let mark = punctuation.first(where: endsWith) { end -= mark.count }
            while let mark = punctuation.first(where: startsWith) { start += mark.count }
            // Only a form with something before it goes: "Limited" alone stays a name.
            if let form = legalFormBytes.first(where: { end - start > $0.count && endsWith($0) }) {
                end -= form.count
                changed = true
            }
        }
        return start == end ? name.lowercased() : String(decoding: text[start..<end], as: UTF8.self)
    }
}
