import Foundation
import GuanxiPlatform

/// A real SMTP server for a test: scripts/interop/smtp_server.py (aiosmtpd from PyPI,
/// through scripts/python-tools.sh) with its own certificate authority, STARTTLS and AUTH.
/// Everything it accepts is kept byte for byte.
final class SMTPTestServer: @unchecked Sendable {
    static let user = "guanxi"
    static let password = "密码-Secret 1"

    let folder: URL
    let server: TestServerProcess
    var port: Int { server.port }

    /// `options`: --implicit-tls, --no-tls, --login-only.
    init(_ options: String...) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("smtp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        server = try TestServerProcess(projectRoot.appendingPathComponent("scripts/python-tools.sh"),
                                       [projectRoot.appendingPathComponent("scripts/interop/smtp_server.py").path, folder.path] + options, what: "SMTP server")
    }

    var caFile: String { folder.appendingPathComponent("ca.pem").path }

    /// The address to configure, with the test's user and password.
    func url(_ scheme: String = "smtp", query: String = "") -> String {
        let password = Self.password.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        return "\(scheme)://\(Self.user):\(password)@localhost:\(port)?cafile=\(caFile)&timeout=5" + query
    }

    /// The messages received, in order: their bytes and their envelope.
    func received() throws -> [(file: String, envelope: [String: Any])] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".eml") }.sorted().map { name in
            let file = folder.appendingPathComponent(name).path
            let json = try Data(contentsOf: URL(fileURLWithPath: file.replacingOccurrences(of: ".eml", with: ".json")))
            return (file, try JSONSerialization.jsonObject(with: json) as! [String: Any])
        }
    }

    func stop() {
        server.stop()
        try? FileManager.default.removeItem(at: folder)
    }
}

let projectRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// A message as Python's email package reads it (scripts/interop/mail.py).
func readMail(_ file: String) throws -> [String: Any] {
    try JSONSerialization.jsonObject(with: try pythonTool("mail.py", ["read", file])) as! [String: Any]
}

/// Runs one of the independent checkers in scripts/interop with the Python tools
/// (scripts/python-tools.sh fills their environment from PyPI on first use); its output.
func pythonTool(_ script: String, _ arguments: [String]) throws -> Data {
    let process = Process()
    process.executableURL = projectRoot.appendingPathComponent("scripts/python-tools.sh")
    process.arguments = [projectRoot.appendingPathComponent("scripts/interop/\(script)").path] + arguments
    let output = Pipe()
    process.standardOutput = output
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { throw GuanxiError(.internal, "\(script) \(arguments.joined(separator: " ")) failed") }
    return data
}
