import Foundation
import GuanxiServer
import GuanxiCustomerFile
import GuanxiSales
import GuanxiCustomerAnalytics
import GuanxiDataExchange
import HTTPTypes
import HummingbirdTesting
import Testing
import GuanxiPlatform

/// Several clients changing one record at once with `If-Match`: every change that is
/// answered "saved" must be in the record, for every kind and every part of it (fields,
/// custom values, tags).
@Suite("Concurrent edits", .serialized)
struct ConcurrentEditTests {
    /// Creates a record of `kind` with a number custom field `counter` at 0; returns its id.
    static func record(_ kind: String, api: APIClient) async throws -> String {
        let field = try await api.call(.post, "/custom-fields", json: #"{"recordKind":"\#(kind)","key":"counter","label":"计数","type":"number"}"#)
        #expect(field.status == .created)
        var customer = ""
        if kind != "customers" {
            customer = try #require(try await api.call(.post, "/customers", json: #"{"name":"计数客户"}"#).json["id"] as? String)
        }
        let body = switch kind {
        case "contacts": #"{"name":"刘洋","customerId":"\#(customer)","customFields":{"counter":0}}"#
        case "leads": #"{"name":"王芳","customFields":{"counter":0}}"#
        case "opportunities": #"{"name":"冷链改造","customerId":"\#(customer)","customFields":{"counter":0}}"#
        case "activities": #"{"kind":"note","subject":"计数","relatedKind":"customers","relatedId":"\#(customer)","customFields":{"counter":0}}"#
        default: #"{"name":"计数公司","customFields":{"counter":0}}"#
        }
        let created = try await api.call(.post, "/\(kind)", json: body)
        #expect(created.status == .created, "\(created.text)")
        return try #require(created.json["id"] as? String)
    }

    /// Reads the record, adds one to `counter` and saves it under the version it read,
    /// until a save is accepted.
    static func increment(_ path: String, api: APIClient) async throws {
        for _ in 0..<200 {
            let read = try await api.call(.get, path)
            let etag = try #require(read.headers[.eTag])
            let value = try #require((read.json["customFields"] as? [String: Any])?["counter"] as? Double)
            let saved = try await api.call(.patch, path, json: #"{"customFields":{"counter":\#(Int(value) + 1)}}"#, headers: [.ifMatch: etag])
            if saved.status == .ok { return }
            #expect(saved.status == .preconditionFailed, "\(saved.text)")
        }
        Issue.record("no save of \(path) was accepted in 200 tries")
    }

    @Test("Six clients each adding one five times end at 30, on every kind", arguments: ["customers", "contacts", "leads", "opportunities", "activities"])
    func readIncrementCycles(kind: String) async throws {
        try await TestApp.run(configure: { $0.apiRequestsPerMinute = 100_000 }) { app, client in
            let api = APIClient(client: client, token: try await app.token(for: "admin"))
            let id = try await Self.record(kind, api: api)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<6 {
                    group.addTask { for _ in 0..<5 { try await Self.increment("/\(kind)/\(id)", api: api) } }
                }
                try await group.waitForAll()
            }
            let final = try await api.call(.get, "/\(kind)/\(id)")
            #expect((final.json["customFields"] as? [String: Any])?["counter"] as? Double == 30)
            #expect(final.json["version"] as? Int == 31)
        }
    }
}
