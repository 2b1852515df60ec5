import Foundation
import Testing
@testable import GuanxiPlatform

@Suite("Memory freed by a job")
struct FreedMemoryTests {
    @Test("On glibc, where the server runs, the call that hands freed memory back to the system is found, and handing back many freed small blocks works")
    func handedBack() {
        #if canImport(Glibc)
        #expect(FreedMemory.canReturn)
        #else
        #expect(!FreedMemory.canReturn)
        #endif
        // 200,000 blocks of 512 bytes: each below the size glibc would map on its own, so
        // freed they stay with the allocator until handed back. (Whether this call finds
        // them depends on the jobs of tests running beside this one, which hand back too.)
        var blocks: [UnsafeMutableRawPointer] = []
        blocks.reserveCapacity(200_000)
        for _ in 0..<200_000 {
            let block = UnsafeMutableRawPointer.allocate(byteCount: 512, alignment: 16)
            block.storeBytes(of: 1, as: UInt8.self)
            blocks.append(block)
        }
        for block in blocks { block.deallocate() }
        FreedMemory.returnToSystem()
    }
}
