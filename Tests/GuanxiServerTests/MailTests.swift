import Foundation
import GuanxiCustomerFile
import GuanxiPlatform
import GuanxiServer
import SQLKit
import Testing

/// The outbox and its SMTP client against a real mail server (aiosmtpd), with what
/// arrives read back by an independent parser (Python's email package).
@Suite("Outgoing mail", .serialized)
struct MailTests {
    static let from = try! MailAddress("crm@guanxi.example.cn", name: "关系 CRM")

    func configure(_ server: SMTPTestServer, scheme: String = "smtp", query: String = "") -> (inout AppConfig) -> Void {
        { config in
            config.smtp = try! SMTPSettings.parse(server.url(scheme, query: query))
            config.mailFrom = Self.from
        }
    }

    func message(to address: String, name: String? = nil, subject: String = "季度回访：感谢您对星辰科技的支持", purpose: MailMessage.Purpose = .transactional) throws -> MailMessage {
        MailMessage(from: Self.from, to: try MailAddress(address, name: name), subject: subject, text: "王经理您好：\n\n感谢支持。\n.一行以点开头\n", purpose: purpose)
    }

    @Test("A Chinese message over STARTTLS and AUTH PLAIN arrives byte for byte as written: encoded subject and names, text and HTML, an attachment")
    func startTLS() async throws {
        let server = try SMTPTestServer()
        defer { server.stop() }
        try await TestApp.run(configure: configure(server)) { app, _ in
            var mail = try message(to: "wang.wei@xingchen.example.cn", name: "王伟")
            mail.html = "<p>王经理您好：</p><p>感谢支持。</p>"
            mail.attachments = [MailAttachment(filename: "报价单 2026.pdf", contentType: "application/pdf", data: Data(repeating: 0x25, count: 3000))]
            let queued = try await app.services.outbox.queue(mail, by: try await app.admin)
            #expect(queued.status == .queued)
            #expect(try await app.services.outboxSender.run() == 1)

            let received = try server.received()
            try #require(received.count == 1)
            #expect(received[0].envelope["from"] as? String == "crm@guanxi.example.cn")
            #expect(received[0].envelope["to"] as? [String] == ["wang.wei@xingchen.example.cn"])
            #expect(received[0].envelope["tls"] as? Bool == true && received[0].envelope["auth"] as? Bool == true)
            // What was stored is what arrived: a retry would send the very same bytes.
            let stored = try #require(try await app.services.outbox.text(of: queued.id))
            #expect(try Data(contentsOf: URL(fileURLWithPath: received[0].file)) == Data(stored.utf8))

            let read = try readMail(received[0].file)
            #expect(read["subject"] as? String == "季度回访：感谢您对星辰科技的支持")
            #expect(read["from_name"] as? String == "关系 CRM" && read["to_name"] as? String == "王伟")
            #expect(read["message_id"] as? String == "<\(queued.messageID)>")
            #expect(read["content_type"] as? String == "multipart/mixed")
            let parts = try #require(read["parts"] as? [[String: Any]])
            #expect(parts.map { $0["type"] as? String } == ["text/plain", "text/html"])
            #expect(parts[0]["text"] as? String == "王经理您好：\n\n感谢支持。\n.一行以点开头\n")
            #expect(parts[1]["text"] as? String == "<p>王经理您好：</p><p>感谢支持。</p>")
            let files = try #require(read["attachments"] as? [[String: Any]])
            #expect(files.first?["filename"] as? String == "报价单 2026.pdf" && files.first?["size"] as? Int == 3000)
            #expect(read["defects"] as? [String] == [])
            #expect(read["ascii"] as? Bool == true && read["crlf_only"] as? Bool == true)
            #expect((read["longest_line"] as? Int ?? 999) <= 78)
            #expect(read["auto_submitted"] is NSNull && read["list_unsubscribe"] is NSNull)

            let sent = try #require(try await app.services.outbox.find(queued.id))
            #expect(sent.status == .sent && sent.attempts == 1 && sent.sentAt != nil)
            #expect(sent.lastReply?.hasPrefix("250 2.0.0 Queued") == true)
            #expect(try await app.auditEntries(action: "create", kind: .outbox).count == 1)
        }
    }

