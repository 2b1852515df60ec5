#if canImport(Glibc)
import Glibc
#endif

/// Memory the process has freed but the C library still holds.
///
/// glibc's allocator keeps freed memory for the next allocation instead of handing it back
/// to the system, so after one large piece of work (the nightly analysis of 100,000
/// customers peaked near 300 MB) a server's resident size stayed at that peak for as long
/// as it ran, against about 120 MB serving pages. glibc's `malloc_trim` hands back every
/// free page; it is looked up by name, as Swift's C module for glibc leaves out
/// `malloc.h`. Elsewhere than glibc, nothing to do.
package enum FreedMemory {
    #if canImport(Glibc)
    private typealias Trim = @convention(c) (Int) -> Int32
    private static let trim: Trim? = dlsym(dlopen(nil, RTLD_NOW), "malloc_trim").map { unsafeBitCast($0, to: Trim.self) }
    #endif

    /// Whether the C library has the call (glibc does).
    package static var canReturn: Bool {
        #if canImport(Glibc)
        return trim != nil
        #else
        return false
        #endif
    }

    /// Hands freed memory back; whether any was (false where the C library has no such call).
    @discardableResult
    package static func returnToSystem() -> Bool {
        #if canImport(Glibc)
        return trim.map { $0(0) == 1 } ?? false
        #else
        return false
        #endif
    }
}
