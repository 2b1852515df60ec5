import Foundation
import GuanxiPlatform

/// A real HTTP SMS gateway for a test: scripts/interop/sms_gateway.py (Python's standard
/// library), which answers like the common Chinese SMS services and keeps every request.
final class SMSTestGateway: @unchecked Sendable {
    let folder: URL
    let server: TestServerProcess
    var port: Int { server.port }

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("sms-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        server = try TestServerProcess(URL(fileURLWithPath: "/usr/bin/env"),
                                       ["python3", projectRoot.appendingPathComponent("scripts/interop/sms_gateway.py").path, folder.path], what: "SMS gateway")
    }

    /// The requests received, in order.
    func received() throws -> [(method: String, path: String, headers: [String: String], body: String)] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".json") }.sorted().map { name in
            let object = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent(name))) as! [String: Any]
            return (object["method"] as! String, object["path"] as! String, object["headers"] as! [String: String], object["body"] as! String)
        }
    }

    func stop() {
        server.stop()
        try? FileManager.default.removeItem(at: folder)
    }
}