    @Test("TLS from the first byte with AUTH LOGIN; marketing carries one-click unsubscribe, automatic mail says so")
    func implicitTLS() async throws {
        let server = try SMTPTestServer("--implicit-tls", "--login-only")
        defer { server.stop() }
        try await TestApp.run(configure: configure(server, scheme: "smtps")) { app, _ in
            var offer = try message(to: "li@example.com", subject: "新品上市 New arrivals", purpose: .marketing)
            offer.unsubscribeURL = "https://crm.example.cn/unsubscribe/abc"
            try await app.services.outbox.queue(offer, by: nil)
            // A moment later, so both engines send them in this order.
            app.clock.advance(by: 1)
            try await app.services.outbox.queue(try message(to: "zhao@example.com", subject: "提醒：明天 10:00 拜访", purpose: .automatic), by: nil)
            let handed = try await app.services.outboxSender.run()
            let replies = try await app.services.outbox.list().map(\.lastReply)
            #expect(handed == 2, "\(replies)")
            let received = try server.received()
            try #require(received.count == 2)
            #expect(received.allSatisfy { $0.envelope["tls"] as? Bool == true && $0.envelope["auth"] as? Bool == true })
            let marketing = try readMail(received[0].file)
            #expect(marketing["subject"] as? String == "新品上市 New arrivals")
            #expect(marketing["list_unsubscribe"] as? String == "<https://crm.example.cn/unsubscribe/abc>")
            #expect(marketing["list_unsubscribe_post"] as? String == "List-Unsubscribe=One-Click")
            let reminder = try readMail(received[1].file)
            #expect(reminder["auto_submitted"] as? String == "auto-generated")
        }
    }

    @Test("A 4xx answer is tried again later with back-off; a 5xx answer fails at once with the server's words")
    func temporaryAndPermanent() async throws {
        let server = try SMTPTestServer()
        defer { server.stop() }
        try await TestApp.run(configure: configure(server)) { app, _ in
            let busy = try await app.services.outbox.queue(try message(to: "temp-zhou@example.com"), by: nil)
            let gone = try await app.services.outbox.queue(try message(to: "perm-qian@example.com"), by: nil)
            let fine = try await app.services.outbox.queue(try message(to: "sun@example.com"), by: nil)
            #expect(try await app.services.outboxSender.run() == 1)
            let retrying = try #require(try await app.services.outbox.find(busy.id))
            #expect(retrying.status == .queued && retrying.attempts == 1)
            #expect(retrying.lastReply?.contains("451") == true)
            #expect(retrying.nextAttemptAt == app.clock.now().addingTimeInterval(60))
            let failed = try #require(try await app.services.outbox.find(gone.id))
            #expect(failed.status == .failed && failed.lastReply == "550 recipient refused: 5.1.1 No such user here")
            #expect(try await app.services.outbox.find(fine.id)?.status == .sent)

            // Not due yet: nothing happens; a minute later it is tried again, and waits longer.
            #expect(try await app.services.outboxSender.run() == 0)
            #expect(try await app.services.outbox.find(busy.id)?.attempts == 1)
            app.clock.advance(by: 61)
            _ = try await app.services.outboxSender.run()
            let second = try #require(try await app.services.outbox.find(busy.id))
            #expect(second.attempts == 2 && second.nextAttemptAt == app.clock.now().addingTimeInterval(300))
            // Each try used up, it is failed.
            for _ in 0..<6 { app.clock.advance(by: 86_400); _ = try await app.services.outboxSender.run() }
            let given = try #require(try await app.services.outbox.find(busy.id))
            #expect(given.status == .failed && given.attempts == 8)
            #expect(try server.received().count == 1)

            // A person sends a failed one again; a sent one cannot be.
            #expect(try await app.services.outbox.resend(gone.id, by: try await app.admin).status == .queued)
            await #expect(throws: GuanxiError.self) { try await app.services.outbox.resend(fine.id, by: try await app.admin) }
        }
    }

