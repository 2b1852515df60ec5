import Foundation
import Testing
@testable import GuanxiPlatform

/// Reading received mail: a corpus written the way Outlook, Foxmail, webmail and mail
/// servers write (Fixtures/Mail), and the edge cases of MIME one at a time.
@Suite struct MailParsingTests {
    static func fixture(_ name: String, outboxID: String = "out-1@ourcompany.cn") throws -> Data {
        var data = try Data(contentsOf: projectRoot.appendingPathComponent("Tests/GuanxiServerTests/Fixtures/Mail/\(name)"))
        while let range = data.range(of: Data("{{OUTBOX_ID}}".utf8)) { data.replaceSubrange(range, with: Data(outboxID.utf8)) }
        return data
    }

    @Test func outlookGB2312ReplyWithAttachment() throws {
        let mail = try ReceivedMail.parse(try Self.fixture("outlook-gb2312-reply.eml"))
        #expect(mail.subject == "答复: 华信科技年度采购报价")
        #expect(mail.from == [ReceivedAddress(name: "王伟", address: "wang.wei@huaxin-tech.cn")])
        #expect(mail.to.map(\.description) == ["李娜 <li.na@ourcompany.cn>"])
        #expect(mail.cc.map(\.address) == ["crm-dropbox@ourcompany.cn"])
        #expect(mail.messageID == "000a01d9c6f3$5b2e8c40$118ba4c0$@huaxin-tech.cn")
        #expect(mail.thread == ["out-1@ourcompany.cn"])
        #expect(mail.text.hasPrefix("王经理您好：\n\n报价单已收到，我们下周二开会讨论。"))
        #expect(mail.html?.contains("<p>报价单已收到，我们下周二开会讨论。</p>") == true)
        #expect(mail.attachments.map(\.filename) == ["需求清单.xlsx"])
        #expect(mail.attachments.first?.data == Data("PK\u{03}\u{04} fake xlsx content \u{00}\u{01}\u{02}".utf8))
        #expect(mail.date == Date(timeIntervalSince1970: 1_796_347_841))
        #expect(!mail.isAutomatic && mail.deliveryFailures.isEmpty && mail.hops == 1)
    }

    @Test func foxmailGBKForwardNamesTheOriginalSender() throws {
        let mail = try ReceivedMail.parse(try Self.fixture("foxmail-gbk-forward.eml"))
        // The fourth character's two bytes are split between two encoded words.
        #expect(mail.subject == "转发：询价（机房设备）")
        #expect(mail.from.map(\.description) == ["李娜 <li.na@ourcompany.cn>"])
        #expect(mail.text.contains("李娜你好，请报一下机房设备的价格，谢谢。"))
        #expect(mail.forwardedFrom.map(\.description) == ["张敏 <zhang.min@kehu.com.cn>"])
        #expect(mail.attachments.map(\.filename) == ["设备清单.pdf"])
        #expect(mail.attachments.first?.data.starts(with: Data("%PDF-1.4".utf8)) == true)
    }

    @Test func big5QuotedPrintable() throws {
        let mail = try ReceivedMail.parse(try Self.fixture("big5-sample.eml"))
        #expect(mail.subject == "樣品已寄出")
        #expect(mail.from.first?.name == "陳雅婷")
        #expect(mail.text == "您好，樣品已經寄出，請查收。\n陳雅婷\n")
    }

