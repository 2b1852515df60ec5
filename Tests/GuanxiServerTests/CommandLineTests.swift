import Foundation
import GuanxiPlatform
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// Runs the real `guanxi` binary that `swift test` builds next to the test bundle.
@Suite("Command line", .serialized)
struct CommandLineTests {
    struct Outcome { let status: Int32; let out: String; let err: String }

    static var binary: URL {
        var dir = Bundle.main.bundleURL
        while dir.path != "/" && !FileManager.default.fileExists(atPath: dir.appendingPathComponent("guanxi").path) {
            dir = dir.deletingLastPathComponent()
        }
        return dir.appendingPathComponent("guanxi")
    }

    let dataDir = FileManager.default.temporaryDirectory.appendingPathComponent("gx-cli-\(UUID().uuidString)").path

    /// Environment without any GUANXI_ setting of the caller's, plus `extra`.
    func environment(_ extra: [String: String]) -> [String: String] {
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("GUANXI_") }
        env["GUANXI_LOG_LEVEL"] = "error"
        env.merge(extra) { $1 }
        return env
    }

    func run(_ arguments: [String], env: [String: String] = [:], stdin: URL? = nil) throws -> Outcome {
        let process = try start(arguments, env: env, stdin: stdin)
        process.waitUntilExit()
        return outcome(process)
    }

    func start(_ arguments: [String], env: [String: String] = [:], stdin: URL? = nil) throws -> Process {
        #expect(FileManager.default.isExecutableFile(atPath: Self.binary.path), "guanxi binary not found beside the tests")
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = arguments
        process.environment = environment(env)
        process.currentDirectoryURL = FileManager.default.temporaryDirectory
        process.standardOutput = Pipe()
        process.standardError = Pipe()
        if let stdin { process.standardInput = try FileHandle(forReadingFrom: stdin) }
        try process.run()
        return process
    }

    func outcome(_ process: Process) -> Outcome {
        let out = (process.standardOutput as! Pipe).fileHandleForReading.readDataToEndOfFile()
        let err = (process.standardError as! Pipe).fileHandleForReading.readDataToEndOfFile()
        return Outcome(status: process.terminationStatus, out: String(decoding: out, as: UTF8.self), err: String(decoding: err, as: UTF8.self))
    }

    @Test("--help lists every command; bad arguments exit non-zero and say what is wrong")
    func help() throws {
        let help = try run(["--help"])
        #expect(help.status == 0)
        for command in ["serve", "migrate", "user", "analyze", "backup", "restore"] { #expect(help.out.contains(command)) }
        let userHelp = try run(["user", "--help"])
        for command in ["add", "passwd", "disable", "token"] { #expect(userHelp.out.contains(command)) }
        let missing = try run(["user", "add"])
        #expect(missing.status != 0)
        #expect(missing.err.contains("Missing expected argument"))
        let unknown = try run(["frobnicate"])
        #expect(unknown.status != 0)
        let steps = try run(["migrate", "--revert", "--steps", "0", "--data-dir", dataDir])
        #expect(steps.status != 0)
        #expect(steps.err.contains("--steps must be 1 or more"))
    }

    @Test("guanxi analyze scores the customer file and prints a JSON summary; bad options are refused")
    func analyze() throws {
        defer { try? FileManager.default.removeItem(atPath: dataDir) }
        let run = try self.run(["analyze", "--as-of", "2026-06-30", "--time-unit", "day", "--json", "--data-dir", dataDir])
        #expect(run.status == 0, "\(run.err)")
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(run.out.utf8)) as? [String: Any])
        #expect(summary["asOf"] as? String == "2026-06-30")
        #expect(summary["timeUnit"] as? String == "day")
        #expect(summary["customers"] as? Int == 0)
        #expect((summary["skipped"] as? [String])?.isEmpty == false)
        let text = try self.run(["analyze", "--data-dir", dataDir])
        #expect(text.status == 0)
        #expect(text.out.contains("Scored 0 customers"))
        let unit = try self.run(["analyze", "--time-unit", "month", "--data-dir", dataDir])
        #expect(unit.status != 0)
        #expect(unit.err.contains("--time-unit must be day or week"))
        let date = try self.run(["analyze", "--as-of", "30/06/2026", "--data-dir", dataDir])
        #expect(date.status != 0)
        #expect(date.err.contains("YYYY-MM-DD"))
    }

    @Test("A shop's purchase history is analysed in two commands: guanxi import purchases, then guanxi analyze")
    func importThenAnalyze() throws {
        defer { try? FileManager.default.removeItem(atPath: dataDir) }
        var csv = "customer,date,amount,items,order\n"
        for c in 0..<30 {
            for k in 0..<(1 + c % 4) {
                let month = 1 + (c + k * 3) % 12
                csv += "buyer\(c)@shop.cn,2025-\(month < 10 ? "0" : "")\(month)-1\(k),\(100 + c * 10),茶叶;茶具,O-\(c)-\(k)\n"
            }
        }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("gx-purchases-\(UUID().uuidString).csv").path
        try Data(csv.utf8).write(to: URL(fileURLWithPath: file))
        defer { try? FileManager.default.removeItem(atPath: file) }
        let missing = try run(["import", "purchases", file, "--data-dir", dataDir])
        #expect(missing.status == 0)
        #expect(missing.out.contains("Imported 73 of 73 rows: created 0, updated 0, skipped 0, rejected 73."), "\(missing.out)")
        let loaded = try run(["import", "purchases", file, "--create-missing-customers", "--data-dir", dataDir])
        #expect(loaded.status == 0, "\(loaded.err)")
        #expect(loaded.out.contains("Imported 73 of 73 rows: created 73, updated 0, skipped 0, rejected 0."), "\(loaded.out)")
        let analysis = try run(["analyze", "--as-of", "2025-12-31", "--json", "--data-dir", dataDir])
        #expect(analysis.status == 0, "\(analysis.err)")
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(analysis.out.utf8)) as? [String: Any])
        #expect(summary["customers"] as? Int == 30 && summary["purchases"] as? Int == 73)
        let model = try #require(summary["purchaseModel"] as? [String: Any])
        #expect(model["logLikelihood"] is Double)
    }

    @Test("Contacts come in with guanxi import (tagged, rejects written, revertable) and go out with guanxi export")
    func importAndExport() throws {
        defer { try? FileManager.default.removeItem(atPath: dataDir) }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gx-cards-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let (cards, rejects, out) = (folder.appendingPathComponent("cards.csv").path, folder.appendingPathComponent("rejects.csv").path, folder.appendingPathComponent("out.csv").path)
        try Data("姓名,公司,手机\n王伟,星辰科技,138 0013 8000\n坏行\n李娜,星辰科技,139 1111 2222\n".utf8).write(to: URL(fileURLWithPath: cards))
        let dry = try run(["import", "contacts", cards, "--dry-run", "--data-dir", dataDir])
        #expect(dry.status == 0, "\(dry.err)")
        #expect(dry.out.contains("Dry run of 3 rows: would create 2, update 0; skipped 0, rejected 1."))
        let imported = try run(["import", "contacts", cards, "--tag", "广交会", "--rejects", rejects, "--data-dir", dataDir])
        #expect(imported.status == 0, "\(imported.err)")
        #expect(imported.out.contains("Imported 3 of 3 rows: created 2, updated 0, skipped 0, rejected 1."))
        #expect(imported.err.contains("100% (3/3 rows)"))
        #expect(String(decoding: try Data(contentsOf: URL(fileURLWithPath: rejects)), as: UTF8.self).contains("坏行,,,3,,The row has 1 fields where the header has 3."))
        let job = try #require(imported.out.split(separator: "\n").first { $0.hasPrefix("To undo it: guanxi import --revert ") }?.split(separator: " ").last)
        let exported = try run(["export", "contacts", out, "--filter", "col=customer&col=phones", "--locale", "en", "--no-bom", "--data-dir", dataDir])
        #expect(exported.status == 0, "\(exported.err)")
        #expect(String(decoding: try Data(contentsOf: URL(fileURLWithPath: out)), as: UTF8.self) == "Name,Customers,Phones\r\n李娜,星辰科技,139 1111 2222\r\n王伟,星辰科技,138 0013 8000\r\n")
        // A path that names something else (a link here; /dev/stdout, a pipe) is written through, not replaced.
        let link = folder.appendingPathComponent("link.csv").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: out)
        #expect(try run(["export", "contacts", link, "--filter", "col=title", "--locale", "en", "--no-bom", "--data-dir", dataDir]).status == 0)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link) == out)
        #expect(String(decoding: try Data(contentsOf: URL(fileURLWithPath: out)), as: UTF8.self) == "Name,Title\r\n李娜,\r\n王伟,\r\n")
        #expect(try run(["export", "contacts", folder.appendingPathComponent("no-such-folder/x.csv").path, "--data-dir", dataDir]).err.contains("No such file or directory"))
        let reverted = try run(["import", "--revert", String(job), "--data-dir", dataDir])
        #expect(reverted.status == 0, "\(reverted.err)")
        #expect(try run(["export", "customers", out, "--no-bom", "--data-dir", dataDir]).status == 0)
        #expect(String(decoding: try Data(contentsOf: URL(fileURLWithPath: out)), as: UTF8.self).split(separator: "\r\n").count == 1)
    }

    @Test("Users, tokens, migrations and backups from the shell")
    func administration() throws {
        defer { try? FileManager.default.removeItem(atPath: dataDir) }
        let add = try run(["user", "add", "mei.lin", "--display-name", "林美", "--password", "Mei-lin-2026", "--data-dir", dataDir])
        #expect(add.status == 0, "\(add.err)")
        #expect(add.out.contains("Created user mei.lin"))
        let duplicate = try run(["user", "add", "mei.lin", "--password", "Mei-lin-2026", "--data-dir", dataDir])
        #expect(duplicate.status == 1)
        #expect(duplicate.err.contains("already taken"))
        let token = try run(["user", "token", "mei.lin", "--name", "script", "--data-dir", dataDir])
        #expect(token.status == 0)
        #expect(token.out.hasPrefix("gx_"))
        let weak = try run(["user", "passwd", "mei.lin", "--password", "short", "--data-dir", dataDir])
        #expect(weak.status == 1)
        #expect(weak.err.hasPrefix("guanxi: The password must be at least 10 characters"))
        let reset = try run(["user", "passwd", "mei.lin", "--data-dir", dataDir])
        #expect(reset.out.contains("One-time password:"))
        let nobody = try run(["user", "disable", "nobody", "--data-dir", dataDir])
        #expect(nobody.status == 1)
        #expect(nobody.err.contains("There is no user named \"nobody\""))
        #expect(try run(["user", "disable", "mei.lin", "--data-dir", dataDir]).status == 0)
        #expect(try run(["migrate", "--data-dir", dataDir]).out.contains("Nothing to do"))
        let file = dataDir + "/copy.sqlite"
        #expect(try run(["backup", file, "--data-dir", dataDir]).status == 0)
        let again = try run(["backup", file, "--data-dir", dataDir])
        #expect(again.status == 1)
        #expect(again.err.contains("already exists"))
    }

    @Test("Unusable settings stop the start with one clear line")
    func badSettings() throws {
        let url = try run(["serve", "--data-dir", dataDir], env: ["GUANXI_DATABASE_URL": "mysql://root:hunter2@db/crm"])
        #expect(url.status == 1)
        #expect(url.err.contains("GUANXI_DATABASE_URL must look like postgres://"))
        #expect(!url.err.contains("hunter2"))
        let unreachable = try run(["serve", "--data-dir", dataDir], env: ["GUANXI_DATABASE_URL": "postgres://crm:hunter2@127.0.0.1:1/crm"])
        #expect(unreachable.status == 1)
        #expect(unreachable.err.contains("guanxi: Cannot use the database postgres://crm:***@127.0.0.1:1/crm"))
        #expect(!unreachable.err.contains("hunter2"))
        let port = try run(["serve", "--port", "http", "--data-dir", dataDir])
        #expect(port.status == 1)
        #expect(port.err.contains("GUANXI_PORT must be a whole number"))
        let folder = try run(["serve", "--data-dir", "/proc/guanxi-cannot-write"])
        #expect(folder.status == 1)
        #expect(folder.err.contains("data folder"))
    }

    @Test("serve answers, refuses a port in use, and stops cleanly on SIGINT")
    func serve() async throws {
        defer { try? FileManager.default.removeItem(atPath: dataDir) }
        let port = Int.random(in: 20_000...40_000)
        let server = try start(["serve", "--port", String(port), "--data-dir", dataDir], env: ["GUANXI_ADMIN_PASSWORD": "First-admin-2026"])
        var healthy = false
        for _ in 0..<100 where !healthy {
            try await Task.sleep(for: .milliseconds(100))
            if let (data, _) = try? await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)/health")!) {
                healthy = String(decoding: data, as: UTF8.self).contains("ok")
            }
        }
        #expect(healthy)
        let second = try run(["serve", "--port", String(port), "--data-dir", dataDir + "-2"])
        try? FileManager.default.removeItem(atPath: dataDir + "-2")
        #expect(second.status == 1)
        #expect(second.err.contains("already in use"))
        server.interrupt()
        server.waitUntilExit()
        #expect(server.terminationStatus == 0)
        #expect(outcome(server).out.contains("listening on http://127.0.0.1:\(port)"))
    }

    @Test("guanxi mail test sends through the configured server and prints its answer; without settings it says what to set")
    func mailTest() throws {
        defer { try? FileManager.default.removeItem(atPath: dataDir) }
        let server = try SMTPTestServer()
        defer { server.stop() }
        let env = ["GUANXI_SMTP_URL": server.url(), "GUANXI_MAIL_FROM": "关系 CRM <crm@guanxi.example.cn>"]
        let sent = try run(["mail", "test", "--to", "li.na@example.cn", "--data-dir", dataDir], env: env)
        #expect(sent.status == 0, "\(sent.err) \(sent.out)")
        #expect(sent.out.hasPrefix("sent: 250 2.0.0 Queued as 000001"))
        let many = try run(["mail", "test", "--to", "li.na@example.cn", "--count", "20", "--data-dir", dataDir], env: env)
        #expect(many.out.contains("Queued 20 in") && many.out.contains("sent 20 in"), "\(many.out)")
        #expect(try server.received().count == 21)
        let refused = try run(["mail", "test", "--to", "perm-x@example.cn", "--data-dir", dataDir], env: env)
        #expect(refused.status != 0 && refused.out.contains("failed: 550 recipient refused"))
        let unset = try run(["mail", "test", "--to", "li.na@example.cn", "--data-dir", dataDir])
        #expect(unset.status != 0 && unset.err.contains("Mail is not configured: set GUANXI_SMTP_URL and GUANXI_MAIL_FROM"))
        let bad = try run(["mail", "test", "--to", "not an address", "--data-dir", dataDir], env: env)
        #expect(bad.status != 0)
    }

    @Test("guanxi mail receive takes a message on standard input, once; exit codes tell a mail server to return it (65) or try again (75)")
    func mailReceive() throws {
        defer { try? FileManager.default.removeItem(atPath: dataDir) }
        let fixture = projectRoot.appendingPathComponent("Tests/GuanxiServerTests/Fixtures/Mail/big5-sample.eml")
        let first = try run(["mail", "receive", "--data-dir", dataDir], stdin: fixture)
        #expect(first.status == 0, "\(first.err)")
        #expect(first.out.hasPrefix("unmatched: ") && first.out.contains("Nobody it names is known."), "\(first.out)")
        let again = try run(["mail", "receive", "--data-dir", dataDir], stdin: fixture)
        #expect(again.status == 0 && again.out.hasPrefix("already received: "), "\(again.out)")
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("empty-\(UUID().uuidString).eml")
        try Data().write(to: empty)
        defer { try? FileManager.default.removeItem(at: empty) }
        let nothing = try run(["mail", "receive", "--data-dir", dataDir], stdin: empty)
        #expect(nothing.status == 65 && nothing.err.contains("The message is empty."))
        let big = try run(["mail", "receive", "--data-dir", dataDir], env: ["GUANXI_MAIL_MAX_BYTES": "1024"],
                          stdin: projectRoot.appendingPathComponent("Tests/GuanxiServerTests/Fixtures/Mail/dsn-bounce.eml"))
        #expect(big.status == 65 && big.err.contains("The message is larger than"))
        let broken = try run(["mail", "receive", "--data-dir", "/proc/no-such-place"], stdin: fixture)
        #expect(broken.status == 75)
        // Saved messages, several at once: each taken once, the odd one refused by name.
        let folder = projectRoot.appendingPathComponent("Tests/GuanxiServerTests/Fixtures/Mail")
        let saved = try run(["mail", "receive", "--data-dir", dataDir] + ["big5-sample.eml", "auto-reply.eml", "dsn-bounce.eml"].map { folder.appendingPathComponent($0).path }
                            + [empty.path])
        #expect(saved.status == 0 && saved.out.contains("Took 4 messages in") && saved.out.contains("already received 1, bounce 1, refused 1, unmatched 1"), "\(saved.out) \(saved.err)")
        #expect(saved.err.contains("\(empty.path): The message is empty."))
    }
}
