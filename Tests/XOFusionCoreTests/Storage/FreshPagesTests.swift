#if canImport(Glibc)
    import Glibc
#endif
import Testing
@testable import XOFusionCore

@Suite struct FreshPagesTests {
    /// The 4 KiB pages wholly inside `bytes` from `start`.
    static func wholePages(_ start: UnsafeRawPointer, _ bytes: Int) -> (first: Int, last: Int) {
        let page = 4096
        return ((Int(bitPattern: start) + page - 1) / page * page, (Int(bitPattern: start) + bytes) / page * page)
    }

    /// How many of the 4 KiB pages wholly inside `bytes` from `start` are resident (`mincore`).
    static func residentPages(_ start: UnsafeRawPointer, _ bytes: Int) -> Int {
        #if canImport(Glibc)
            let page = 4096
            let (first, last) = wholePages(start, bytes)
            guard last > first else { return 0 }
            var vector = [UInt8](repeating: 0, count: (last - first) / page)
            guard mincore(UnsafeMutableRawPointer(bitPattern: first), last - first, &vector) == 0 else { return -1 }
            return vector.filter { $0 & 1 != 0 }.count
        #else
            return 0
        #endif
    }

    /// Appends through `PagesAhead` keep every value, and where the kernel populates, the step of
    /// 1 MiB after what is written is resident before anything writes it, and the far end of the
    /// reserved capacity is not.
    @Test func pagesAheadMapsInAStepBeforeTheAppends() {
        let capacity = (8 << 20) / 8
        var array = ContiguousArray<UInt64>()
        array.reserveCapacity(capacity)
        let base = array.withUnsafeMutableBufferPointer { UnsafeRawPointer($0.baseAddress!) }
        // The allocator may hand out memory an earlier test touched, even memory another test asked
        // huge pages for (a fault there maps 2 MiB at once): small pages only, and the buffer's whole
        // pages dropped, so that they start out absent (the array holds nothing yet).
        #if canImport(Glibc)
            let pages = FreshPagesTests.wholePages(base, capacity * 8)
            _ = madvise(UnsafeMutableRawPointer(bitPattern: pages.first), pages.last - pages.first, MADV_NOHUGEPAGE)
            _ = madvise(UnsafeMutableRawPointer(bitPattern: pages.first), pages.last - pages.first, MADV_DONTNEED)
        #endif
        let farEnd = base + (6 << 20)
        let populates = FreshPages.populate(UnsafeMutableRawPointer(mutating: base) + (7 << 20), byteCount: 1 << 20)
        var ahead = PagesAhead()
        var expected: [UInt64] = []
        var g = SeededGenerator(seed: 3)
        for batch in [1, 1_000, 100_000, 2_048, 200_000] {
            let values = (0..<batch).map { _ in UInt64.random(in: 0...UInt64.max, using: &g) }
            ahead.prepare(&array, adding: values.count)
            if populates {
                // Written so far plus this batch, and a step beyond it: all resident.
                let prepared = min(capacity * 8, max((array.count + batch) * 8, 1 << 20))
                let pages = FreshPagesTests.wholePages(base, prepared)
                #expect(FreshPagesTests.residentPages(base, prepared) == (pages.last - pages.first) / 4096, "batch \(batch)")
            }
            values.withUnsafeBufferPointer { array.append(contentsOf: $0) }
            expected += values
        }
        #expect(Array(array) == expected)
        if populates { #expect(FreshPagesTests.residentPages(farEnd, 1 << 20) == 0) }
    }
}

extension FreshPagesTests {
    /// Populating on several threads maps in every page of the buffer, and only those.
    @Test func populatingOnSeveralThreadsMapsEveryPage() {
        #if canImport(Glibc)
            let bytes = 24 << 20, page = 4096
            guard let raw = mmap(nil, bytes + 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), raw != MAP_FAILED else {
                Issue.record("no memory")
                return
            }
            defer { munmap(raw, bytes + 2 * page) }
            _ = madvise(raw, bytes + 2 * page, MADV_NOHUGEPAGE)
            let start = raw + page
            guard FreshPages.populate(start + (bytes - (1 << 20)), byteCount: 1 << 20) else { return }  // the kernel cannot
            FreshPages.populate(start, byteCount: bytes - (1 << 20), threads: 3)
            #expect(FreshPagesTests.residentPages(UnsafeRawPointer(start), bytes) == bytes / page)
            #expect(FreshPagesTests.residentPages(UnsafeRawPointer(raw), page) == 0)
            #expect(FreshPagesTests.residentPages(UnsafeRawPointer(start + bytes), page) == 0)
        #endif
    }
}
