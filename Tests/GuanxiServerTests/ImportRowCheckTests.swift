import Foundation
@testable import GuanxiServer
@testable import GuanxiCustomerFile
@testable import GuanxiSales
@testable import GuanxiCustomerAnalytics
@testable import GuanxiDataExchange
import GuanxiPlatform
import Testing

/// The rules that decide what an import row does, checked without a database.
@Suite("Import row decisions")
struct ImportRowCheckTests {
    typealias Decision = ImportRowCheck.Decision
    let a = UUID(), b = UUID()

    func decide(_ mode: ImportSettings.Mode, _ duplicates: ImportSettings.Duplicates = .skip, key: String? = "a@example.cn",
                matches: [UUID] = [], earlierLine: Int? = nil) -> Decision {
        ImportRowCheck.decide(mode: mode, duplicates: duplicates, keyHeader: "邮箱", keyValue: key, matches: matches, earlierLine: earlierLine)
    }

    /// The locale key of a refusal, and whether it was a chosen skip.
    func refusal(_ decision: Decision) -> (key: String, skipped: Bool)? {
        if case .refuse(let reason, let skipped) = decision { return (reason.key, skipped) }
        return nil
    }

    @Test("Create mode: a new key creates; a known one is skipped, merged or created again as chosen")
    func createMode() {
        #expect(decide(.create) == .create)
        #expect(decide(.create, key: nil) == .create)
        #expect(refusal(decide(.create, .skip, matches: [a]))! == ("msg.import_duplicate_record", true))
        #expect(refusal(decide(.create, .skip, matches: [a], earlierLine: 7))! == ("msg.import_duplicate_row", true))
        #expect(decide(.create, .merge, matches: [a]) == .update(a, merge: true))
        #expect(decide(.create, .create, matches: [a]) == .create)
    }

    @Test("Update mode changes the one record its key finds; upsert creates when it finds none")
    func updateAndUpsert() {
        #expect(decide(.update, matches: [a]) == .update(a, merge: false))
        #expect(refusal(decide(.update))! == ("msg.import_no_match", false))
        #expect(decide(.upsert, matches: [a]) == .update(a, merge: false))
        #expect(decide(.upsert) == .create)
    }

    @Test("A key that finds two records, or a blank key outside create mode, refuses the row and names the column")
    func ambiguousAndBlank() {
        for mode in ImportSettings.Mode.allCases {
            let decision = decide(mode, .merge, matches: [a, b])
            #expect(refusal(decision)! == ("msg.import_ambiguous", false), "\(mode)")
            if case .refuse(let reason, _) = decision { #expect(reason.arguments == ["count": "2", "field": "邮箱", "value": "a@example.cn"]) }
        }
        #expect(refusal(decide(.update, key: nil))! == ("msg.import_key_blank", false))
        #expect(refusal(decide(.upsert, key: nil))! == ("msg.import_key_blank", false))
    }

    @Test("The key's value is the first entry of a list, without its label; a ragged row says both counts")
    func keyValues() {
        #expect(ImportRowCheck.keyValue(["phones": "手机: 138 0013 8000\n座机: 010-1234"], keyField: "phones") == "138 0013 8000")
        #expect(ImportRowCheck.keyValue(["emails": "wang@example.cn"], keyField: "emails") == "wang@example.cn")
        #expect(ImportRowCheck.keyValue(["emails": "wang@example.cn"], keyField: nil) == nil)
        #expect(ImportRowCheck.unlabelled("Work: a@b.cn") == "a@b.cn")
        #expect(ImportRowCheck.unlabelled("wang@example.cn") == "wang@example.cn")
        #expect(ImportRowCheck.unlabelled("2024: x") == "2024: x")
        #expect(ImportRowCheck.ragged(fields: 3, expected: 5).arguments == ["count": "3", "expected": "5"])
    }
}

/// How import cells are read, checked without a database.
@Suite("Import cell values")
struct ImportCellTests {
    @Test("A list cell splits on each separator, trims its entries and drops empty ones; a cell with none is one value")
    func listCells() {
        #expect(ImportValues.list("138 0013 8000") == ["138 0013 8000"])
        #expect(ImportValues.list("  王秀英@example.cn \r\n") == ["王秀英@example.cn"])
        #expect(ImportValues.list("") == [])
        #expect(ImportValues.list("   ") == [])
        #expect(ImportValues.list("a@x.cn;b@x.cn") == ["a@x.cn", "b@x.cn"])
        #expect(ImportValues.list("a|b\nc\r\nd") == ["a", "b", "c", "d"])
        #expect(ImportValues.list("上海；北京、深圳") == ["上海", "北京", "深圳"])
        #expect(ImportValues.list("; ;a;;") == ["a"])
        // Characters that share a separator's lead byte but are none.
        #expect(ImportValues.list("のぞみ。（東京）") == ["のぞみ。（東京）"])
    }

    @Test("A cell of phones or e-mails is one way a line, labelled when a label and a colon lead it")
    func ways() {
        func read(_ text: String?, _ kind: ContactChannel.Kind = .phone) -> [String]? {
            ContactPages.channels(text, kind: kind)?.map { way in (way.label.map { "\($0)=" } ?? "") + way.value }
        }
        #expect(read(nil) == nil)
        #expect(read("") == [])
        #expect(read("  ") == [])
        #expect(read(" +86 138 0013 8000 ") == ["+86 138 0013 8000"])
        #expect(read("li@example.cn", .email) == ["li@example.cn"])
        #expect(read("工作: li@example.cn\n私人：li@qq.com\r\n\nwang@example.cn", .email) == ["工作=li@example.cn", "私人=li@qq.com", "wang@example.cn"])
        #expect(read("Mobile: +86 138 0013 8000\u{2028}010-6552 1234") == ["Mobile=+86 138 0013 8000", "010-6552 1234"])
        // Digits before a colon are part of the value; so is an e-mail's local part.
        #expect(read("0755:8888 1234") == ["0755:8888 1234"])
        #expect(read("li@example.cn:x", .email) == ["li@example.cn:x"])
    }

    @Test("UTF-8 is told from other bytes, whole or cut at a character")
    func utf8() {
        #expect(TextDecoding.isUTF8(Array("王秀英 Zhang, 138".utf8)))
        #expect(TextDecoding.isUTF8([UInt8]()))
        #expect(!TextDecoding.isUTF8([0xCD, 0xF5, 0xD0, 0xE3]))  // 王秀 in GB18030
        #expect(!TextDecoding.isUTF8(Array(Array("王".utf8).prefix(2))))
        #expect(!TextDecoding.isUTF8([0xC0, 0x80]))  // an overlong NUL
        #expect(!TextDecoding.isUTF8([0xED, 0xA0, 0x80]))  // a surrogate
    }
}
