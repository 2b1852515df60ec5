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

    /// The distinctive part of a company name, lower-cased, without its legal form and
    /// trailing punctuation; the name itself when nothing would be left.
    public static func core(_ name: String) -> String {
        var text = name.trimmingCharacters(in: .whitespaces).lowercased()
        var changed = true
        while changed {
            changed = false
            text = text.trimmingCharacters(in: CharacterSet(charactersIn: " ,.，。"))
            for form in legalForms where text.hasSuffix(form) && text.count > form.count {
                text = String(text.dropLast(form.count))
                changed = true
                break
            }
        }
        return text.isEmpty ? name.lowercased() : text
    }
}
