import CZlib

/// Bytes squeezed by zlib's deflate (RFC 1950) at its fastest level, and back.
///
/// An import keeps its file in the database until 30 days after it ends
/// (`import_job_chunks`). A CSV of a million contacts is 117 MB; deflated a megabyte at a
/// time it is 32 MB, for about a second of one core.
package enum Deflate {
    package static func compress(_ bytes: [UInt8]) -> [UInt8] {
        var size = compressBound(uLong(bytes.count))
        var out = [UInt8](repeating: 0, count: Int(size))
        let status = out.withUnsafeMutableBufferPointer { target in
            bytes.withUnsafeBufferPointer { source in
                compress2(target.baseAddress, &size, source.baseAddress, uLong(source.count), Z_BEST_SPEED)
            }
        }
        // Only a lack of memory makes deflate fail into a buffer of `compressBound`'s size.
        precondition(status == Z_OK, "zlib could not deflate (status \(status))")
        out.removeLast(out.count - Int(size))
        return out
    }

    /// What `compress` was given, if that was at most `limit` bytes; nil when `bytes` are
    /// not deflated data (damaged, or cut short) or stand for more than `limit` bytes.
    package static func decompress(_ bytes: [UInt8], limit: Int) -> [UInt8]? {
        var size = uLong(limit)
        var out = [UInt8](repeating: 0, count: limit)
        let status = out.withUnsafeMutableBufferPointer { target in
            bytes.withUnsafeBufferPointer { source in
                uncompress(target.baseAddress, &size, source.baseAddress, uLong(source.count))
            }
        }
        guard status == Z_OK else { return nil }
        out.removeLast(out.count - Int(size))
        return out
    }
}