    @Test("Marketing never reaches someone who opted out — checked when queued and again when sent — while transactional mail does")
    func consent() async throws {
        let server = try SMTPTestServer()
        defer { server.stop() }
        try await TestApp.run(configure: configure(server)) { app, _ in
            let admin = try await app.admin
            var company = CustomerInput()
            (company.name, company.email) = ("星辰科技有限公司", "Info@XingChen.example.cn")
            company.consent[.email] = ("opted_out", "电话中要求")
            let customer = try await app.services.customers.create(company, by: admin)
            var person = ContactInput()
            (person.name, person.customerID) = ("王伟", .some(customer.id))
            person.emails = [ContactChannel(kind: .email, value: "Wang.Wei@xingchen.example.cn")]
            let contact = try await app.services.contacts.create(person, by: admin)
            var other = CustomerInput()
            other.name = "月亮湾贸易"
            let open = try await app.services.customers.create(other, by: admin)

            // By the customer's own address, by a contact's, and by what the message is about.
            let byCustomer = try await app.services.outbox.queue(try message(to: "info@xingchen.example.cn", purpose: .marketing), by: admin)
            let byContact = try await app.services.outbox.queue(try message(to: "wang.wei@XINGCHEN.example.cn", purpose: .marketing), by: admin)
            let byRecord = try await app.services.outbox.queue(try message(to: "someone@else.example", purpose: .marketing), about: (.contacts, contact.id!), by: admin)
            for entry in [byCustomer, byContact, byRecord] {
                #expect(entry.status == .skipped)
                #expect(entry.lastReply == "no consent: 星辰科技有限公司 opted out of e-mail")
            }
            let receipt = try await app.services.outbox.queue(try message(to: "wang.wei@xingchen.example.cn", purpose: .transactional), by: admin)
            let allowed = try await app.services.outbox.queue(try message(to: "buyer@yueliang.example", purpose: .marketing), about: (.customers, open.id!), by: admin)
            #expect(receipt.status == .queued && allowed.status == .queued)

            // Consent withdrawn after queueing: the sender checks again.
            var withdraw = CustomerInput()
            withdraw.name = "月亮湾贸易"
            withdraw.consent[.email] = ("opted_out", "退订")
            _ = try await app.services.customers.update(open.id!, withdraw, expectedVersion: nil, by: admin)
            // And an address unsubscribed by itself, with no customer behind it.
            let stranger = try await app.services.outbox.queue(try message(to: "Reader@news.example", purpose: .marketing), by: admin)
            try await app.services.outbox.suppress("reader@news.example", reason: "unsubscribed", source: "test", by: nil)

            #expect(try await app.services.outboxSender.run() == 1)
            #expect(try await app.services.outbox.find(receipt.id)?.status == .sent)
            let late = try #require(try await app.services.outbox.find(allowed.id))
            #expect(late.status == .skipped && late.lastReply == "no consent: 月亮湾贸易 opted out of e-mail")
            let unsubscribed = try #require(try await app.services.outbox.find(stranger.id))
            #expect(unsubscribed.status == .skipped && unsubscribed.lastReply == "suppressed: unsubscribed")
            #expect(try server.received().map { $0.envelope["to"] as? [String] } == [["wang.wei@xingchen.example.cn"]])
        }
    }

    @Test("A sender that died while handing messages over: they are recorded as uncertain, never sent twice; the rest go exactly once")
    func exactlyOnce() async throws {
        let server = try SMTPTestServer()
        defer { server.stop() }
        try await TestApp.run(configure: configure(server)) { app, _ in
            var ids: [UUID] = []
            for n in 0..<6 { ids.append(try await app.services.outbox.queue(try message(to: "customer\(n)@example.com"), by: nil).id) }
            // A process took two and was killed before finishing them.
            try await app.services.database.sql.raw("""
                UPDATE outbox_messages SET status = 'sending', locked_by = 'killed', locked_at = \(bind: app.clock.now()) WHERE id IN (\(bind: ids[0]), \(bind: ids[1]))
                """).run()
            #expect(try await app.services.outboxSender.run() == 4)
            // Still within the time a live sender may need: left alone.
            #expect(try await app.services.outbox.find(ids[0])?.status == .sending)
            app.clock.advance(by: 601)
            #expect(try await app.services.outboxSender.run() == 0)
            for id in ids.prefix(2) {
                let entry = try #require(try await app.services.outbox.find(id))
                #expect(entry.status == .uncertain && entry.lastReply?.contains("may or may not have arrived") == true)
            }
            #expect(try await app.services.outbox.counts() == [.sent: 4, .uncertain: 2])
            let arrived = try server.received().compactMap { ($0.envelope["to"] as? [String])?.first }
            #expect(arrived.sorted() == (2..<6).map { "customer\($0)@example.com" })
        }
    }

