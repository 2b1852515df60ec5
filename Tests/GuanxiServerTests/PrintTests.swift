import Foundation
import GuanxiCustomerFile
import GuanxiPlatform
import GuanxiServer
import Testing

/// Letters, labels and envelopes: printable pages for a list or a selection, addresses in
/// Chinese order, letters from a letter template, records without an address named.
@Suite("Letters, labels and envelopes")
struct PrintTests {
    @Test("A selection prints as letters from a template, labels on A4 sheets and envelopes, in Chinese address order, escaped; records without an address are named, not printed")
    func printouts() async throws {
        try await TestApp.run { app, client in
            let admin = try await app.admin
            func customer(_ name: String, province: String?, city: String?, address: String?, postcode: String?) async throws -> UUID {
                var input = CustomerInput()
                (input.name, input.province, input.city, input.address, input.postcode) = (name, province, city, address, postcode)
                app.clock.advance(by: 1)
                return try await app.services.customers.create(input, by: admin).id!
            }
            let xingchen = try await customer("星辰科技", province: "浙江省", city: "杭州市", address: "西湖区文三路 90 号", postcode: "310012")
            let beijing = try await customer("<i>京</i>城贸易", province: "北京市", city: "北京市", address: "朝阳区建国路 1 号", postcode: "100022")
            let nowhere = try await customer("无地址公司", province: nil, city: nil, address: nil, postcode: nil)
            var person = ContactInput()
            (person.name, person.customerID) = ("王伟", .some(xingchen))
            let wang = try await app.services.contacts.create(person, by: admin).id!
            var letter = MessageTemplateInput()
            (letter.name, letter.channel, letter.language, letter.subject, letter.body) = ("年会邀请函", "letter", "zh-Hans", "{{customer.name}}年会邀请",
                                                                                           "尊敬的{{recipient.name}}：\n\n诚邀贵司参加年会。\n\n此致敬礼")
            let template = try await app.services.messageTemplates.create(letter, by: admin)

            var browser = Browser(client)
            try await browser.signIn("admin", TestApp.adminPassword)
            let list = try await browser.get("/customers")
            #expect(list.text.contains("href=\"/print?kind=customers") && list.text.contains("formaction=\"/print\""))
            let choose = try await browser.post("/print", pairs: [("kind", "customers"), ("ids", xingchen.uuidString), ("ids", beijing.uuidString), ("ids", nowhere.uuidString)])
            #expect(choose.status == .ok && choose.text.contains("勾选的 3 条客户") && choose.text.contains(">年会邀请函</option>"))
            // A list filtered by an owner reads as such, without the owner's id.
            let byOwner = try await browser.get("/print?kind=customers&query=" + "q=星辰&owner=\(admin.userID.uuidString)".addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)
            #expect(byOwner.text.contains("<dd>客户：q=星辰 · owner</dd>") && !byOwner.text.contains("<dd>客户：q=星辰 · owner=\(admin.userID.uuidString)"))

            let ids = [xingchen, beijing, nowhere].map { "&ids=\($0.uuidString)" }.joined()
            let letters = try await browser.get("/print?kind=customers&layout=letters&template=\(template.id.uuidString)\(ids)")
            #expect(letters.status == .ok && letters.text.contains("<link rel=\"stylesheet\" href=\"/print.css\">") && !letters.text.contains("class=\"nav\""))
            #expect(letters.text.components(separatedBy: "<article class=\"letter\">").count == 3)
            // Chinese order: postcode, province, city, street, company; a municipality's city is not repeated.
            #expect(letters.text.contains("<p class=\"postcode\">310012</p><p>浙江省</p><p>杭州市</p><p>西湖区文三路 90 号</p><p>星辰科技</p>"))
            #expect(letters.text.contains("<p>北京市</p><p>朝阳区建国路 1 号</p>"))
            #expect(letters.text.contains("<h1>星辰科技年会邀请</h1>") && letters.text.contains("<p class=\"para\">尊敬的星辰科技：</p><p class=\"para\">诚邀贵司参加年会。</p>"))
            #expect(letters.text.contains("&lt;i&gt;京&lt;/i&gt;城贸易") && !letters.text.contains("<i>京</i>"))
            #expect(letters.text.contains("没有邮寄地址，未打印") && letters.text.contains("<span>无地址公司</span>"))

            let labels = try await browser.get("/print?kind=customers&layout=labels-3x7\(ids)&ids=\(xingchen.uuidString)")
            #expect(labels.text.contains("<body class=\"print labels-3x7\">") && labels.text.components(separatedBy: "<div class=\"label\">").count == 3)
            let envelopes = try await browser.get("/print?kind=contacts&layout=envelope-dl&ids=\(wang.uuidString)&sender=" + "关系科技\n上海市浦东新区 200120".addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)
            #expect(envelopes.text.contains("<p class=\"postcode boxes\"><span>3</span><span>1</span><span>0</span><span>0</span><span>1</span><span>2</span></p>"))
            #expect(envelopes.text.contains("<p class=\"addressee\">王伟 收</p>") && envelopes.text.contains("<div class=\"from\"><p>关系科技</p><p>上海市浦东新区 200120</p></div>"))

            #expect(try await browser.get("/print?kind=customers&layout=poster\(ids)").status == .badRequest)
            #expect(try await browser.get("/print?kind=customers&layout=letters\(ids)").status == .badRequest)
            #expect(try await browser.get("/print?kind=purchases&layout=labels-3x7").status == .notFound)

            // A colleague who may read only their own customers prints only those.
            let role = try await app.makeRole("销售", [.customers: Grant(actions: [.read], scope: .own)])
            try await app.makeUser("rep", roles: [role.id!])
            var rep = Browser(client)
            try await rep.signIn("rep", "Secret-pass-42")
            let theirs = try await rep.get("/print?kind=customers&layout=labels-3x7\(ids)")
            #expect(theirs.status == .ok && !theirs.text.contains("星辰科技"))
        }
    }
}
