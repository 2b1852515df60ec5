@testable import GuanxiServer
@testable import GuanxiCustomerFile
@testable import GuanxiSales
@testable import GuanxiCustomerAnalytics
@testable import GuanxiDataExchange
import Testing
@testable import GuanxiPlatform

@Suite("CSV reading")
struct CSVReaderTests {
    /// Quoted separators, doubled quotes, a quote inside an unquoted field, line breaks in
    /// quotes (CR LF read as LF), empty and trailing empty fields, a blank line, Chinese.
    static let file = "姓名,公司,备注\r\n张三,\"星辰, 北京\",\"他说\"\"好\"\"\"\r\n李四,5\"寸,\"第一行\r\n第二行\"\r\n\r\n王五,,\n\"\",赵\"六\",末行"
    static let expected: [(line: Int, fields: [String])] = [
        (1, ["姓名", "公司", "备注"]), (2, ["张三", "星辰, 北京", "他说\"好\""]), (3, ["李四", "5\"寸", "第一行\n第二行"]),
        (6, ["王五", "", ""]), (7, ["", "赵\"六\"", "末行"]),
    ]

    @Test("Fields are read whole — quotes, separators and line breaks inside quotes, empty fields — with the line each row starts on")
    func wholeFile() throws {
        let rows = try CSVReader(detectingFrom: Self.file).rows(Self.file)
        #expect(rows.map(\.line) == Self.expected.map(\.line))
        #expect(rows.map(\.fields) == Self.expected.map(\.fields))
    }

    @Test("Read a window at a time, cut at every byte, the rows come out the same")
    func windows() throws {
        let bytes = Array(Self.file.utf8)
        for cut in 0...bytes.count {
            var rows = CSVReader.Rows(bytes: bytes[..<cut], separator: UInt8(ascii: ","), isEnd: false)
            var read: [CSVReader.Row] = []
            var grown = false
            while true {
                do {
                    guard let row = try rows.next() else { break }
                    read.append(row)
                } catch is CSVReader.NeedsMore {
                    #expect(!grown, "cut at \(cut): the whole file still needs more")
                    rows = CSVReader.Rows(bytes: ArraySlice(Array(rows.rest) + bytes[cut...]), separator: rows.separator, line: rows.line, isEnd: true)
                    grown = true
                }
            }
            #expect(read.map(\.line) == Self.expected.map(\.line), "cut at \(cut)")
            #expect(read.map(\.fields) == Self.expected.map(\.fields), "cut at \(cut)")
        }
    }

    @Test("A quote never closed is refused with the line where its field began")
    func unclosed() {
        #expect(throws: GuanxiError.self) { try CSVReader(detectingFrom: "a,b\n1,\"open\n2,3\n").rows("a,b\n1,\"open\n2,3\n") }
    }
}
