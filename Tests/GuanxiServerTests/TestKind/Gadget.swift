import Foundation
import HummingbirdTesting
@testable import GuanxiServer
@testable import GuanxiCustomerFile
@testable import GuanxiSales
@testable import GuanxiCustomerAnalytics
@testable import GuanxiDataExchange
@testable import GuanxiPlatform

/// A kind of record that exists only in the tests: the lab's gadgets. It is declared as
/// data and registered in one line (`TestApp.runWithGadgets`), and everything the shared
/// features offer must then work for it without a line of code anywhere else.
enum Gadget {
    static let kind = RecordKind(rawValue: "gadgets")

    static let schema = RecordSchema(kind: kind, fields: [
        .init("name", headers: ["名称"]),
        .init("serial", searchable: true, headers: ["序列号"]),
        .init("model", searchable: true),
        .init("price", .number),
        .init("bought_on", .date),
    ], duplicateFields: [("serial", "email")])
}

extension TestApp {
    /// A test app that knows gadgets.
    static func runWithGadgets(_ body: @escaping @Sendable (TestApp, any TestClientProtocol) async throws -> Void) async throws {
        try await run(register: { $0.records.register(.schema(Gadget.schema, $0.customerFile)) }, body)
    }

    var gadgets: SchemaRecords {
        SchemaRecords(Gadget.schema, services: services.customerFile)
    }
}