    @Test("A server that is down, silent, or without TLS: the messages wait in the queue with the reason, and no password goes out in plain text")
    func faults() async throws {
        let server = try SMTPTestServer()
        defer { server.stop() }
        let closed = try SMTPTestServer()
        let closedPort = closed.port
        closed.stop()
        try await TestApp.run(configure: { config in
            config.smtp = try! SMTPSettings.parse("smtp://u:p@127.0.0.1:\(closedPort)?starttls=off")
            config.mailFrom = Self.from
        }) { app, _ in
            let entry = try await app.services.outbox.queue(try message(to: "a@example.com"), by: nil)
            #expect(try await app.services.outboxSender.run() == 0)
            let waiting = try #require(try await app.services.outbox.find(entry.id))
            #expect(waiting.status == .queued && waiting.attempts == 0)
            #expect(waiting.lastReply?.hasPrefix("Cannot connect to the mail server 127.0.0.1:\(closedPort)") == true)
            #expect(waiting.nextAttemptAt == app.clock.now().addingTimeInterval(300))
        }
        let plain = try SMTPTestServer("--no-tls")
        defer { plain.stop() }
        try await TestApp.run(configure: { config in
            config.smtp = try! SMTPSettings.parse("smtp://u:p@localhost:\(plain.port)")
            config.mailFrom = Self.from
        }) { app, _ in
            let entry = try await app.services.outbox.queue(try message(to: "a@example.com"), by: nil)
            _ = try await app.services.outboxSender.run()
            #expect(try await app.services.outbox.find(entry.id)?.lastReply?.contains("does not offer STARTTLS") == true)
        }
        try await TestApp.run(configure: { config in
            config.smtp = try! SMTPSettings.parse("smtp://u:p@\(ProcessInfo.processInfo.hostName):\(plain.port)?starttls=optional")
            config.mailFrom = Self.from
        }) { app, _ in
            let entry = try await app.services.outbox.queue(try message(to: "a@example.com"), by: nil)
            _ = try await app.services.outboxSender.run()
            let reply = try await app.services.outbox.find(entry.id)?.lastReply
            #expect(reply?.contains("not encrypted; Guanxi does not send the mail password in plain text") == true || reply?.hasPrefix("Cannot connect") == true, "\(reply ?? "")")
        }
        // A server that takes the text and never answers: the message is uncertain, not sent again.
        try await TestApp.run(configure: configure(server, query: "&timeout=1")) { app, _ in
            let entry = try await app.services.outbox.queue(try message(to: "slow-he@example.com"), by: nil)
            // Queued a moment later, so it is sent after the slow one on every engine.
            app.clock.advance(by: 1)
            let next = try await app.services.outbox.queue(try message(to: "next@example.com"), by: nil)
            _ = try await app.services.outboxSender.run()
            let stuck = try #require(try await app.services.outbox.find(entry.id))
            #expect(stuck.status == .uncertain && stuck.lastReply?.contains("did not answer within") == true)
            // The one behind it goes on the next connection.
            let behind = try #require(try await app.services.outbox.find(next.id))
            #expect(behind.status == .queued, "\(behind)")
            app.clock.advance(by: 61)
            _ = try await app.services.outboxSender.run()
            #expect(try await app.services.outbox.find(next.id)?.status == .sent)
        }
    }

