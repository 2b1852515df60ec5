import Foundation
@testable import GuanxiServer
@testable import GuanxiCustomerFile
@testable import GuanxiSales
@testable import GuanxiCustomerAnalytics
@testable import GuanxiDataExchange
import GuanxiPlatform
import Testing

/// A client that names a kind of record, or a format, the registry does not offer is told
/// which ones it does, and nothing is written.
@Suite("Kinds and formats a client names")
struct RegistryInputTests {
    @Test("Unknown kinds and formats are refused with the choices the registry offers")
    func unknownKindsAndFormats() async throws {
        try await TestApp.run { app, client in
            let admin = try await app.admin
            let exporter = FileExport(services: app.services.customerFile)
            let path = NSTemporaryDirectory() + "never-\(UUID().uuidString).csv"
            for (kind, format, field, words) in [("gizmos", "csv", "kind", "kind must be one of customers, contacts, leads, opportunities, activities"),
                                                 ("customers", "vcard4", "format", "vcard4 files hold contacts, not customers"),
                                                 ("contacts", "pdf", "format", "pdf files hold nothing Guanxi exports, not contacts")] {
                do {
                    _ = try await exporter.run(kind, to: path, view: nil, filters: nil, locale: "en", byteOrderMark: false, format: format, by: admin)
                    Issue.record("\(kind) as \(format) was exported")
                } catch let error as GuanxiError {
                    #expect(error.field == field && error.message.hasPrefix(words), "\(error.message)")
                }
            }
            #expect(!FileManager.default.fileExists(atPath: path))

            let imports = DataImport(services: app.services.customerFile)
            do {
                _ = try await imports.start(RecordKind(rawValue: "gizmos"), fileName: "x.csv", data: Data("name\nx\n".utf8), settings: ImportSettings(), queue: false, by: admin)
                Issue.record("an unknown kind was imported")
            } catch let error as GuanxiError {
                #expect(error.field == "kind" && error.message.contains("purchases"), "\(error.message)")
            }

            // An activity can be about a kind with a timeline only.
            let api = APIClient(client: client, token: try await app.token(for: "admin"))
            let bad = try await api.call(.post, "/activities", json: #"{"kind":"note","subject":"x","relatedKind":"purchases","relatedId":"\#(UUID().uuidString)"}"#)
            #expect(bad.status == .badRequest)
            #expect(bad.errorBody["field"] as? String == "relatedKind")
            #expect((bad.errorBody["message"] as? String)?.contains("customers, contacts, leads, opportunities") == true)
            #expect(try await app.services.database.sql.raw("SELECT COUNT(*) AS n FROM activities").first(decodingColumn: "n", as: Int.self) == 0)
        }
    }
}
