import Foundation
import GuanxiPlatform
#if canImport(Glibc)
import Glibc
#endif

/// Sends bytes to a port on the loopback address exactly as given and returns what comes
/// back until the server closes the connection: for requests no HTTP client library will
/// make (a body in chunks with no `Content-Length`, of any size).
enum RawHTTP {
    /// Writes `head`, then each chunk of `chunks` in HTTP/1.1 chunked framing, then reads
    /// the answer. Stops writing when the server stops reading (it answered early).
    /// The socket blocks, so it runs on a thread of its own rather than one of the few the
    /// other tests' tasks share.
    static func chunked(port: Int, head: String, chunks: Int, chunkSize: Int) async throws -> String {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try chunkedBlocking(port: port, head: head, chunks: chunks, chunkSize: chunkSize) }) }.start()
        }
    }

    private static func chunkedBlocking(port: Int, head: String, chunks: Int, chunkSize: Int) throws -> String {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard connected == 0 else { throw POSIXError(.ECONNREFUSED) }
        guard send(fd, Array(head.utf8)) else { return try receive(fd) }
        let chunk = Array("\(String(chunkSize, radix: 16))\r\n".utf8) + [UInt8](repeating: UInt8(ascii: "x"), count: chunkSize) + Array("\r\n".utf8)
        for _ in 0..<chunks where send(fd, chunk) {}
        _ = send(fd, Array("0\r\n\r\n".utf8))
        return try receive(fd)
    }

    /// Whether all of `bytes` went out (false once the server has closed its side).
    private static func send(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent <= 0 { return false }
            offset += sent
        }
        return true
    }

    private static func receive(_ fd: Int32) throws -> String {
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var answer: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count <= 0 { break }
            answer += buffer[0..<count]
            // One answer is all a test needs: stop at the end of its head and body.
            if let text = String(bytes: answer, encoding: .utf8), text.contains("\r\n\r\n"), answerIsComplete(text) { break }
        }
        return String(decoding: answer, as: UTF8.self)
    }

    private static func answerIsComplete(_ text: String) -> Bool {
        let parts = text.components(separatedBy: "\r\n\r\n")
        guard let head = parts.first, let length = head.split(separator: "\r\n").first(where: { $0.lowercased().hasPrefix("content-length:") })
            .flatMap({ Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) }) else { return text.hasSuffix("0\r\n\r\n") }
        return parts.dropFirst().joined(separator: "\r\n\r\n").utf8.count >= length
    }
}