    @Test("GUANXI_SMTP_URL and GUANXI_MAIL_FROM are read with clear errors")
    func settings() throws {
        let tls = try SMTPSettings.parse("smtps://crm%40example.cn:p%40ss@smtp.example.cn")
        #expect(tls == SMTPSettings(host: "smtp.example.cn", port: 465, username: "crm@example.cn", password: "p@ss", security: .implicitTLS))
        #expect(tls.safeDescription == "smtps://crm@example.cn@smtp.example.cn:465")
        let relay = try SMTPSettings.parse("smtp://relay.local:25?starttls=off&timeout=10")
        #expect(relay.security == .off && relay.port == 25 && relay.timeout == 10 && relay.username == nil)
        #expect(try SMTPSettings.parse("smtp://h").port == 587)
        for (bad, says) in [("http://h", "must look like smtp://"), ("smtp://h?starttls=maybe", "starttls must be required, optional or off"),
                            ("smtps://h?starttls=off", "on an smtp:// address"), ("smtp://h?cafile=/no/such.pem", "cannot be read"),
                            ("smtp://h?timeout=0", "timeout must be"), ("smtp://h?tls=1", "unknown option \"tls\""), ("smtp://user@h", "without a password")] {
            #expect(throws: GuanxiError.self, "\(bad)") { try SMTPSettings.parse(bad) }
            do { _ = try SMTPSettings.parse(bad) } catch let error as GuanxiError { #expect(error.message.contains(says), "\(error.message)") }
        }
        let good = ["guanxi.mail.from": "关系 CRM <crm@example.cn>", "guanxi.smtp.url": "smtp://h:2525"]
        var parser = ConfigParser(read: { good[$0] })
        let config = parser.parse()
        let expected = try MailAddress("crm@example.cn", name: "关系 CRM")
        #expect(parser.problems.isEmpty && config.mailFrom == expected && config.mailConfigured)
        let bad = ["guanxi.mail.from": "not an address", "guanxi.smtp.url": "smtp://"]
        var broken = ConfigParser(read: { bad[$0] })
        _ = broken.parse()
        #expect(broken.problems.count == 2)
        #expect(broken.problems.contains { $0.hasPrefix("GUANXI_MAIL_FROM must be an e-mail address") })
    }

    @Test("The Date header and line endings are written by hand exactly as a formatter and a replacement would")
    func dateAndLineEnds() {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        var generator = SystemRandomNumberGenerator()
        let dates = [0, -1, 951_782_400, 4_107_542_399, 1_796_428_800] + (0..<2000).map { _ in Double(Int.random(in: -2_000_000_000...4_000_000_000, using: &generator)) }
        for seconds in dates {
            let date = Date(timeIntervalSince1970: seconds)
            #expect(MessageWriter.date(date) == formatter.string(from: date), "\(seconds)")
        }
        for text in ["a\nb", "a\r\nb", "a\rb", "a\r\rb\n\n", "王\n\r\n伟", "", "\n"] {
            let expected = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n").replacingOccurrences(of: "\n", with: "\r\n")
            #expect(MessageWriter.crlf(text) == expected)
        }
        #expect(Secrets.sha256Hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(Secrets.randomToken().count == 43 && !Secrets.randomToken().contains { "+/=".contains($0) })
        // Time-ordered ids sort by the moment they were made, and are version 7.
        let early = UUID.timeOrdered(at: Date(timeIntervalSince1970: 1_796_428_800)), late = UUID.timeOrdered(at: Date(timeIntervalSince1970: 1_796_428_801))
        #expect(early.uuidString < late.uuidString && early.uuidString.hasPrefix("01A2") && Array(early.uuidString)[14] == "7")
        #expect(Set((0..<1000).map { _ in UUID.timeOrdered() }).count == 1000)
        // Unsubscribe tokens: id and hashed secret; a link of the older form (the hash of the whole token) still resolves.
        let made = Outbox.unsubscribeToken(for: early)
        #expect(Outbox.unsubscribeHash(of: made.token) == made.hash && made.hash.hasPrefix("01a24380"))
        let older = Secrets.randomToken()
        #expect(Outbox.unsubscribeHash(of: older) == Secrets.sha256Hex(older))
    }

    @Test("Encoded words hold whole characters and decode to the subject; long headers fold under 78 characters")
    func encodedWords() throws {
        let subject = String(repeating: "关系管理😀", count: 12)
        let words = EncodedWords.words(subject)
        #expect(words.allSatisfy { $0.count <= 75 })
        let decoded = words.map { word -> String in
            let base64 = word.dropFirst("=?UTF-8?B?".count).dropLast(2)
            return String(data: Data(base64Encoded: String(base64))!, encoding: .utf8)!
        }.joined()
        #expect(decoded == subject)
        #expect(EncodedWords.text("Plain subject") == "Plain subject")
        #expect(EncodedWords.text("looks =?encoded?= but is not").hasPrefix("=?UTF-8?B?"))
        #expect(EncodedWords.phrase("Smith, John") == "\"Smith, John\"")
        let folded = EncodedWords.fold("Subject: " + EncodedWords.text(subject))
        #expect(folded.components(separatedBy: "\r\n").allSatisfy { $0.count <= 78 })
        #expect(folded.components(separatedBy: "\r\n").dropFirst().allSatisfy { $0.hasPrefix(" ") })
        for bad in ["a<b>@example.com", "王@example.com", "a@例子.中国", "a..b@example.com", "a@b..cn", "a b@example.com"] {
            #expect(throws: GuanxiError.self, "\(bad)") { try MailAddress(bad) }
        }
        #expect(try MailAddress("Li.Na+crm@XN--FIQS8S.cn").address == "Li.Na+crm@xn--fiqs8s.cn")
        // A name with a line break cannot start a header of its own.
        #expect(try MailAddress("a@b.cn", name: "x\r\nBcc: victim@example.com").header.contains("\r") == false)
    }

    @Test("The outbox page: counts by status, the server's answer, the message source escaped, sending a failed one again; only for its readers")
    func outboxPage() async throws {
        let server = try SMTPTestServer()
        defer { server.stop() }
        try await TestApp.run(configure: configure(server)) { app, client in
            _ = try await app.services.outbox.queue(try message(to: "perm-o'brien&co@example.com", subject: "<script>alert(1)</script> 报价"), by: nil)
            _ = try await app.services.outbox.queue(try message(to: "ok@example.com", subject: "确认函"), by: nil)
            _ = try await app.services.outboxSender.run()
            var admin = try await app.signedInBrowser(client, as: "postmaster")
            let list = try await admin.get("/admin/outbox").text
            #expect(list.contains("smtp://guanxi@localhost:\(server.port)"))
            #expect(list.contains(">全部 (2)</a>") && list.contains(">已发送 (1)</a>") && list.contains(">发送失败 (1)</a>"))
            #expect(list.contains("&lt;script&gt;alert(1)&lt;/script&gt; 报价") && !list.contains("<script>alert"))
            #expect(list.contains("550 recipient refused: 5.1.1 No such user here") && list.contains("perm-o&#39;brien&amp;co@example.com"))
            let failedOnly = try await admin.get("/admin/outbox?status=failed").text
            #expect(failedOnly.contains("报价") && !failedOnly.contains("确认函"))
            #expect(try await admin.get("/admin/outbox?status=lost").status == .badRequest)

            let failed = try #require(try await app.services.outbox.list(status: .failed).first)
            let detail = try await admin.get("/admin/outbox/\(failed.id)").text
            #expect(detail.contains("Subject: =?UTF-8?B?") && detail.contains("/admin/outbox/\(failed.id)/resend"))
            let resent = try await admin.post("/admin/outbox/\(failed.id)/resend", [:])
            #expect(resent.status == .seeOther && resent.headers[.location] == "/admin/outbox/\(failed.id)?notice=queued")
            #expect(try await app.services.outbox.find(failed.id)?.status == .queued)
            #expect(try await admin.get("/admin/outbox/\(failed.id)?notice=queued").text.contains("已加入发送队列。"))
            #expect(try await app.auditEntries(action: "update", kind: .outbox).first?.changes.first == FieldChange(field: "status", old: "failed", new: "queued"))
            // A sent message offers no resend, and refuses one.
            let sent = try #require(try await app.services.outbox.list(status: .sent).first)
            #expect(!(try await admin.get("/admin/outbox/\(sent.id)").text.contains("/resend")))
            #expect(try await admin.post("/admin/outbox/\(sent.id)/resend", [:]).status == .conflict)
            #expect(try await admin.get("/admin/status").text.contains("已发送：1"))

            var rep = try await app.signedInBrowser(client, as: "rep", admin: false)
            #expect(try await rep.get("/admin/outbox").status == .forbidden)
            #expect(try await rep.get("/admin/outbox/\(sent.id)").status == .forbidden)
            #expect(!(try await rep.get("/").text.contains("/admin/outbox")))
            #expect(try await admin.get("/").text.contains("href=\"/admin/outbox\""))
        }
        try await TestApp.run { app, client in
            var admin = try await app.signedInBrowser(client, as: "postmaster")
            #expect(try await admin.get("/admin/outbox").text.contains("尚未配置邮件服务器"))
            #expect(try await admin.get("/admin/status").text.contains("未配置（邮件在发件箱中等待）"))
        }
    }

    @Test("The outbox over the API: pages by cursor with no message lost between equal times, the source of one, resend; 403 without the grant")
    func outboxAPI() async throws {
        let server = try SMTPTestServer()
        defer { server.stop() }
        try await TestApp.run(configure: configure(server)) { app, client in
            // All queued at the same instant (the test clock stands still).
            for n in 0..<5 { _ = try await app.services.outbox.queue(try message(to: "n\(n)@example.com", subject: "第 \(n) 封"), by: nil) }
            _ = try await app.services.outbox.queue(try message(to: "perm-x@example.com"), by: nil)
            _ = try await app.services.outboxSender.run()
            let api = APIClient(client: client, token: try await app.token(for: "admin"))
            var seen: [String] = []
            var cursor: String?
            repeat {
                let page = try await api.call(.get, "/outbox?limit=2" + (cursor.map { "&cursor=\($0)" } ?? ""))
                #expect(page.status == .ok)
                seen += (page.json["items"] as? [[String: Any]] ?? []).compactMap { $0["recipient"] as? String }
                cursor = page.json["nextCursor"] as? String
            } while cursor != nil
            #expect(seen.count == 6 && Set(seen).count == 6)
            let failed = try await api.call(.get, "/outbox?status=failed").json["items"] as? [[String: Any]] ?? []
            #expect(failed.map { $0["recipient"] as? String } == ["perm-x@example.com"])
            #expect(failed.first?["lastReply"] as? String == "550 recipient refused: 5.1.1 No such user here")
            let id = try #require(failed.first?["id"] as? String)
            let one = try await api.call(.get, "/outbox/\(id)").json
            #expect((one["source"] as? String)?.contains("To: perm-x@example.com\r\n") == true)
            #expect(try await api.call(.post, "/outbox/\(id)/resend").json["status"] as? String == "queued")
            #expect(try await api.call(.post, "/outbox/\(id)/resend").status == .conflict)
            #expect(try await api.call(.get, "/outbox?cursor=nonsense").status == .badRequest)
            #expect(try await api.call(.get, "/outbox?status=lost").status == .badRequest)
            #expect(try await api.call(.get, "/outbox/\(UUID())").status == .notFound)

            try await app.makeUser("rep")
            let rep = APIClient(client: client, token: try await app.token(for: "rep"))
            #expect(try await rep.call(.get, "/outbox").status == .forbidden)
            #expect(try await rep.call(.post, "/outbox/\(id)/resend").status == .forbidden)
        }
    }

    @Test("Every marketing message can be refused in one click, without signing in: the address is never sent marketing again, and a customer's own address records the consent")
    func unsubscribe() async throws {
        let server = try SMTPTestServer()
        defer { server.stop() }
        try await TestApp.run(configure: { config in
            self.configure(server)(&config)
            config.publicURL = "https://crm.example.cn/"
        }) { app, client in
            let admin = try await app.admin
            var company = CustomerInput()
            (company.name, company.email) = ("星辰科技有限公司", "info@xingchen.example.cn")
            let customer = try await app.services.customers.create(company, by: admin)
            let offer = try await app.services.outbox.queue(try message(to: "Info@xingchen.example.cn", subject: "双十二优惠", purpose: .marketing), by: admin)
            _ = try await app.services.outboxSender.run()
            let read = try readMail(try #require(try server.received().first).file)
            let header = try #require(read["list_unsubscribe"] as? String)
            let link = try #require(header.wholeMatch(of: /<https:\/\/crm\.example\.cn(\/unsubscribe\/[0-9a-f]{32}[A-Za-z0-9_-]{43})>/)?.1)
            let text = (read["parts"] as? [[String: Any]])?.first?["text"] as? String ?? ""
            #expect(text.hasSuffix("退订 / Unsubscribe: https://crm.example.cn\(link)\n"))

            // Opening the link only asks (mail systems' link checkers open links).
            let ask = try await client.execute(uri: String(link), method: .get, headers: [:], body: nil)
            #expect(ask.status == .ok && ask.text.contains("Info@xingchen.example.cn") && ask.text.contains("双十二优惠"))
            #expect(try await app.services.outbox.isSuppressed("info@xingchen.example.cn") == false)
            // The mail program's one-click request (RFC 8058).
            let done = try await client.execute(uri: String(link), method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                                                body: .init(string: "List-Unsubscribe=One-Click"))
            #expect(done.status == .ok && done.text.contains("已退订"))
            #expect(try await app.services.outbox.isSuppressed("INFO@xingchen.example.cn"))
            let saved = try await app.services.customers.find(customer.id!, for: admin, action: .read)
            #expect(saved.consent(.email).status == .optedOut && saved.consent(.email).via == "unsubscribe link")
            let audit = try await app.auditEntries(action: "update", kind: .customers, id: customer.id!.uuidString)
            #expect(audit.first?.actorName == "system" && audit.first?.changes.contains(FieldChange(field: "consent_email", old: "unknown", new: "opted_out")) == true)
            // Again: nothing more happens.
            #expect(try await client.execute(uri: String(link), method: .post, headers: [:], body: nil).status == .ok)
            #expect(try await app.auditEntries(action: "update", kind: .customers, id: customer.id!.uuidString).count == 1)

            let next = try await app.services.outbox.queue(try message(to: "info@xingchen.example.cn", purpose: .marketing), by: admin)
            #expect(next.status == .skipped)
            #expect(try await app.services.outbox.queue(try message(to: "info@xingchen.example.cn"), by: admin).status == .queued)
            #expect(offer.status == .queued)
            #expect(try await client.execute(uri: "/unsubscribe/\(String(repeating: "x", count: 43))", method: .get, headers: [:], body: nil).status == .notFound)
        }
    }

    @Test("Forgot password: the same answer for any name, a link by e-mail that works once for 30 minutes, sessions ended, everything audited")
    func passwordReset() async throws {
        let server = try SMTPTestServer()
        defer { server.stop() }
        try await TestApp.run(configure: { config in
            self.configure(server)(&config)
            config.publicURL = "https://crm.example.cn"
        }) { app, client in
            let user = try await app.makeUser("zhou.min")
            try await app.services.database.sql.update("users").set("email", to: "Zhou.Min@example.cn").where("id", .equal, user.id!).run()
            var old = Browser(client)
            #expect(try await old.signIn("zhou.min", "Secret-pass-42").status == .seeOther)

            var visitor = Browser(client)
            #expect(try await visitor.get("/login").text.contains("href=\"/password/forgot\""))
            _ = try await visitor.get("/password/forgot")
            let unknown = try await visitor.post("/password/forgot", ["username": "nobody"])
            let known = try await visitor.post("/password/forgot", ["username": "zhou.min@EXAMPLE.cn"])
            #expect(unknown.status == .ok && known.status == .ok)
            #expect(unknown.text.contains("如果该账号存在") && known.text.contains("如果该账号存在"))
            #expect(try await visitor.post("/password/forgot", ["username": " "]).status == .badRequest)

            _ = try await app.services.outboxSender.run()
            let received = try server.received()
            try #require(received.count == 1)
            #expect(received[0].envelope["to"] as? [String] == ["Zhou.Min@example.cn"])
            let mail = try readMail(received[0].file)
            #expect(mail["subject"] as? String == "设置关系 CRM 新密码")
            let text = (mail["parts"] as? [[String: Any]])?.first?["text"] as? String ?? ""
            let path = String(try #require(text.firstMatch(of: /https:\/\/crm\.example\.cn(\/password\/reset\/[A-Za-z0-9_-]{43})/)?.1))

            #expect(try await visitor.get(path).status == .ok)
            #expect(try await visitor.post(path, ["password": "Neues-Passwort-77", "confirmation": "Neues-Passwort-78"]).text.contains("两次输入的密码不一致"))
            #expect(try await visitor.post(path, ["password": "short", "confirmation": "short"]).status == .badRequest)
            let done = try await visitor.post(path, ["password": "Neues-Passwort-77", "confirmation": "Neues-Passwort-77"])
            #expect(done.status == .ok && done.text.contains("新密码已设置"))
            // Once only; the old session is over; the new password works.
            #expect(try await visitor.get(path).status == .notFound)
            #expect(try await old.get("/").headers[.location] == "/login")
            var fresh = Browser(client)
            #expect(try await fresh.signIn("zhou.min", "Neues-Passwort-77").headers[.location] == "/")
            let audit = try await app.auditEntries(action: "password_reset", kind: .users, id: user.id!.uuidString)
            #expect(audit.map { $0.changes.first?.new } == ["used", "sent"])

            // A second link expires after 30 minutes.
            _ = try await visitor.post("/password/forgot", ["username": "zhou.min"])
            _ = try await app.services.outboxSender.run()
            let second = try readMail(try #require(try server.received().last).file)
            let later = String(try #require(((second["parts"] as? [[String: Any]])?.first?["text"] as? String ?? "").firstMatch(of: /(\/password\/reset\/[A-Za-z0-9_-]{43})/)?.1))
            app.clock.advance(by: 31 * 60)
            #expect(try await visitor.get(later).status == .notFound)
        }
        // Without mail there is no such page, and the sign-in page does not offer it.
        try await TestApp.run { _, client in
            var visitor = Browser(client)
            let login = try await visitor.get("/login").text
            let page = try await visitor.get("/password/forgot")
            #expect(!login.contains("/password/forgot") && page.status == .notFound)
        }
    }
}
