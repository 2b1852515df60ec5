import Foundation
import GuanxiPlatform

/// A server a test runs beside the app (scripts/interop/…): started with a folder of its
/// own, it prints "READY <port>" once it listens and serves until its standard input closes.
struct TestServerProcess {
    let process: Process
    /// Closing it stops the server.
    let input: Pipe
    let port: Int

    init(_ executable: URL, _ arguments: [String], what: String) throws {
        process = Process()
        process.executableURL = executable
        process.arguments = arguments
        input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        var line = Data()
        while let byte = try output.fileHandleForReading.read(upToCount: 1), !byte.isEmpty, byte != Data("\n".utf8) { line.append(byte) }
        let words = String(decoding: line, as: UTF8.self).split(separator: " ")
        guard words.first == "READY", words.count == 2, let port = Int(words[1]) else { throw GuanxiError(.internal, "The test \(what) did not start.") }
        self.port = port
    }

    func stop() {
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
    }
}
