import Hummingbird
import NIOCore

/// A request body that fails with 413 as soon as more than `limit` bytes have come in.
/// `Content-Length` is checked before anything is read, but a body sent in chunks has none:
/// counted as it streams, it never reaches a handler's buffer whole, whichever part of the
/// server reads it (a form, an upload, the OpenAPI handlers' JSON).
package struct BodyLimit<Base: AsyncSequence & Sendable>: AsyncSequence, Sendable where Base.Element == ByteBuffer {
    package typealias Element = ByteBuffer
    package let base: Base
    package let limit: Int

    package struct AsyncIterator: AsyncIteratorProtocol {
        package var base: Base.AsyncIterator
        package let limit: Int
        package var received = 0

        package mutating func next() async throws -> ByteBuffer? {
            guard let chunk = try await base.next() else { return nil }
            received += chunk.readableBytes
            if received > limit { throw BodyLimit.tooLarge(limit) }
            return chunk
        }
    }

    package func makeAsyncIterator() -> AsyncIterator { AsyncIterator(base: base.makeAsyncIterator(), limit: limit) }

    package static func tooLarge(_ limit: Int) -> GuanxiError {
        GuanxiError(.payloadTooLarge, "The request body is larger than the limit of \(limit) bytes.").localized("msg.body_too_large", ["limit": String(limit)])
    }
}
