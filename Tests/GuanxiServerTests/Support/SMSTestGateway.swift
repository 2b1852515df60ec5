import Foundation
import GuanxiPlatform

/// A real HTTP SMS gateway for a test: scripts/interop/sms_gateway.py (Python's standard
/// library), which answers like the common Chinese SMS services and keeps every request.
final class SMSTestGateway: @unchecked Sendable {
    let folder: URL
    let port: Int
    let process: Process
    let input: Pipe

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("sms-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", projectRoot.appendingPathComponent("scripts/interop/sms_gateway.py").path, folder.path]
        input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        var line = Data()
        while let byte = try output.fileHandleForReading.read(upToCount: 1), !byte.isEmpty, byte != Data("\n".utf8) { line.append(byte) }
        let words = String(decoding: line, as: UTF8.self).split(separator: " ")
        guard words.first == "READY", words.count == 2, let port = Int(words[1]) else { throw GuanxiError(.internal, "The test SMS gateway did not start.") }
        self.port = port
    }

    /// The requests received, in order.
    func received() throws -> [(method: String, path: String, headers: [String: String], body: String)] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".json") }.sorted().map { name in
            let object = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent(name))) as! [String: Any]
            return (object["method"] as! String, object["path"] as! String, object["headers"] as! [String: String], object["body"] as! String)
        }
    }

    func stop() {
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: folder)
    }
}