    @Test func deliveryReportListsOnlyPermanentFailures() throws {
        let mail = try ReceivedMail.parse(try Self.fixture("dsn-bounce.eml"))
        #expect(mail.isAutomatic)
        #expect(mail.deliveryFailures == [.init(address: "gone@kehu.com.cn", status: "5.1.1",
                                                diagnostic: "550 5.1.1 <gone@kehu.com.cn>: Recipient address rejected: User unknown")])
        #expect(mail.reportedMessageID == "out-1@ourcompany.cn")
        #expect(mail.from.map(\.description) == ["Mail Delivery System <MAILER-DAEMON@mx.ourcompany.cn>"])
    }

    @Test func autoReplyAndHTMLOnlyAndUnknownCharset() throws {
        let auto = try ReceivedMail.parse(try Self.fixture("auto-reply.eml"))
        #expect(auto.isAutomatic && auto.subject == "自动回复：我正在度假")
        let html = try ReceivedMail.parse(try Self.fixture("webmail-html-enquiry.eml"))
        #expect(html.subject == "咨询：CRM产品演示")
        #expect(html.text == "您好，\n我们想了解贵公司的 CRM 产品&价格，能否安排演示？\n赵磊\n上海云帆物流")
        #expect(!html.isAutomatic)
        let odd = try ReceivedMail.parse(try Self.fixture("unknown-charset.eml"))
        #expect(odd.subject == "合同" && odd.text == "合同已盖章寄回。\n")
        #expect(odd.unknownCharsets == ["x-unknown-cn"])
    }

    @Test func headerEdgeCases() throws {
        #expect(EncodedWords.decode("=?UTF-8?Q?caf=C3=A9_au_lait?= ok") == "café au lait ok")
        #expect(EncodedWords.decode("a =?UTF-8?B?5L2g?=   =?UTF-8?B?5aW9?= b") == "a 你好 b")
        #expect(EncodedWords.decode("=?iso-8859-1*fr?Q?=E9t=E9?=") == "été")
        #expect(EncodedWords.decode("no =?words here") == "no =?words here")
        #expect(EncodedWords.addresses("undisclosed-recipients:;").isEmpty)
        #expect(EncodedWords.addresses(#""Wang, Wei" <Wang@Example.CN>, li@example.cn (李娜), Team: a@x.cn, b@y.cn;, broken"#).map(\.description)
                == ["Wang, Wei <Wang@example.cn>", "李娜 <li@example.cn>", "a@x.cn", "b@y.cn"])
        #expect(EncodedWords.messageIDs("<a@b> <c@d>\t<e@f>") == ["a@b", "c@d", "e@f"])
        #expect(EncodedWords.date("Fri, 4 Dec 2026 09:30:41 GMT") == Date(timeIntervalSince1970: 1_796_376_641))
        #expect(EncodedWords.date("4 Dec 2026 09:30 +0800") == Date(timeIntervalSince1970: 1_796_347_800))
        #expect(EncodedWords.date("yesterday") == nil)
        let continued = try ReceivedMail.parse(Data("""
            From: a@b.cn\r\nContent-Type: multipart/mixed; boundary=XX\r\n\r\n--XX\r\nContent-Type: text/plain\r\n\r\nhi\r\n--XX\r\n\
            Content-Type: application/octet-stream\r\nContent-Disposition: attachment; filename*0*=UTF-8''%E5%90%88; filename*1*=%E5%90%8C; filename*2=".pdf"\r\n\r\nxyz\r\n--XX--\r\n
            """.utf8))
        #expect(continued.text == "hi" && continued.attachments.map(\.filename) == ["合同.pdf"])
        #expect(continued.attachments.first?.data == Data("xyz".utf8))
    }

    @Test func malformedAndHostileMessagesGetAClearError() throws {
        #expect(throws: GuanxiError.self) { try ReceivedMail.parse(Data("just some text\nwithout any header\n".utf8)) }
        var nested = "From: a@b.cn\r\n"
        for level in 0...25 { nested += "Content-Type: multipart/mixed; boundary=b\(level)\r\n\r\n--b\(level)\r\n" }
        let error = #expect(throws: GuanxiError.self) { try ReceivedMail.parse(Data(nested.utf8)) }
        #expect(error?.message.contains("20 levels") == true)
        // A message cut off in the middle keeps what arrived.
        let cut = try ReceivedMail.parse(Data("From: a@b.cn\r\nSubject: cut\r\nContent-Type: multipart/mixed; boundary=Q\r\n\r\n--Q\r\n\r\nfirst part\r\n--Q\r\nContent-Type: text/html\r\n\r\n<p>half".utf8))
        #expect(cut.text == "first part" && cut.html == "<p>half")
    }
}
