import Foundation
import Testing
@testable import GuanxiCustomerFile

/// The checks and keys worked out for every customer an import writes, which are done on
/// bytes where the text allows: they must give what the checks by characters gave.
@Suite("Customer value checks")
struct CustomerValueChecksTests {
    @Test("A web address is accepted or refused the same way whether it is ASCII or not")
    func websites() throws {
        let accepted = ["www.x.cn", "https://xingchen.cn", "HTTPS://X.CN/About", "Http://x.cn?q=1#top", "https://x.cn:8080/p", "x.cn:80:", "sub-1.x.cn/a/b",
                        "http://例子.中国", "https://例子.cn/路径"]
        let refused = ["ftp://x.cn", "javascript:alert(1).x", "https://x", "https://.x.cn", ".x.cn", "https://x_y.cn", "https://x.cn:", "https://x.cn:8o",
                       "https://x.cn/a b", "https://x.cn?q=1 2", "http://x.cn\\evil", "https://x.cn\"onmouseover=\"a", "https://例子\u{3000}.cn",
                       "data:text/html,<b>x</b>.cn", "https://"]
        for address in accepted { #expect(try CustomerValidate.website(address) == address, "\(address)") }
        for address in refused { #expect(throws: (any Error).self, "\(address)") { try CustomerValidate.website(address) } }
        #expect(try CustomerValidate.website("  https://x.cn  ") == "https://x.cn")
        #expect(try CustomerValidate.website("   ") == nil)
    }

    @Test("A company name's core drops legal forms and punctuation as the comparison by characters did")
    func companyNameCore() {
        let expected = [
            "北京星辰科技有限公司": "北京星辰科技", "星辰科技（集团）股份有限公司": "星辰科技", "Xingchen Technology Co., Ltd.": "xingchen technology",
            "ACME Inc.": "acme", "  ,Acme GmbH.  ": "acme", "Foo Co": "foo", "Limited": "limited", "公司": "公司", "。": "。", "Taco": "taco",
            "上海 Trading Company Limited。": "上海 trading", "北京科技0号有限公司": "北京科技0号",
        ]
        for (name, core) in expected { #expect(CompanyName.core(name) == core, "\(name)") }
        // Every combination of a few stems, forms and punctuation marks, against the
        // comparison by characters this replaced.
        let stems = ["星辰", "Riverside Technologies 1", "Zag", "ｃｏ", "e\u{301}", " "], marks = ["", " ", ",", ".", "，", "。", ". "]
        for stem in stems {
            for form in CompanyName.legalForms + ["", "(集团)有限公司"] {
                for mark in marks {
                    for name in [stem + form + mark, stem + mark + form, mark + stem + " " + form.uppercased()] {
                        #expect(CompanyName.core(name) == Self.coreByCharacters(name), "\(name)")
                    }
                }
            }
        }
    }

    /// `CompanyName.core` as it was written before it worked on bytes.
    static func coreByCharacters(_ name: String) -> String {
        var text = name.trimmingCharacters(in: .whitespaces).lowercased()
        var changed = true
        while changed {
            changed = false
            text = text.trimmingCharacters(in: CharacterSet(charactersIn: " ,.，。"))
            for form in CompanyName.legalForms where text.hasSuffix(form) && text.count > form.count {
                text = String(text.dropLast(form.count))
                changed = true
                break
            }
        }
        return text.isEmpty ? name.lowercased() : text
    }
}
