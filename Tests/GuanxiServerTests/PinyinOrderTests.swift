import Foundation
import GuanxiServer
import GuanxiCustomerFile
import GuanxiSales
import HummingbirdTesting
import Testing
import GuanxiPlatform

/// Lists ordered by name follow pinyin, the order a Chinese reader looks a name up in.
@Suite("Pinyin order")
struct PinyinOrderTests {
    @Test("Sort keys: ideographs by reading, Latin lower-cased, syllables closed so 李 precedes 梁; surnames read as surnames")
    func keys() {
        #expect(Pinyin.sortKey("北京星辰") == "bei0jing0xing0chen0")
        #expect(Pinyin.sortKey("Blue Harbor Inc.") == "blue0harbor0inc0")
        #expect(Pinyin.sortKey("3M 中国") == "3m0zhong0guo0")
        #expect(Pinyin.sortKey("吕女士") == "lv0nv0shi0")
        // Latin text read without Unicode's tables gives the keys it always gave.
        #expect(Pinyin.sortKey("  O'Brien & Sons, Ltd.\t") == "o0brien0sons0ltd0")
        #expect(Pinyin.sortKey("Café 北京") == "café0bei0jing0")
        #expect(Pinyin.sortKey("ÉCOLE N°5") == "école0n05")
        #expect(Pinyin.sortKey("ABC123xyz\r\nZ") == "abc123xyz0z")
        #expect(Pinyin.sortKey("曾经") == "ceng0jing0")
        #expect(Pinyin.sortKey("曾小贤", person: true) == "zeng0xiao0xian0")
        #expect(Pinyin.sortKey("单田芳", person: true) == "shan0tian0fang0")
        #expect(Pinyin.sortKey("李") < Pinyin.sortKey("梁"))
        #expect(Pinyin.sortKey("张伟") < Pinyin.sortKey("张伟国"))
        // Extension A ideographs are read too; other scripts keep their characters.
        #expect(Pinyin.sortKey("㐀") == "qiu0")
        #expect(Pinyin.sortKey("Ünïcode") == "ünïcode")
    }

    @Test("The customer and contact lists run 阿里 → 北京 → Blue → 中国, page after page, and a renamed record moves to its new place")
    func listOrder() async throws {
        try await TestApp.run { app, client in
            let admin = try await app.admin
            var ids: [String: UUID] = [:]
            for name in ["中国银行", "Blue Harbor", "北京星辰", "阿里巴巴", "张三丰商行", "曾氏茶业"] {
                var input = CustomerInput()
                input.name = name
                ids[name] = try await app.services.customers.create(input, by: admin).id
            }
            var filter = CustomerFilter()
            filter.limit = 4
            let first = try await app.services.customerQuery.list(filter, for: admin)
            filter.cursor = first.next
            let second = try await app.services.customerQuery.list(filter, for: admin)
            // 曾氏茶业 is a company: 曾 reads céng there.
            #expect((first.customers + second.customers).map(\.name) == ["阿里巴巴", "北京星辰", "Blue Harbor", "曾氏茶业", "张三丰商行", "中国银行"])

            var rename = CustomerInput()
            rename.name = "爱心餐饮"
            _ = try await app.services.customers.update(ids["中国银行"]!, rename, expectedVersion: nil, by: admin)
            filter.cursor = nil
            #expect(try await app.services.customerQuery.list(filter, for: admin).customers.map(\.name).prefix(2) == ["阿里巴巴", "爱心餐饮"])

            for name in ["张伟", "曾小贤", "Anna Li", "李雷"] {
                var contact = ContactInput()
                (contact.name, contact.customerID) = (name, .some(ids["北京星辰"]))
                _ = try await app.services.contacts.create(contact, by: admin)
            }
            var browser = try await app.signedInBrowser(client, as: "viewer")
            let page = try await browser.get("/contacts").text
            let order = ["Anna Li", "李雷", "曾小贤", "张伟"].map { page.range(of: ">\($0)</a>")!.lowerBound }
            #expect(order == order.sorted(), "a person's 曾 reads Zēng, so 曾小贤 comes between 李 and 张")

            // Leads are people too.
            for name in ["周杰", "Amy Wu", "单雄信", "白云"] {
                var lead = LeadInput()
                lead.name = name
                _ = try await app.services.sales.leads.create(lead, by: admin)
            }
            var leads = LeadFilter()
            leads.sort = .name
            #expect(try await app.services.sales.leadQuery.list(leads, for: admin).leads.map(\.name) == ["Amy Wu", "白云", "单雄信", "周杰"])
        }
    }
}
