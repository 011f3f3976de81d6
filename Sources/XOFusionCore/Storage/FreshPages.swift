#if canImport(Glibc)
    import Glibc
#endif

/// Maps in fresh memory ahead of the loop that writes it, many pages per system call.
///
/// The first write to each 4 KiB page of a new buffer costs a page fault. On the virtual machines
/// this project is measured on, a fault cost about 2.1 µs a page where populating the same pages
/// with `madvise(MADV_POPULATE_WRITE)` cost about 1.55 µs (512 MiB, `Benchmarks/scripts/fresh_pages.c`):
/// the difference is the trap and the look-ups of each fault. The contents are not changed:
/// populating only maps the pages, writable, as a write fault would.
///
/// Elsewhere (other systems, kernels before 5.14) it does nothing, and the pages fault in as they
/// are written.
package enum FreshPages {
    /// Buffers smaller than this are left to fault in: the call would cost more than it saves.
    package static let smallest = 256 << 10

    /// Maps in the pages that hold `byteCount` bytes from `start`; returns whether the kernel did
    /// (not for fewer than ``smallest`` bytes, nor where it cannot).
    ///
    /// - Complexity: O(pages), in the kernel.
    @inlinable @discardableResult
    package static func populate(_ start: UnsafeMutableRawPointer?, byteCount: Int) -> Bool {
        guard let start, byteCount >= smallest else { return false }
        return populateLarge(start, byteCount)
    }

    /// ``populate(_:byteCount:)`` split among up to `threads` threads for buffers of 16 MiB or more:
    /// where the host must back each fresh page first (memory it took back after another process
    /// freed it), a page costs several times as much, and threads take several at a time.
    ///
    /// - Complexity: O(pages), in the kernel, on up to `threads` threads.
    package static func populate(_ start: UnsafeMutableRawPointer?, byteCount: Int, threads: Int) {
        let parts = Swift.min(threads, byteCount / (8 << 20))
        guard let start, parts > 1 else {
            populate(start, byteCount: byteCount)
            return
        }
        let base = Int(bitPattern: start)
        Concurrently.each(parts, threads: parts) { k in
            let from = byteCount * k / parts, to = byteCount * (k + 1) / parts
            populate(UnsafeMutableRawPointer(bitPattern: base + from), byteCount: to - from)
        }
    }

    @usableFromInline
    static func populateLarge(_ start: UnsafeMutableRawPointer, _ byteCount: Int) -> Bool {
        // 23 is MADV_POPULATE_WRITE (Linux 5.14).
        advise(start, byteCount, 23)
    }

    /// `madvise` over the whole pages that hold the bytes; older kernels answer EINVAL, which is
    /// ignored (the pages then fault in as they are touched).
    private static func advise(_ start: UnsafeMutableRawPointer, _ byteCount: Int, _ advice: Int32) -> Bool {
        #if canImport(Glibc)
            let page = 4096
            let first = Int(bitPattern: start) / page * page
            let last = (Int(bitPattern: start) + byteCount + page - 1) / page * page
            return madvise(UnsafeMutableRawPointer(bitPattern: first), last - first, advice) == 0
        #else
            return false
        #endif
    }
}

/// Keeps the pages of a buffer mapped in ahead of the appends that fill it, a step of 1 MiB at a
/// time (see ``FreshPages``): one system call per step instead of a page fault per 4 KiB. It
/// follows one buffer; when the buffer changes (an array grew into a new one), it starts again
/// from the rows already written, which the copy mapped in.
package struct PagesAhead {
    /// The buffer the count is about, and how many of its bytes from the start are mapped in.
    private var buffer: UnsafeMutableRawPointer?
    private var populated = 0

    package init() {}

    /// Maps in the bytes of `buffer` up to `end` and a step beyond (at most `capacity`), of which
    /// `written` are written already.
    ///
    /// - Complexity: O(1) until a step is due, then O(pages of the step), in the kernel.
    @inline(__always)
    package mutating func prepare(_ buffer: UnsafeMutableRawPointer, written: Int, upTo end: Int, capacity: Int) {
        if buffer != self.buffer { (self.buffer, populated) = (buffer, written) }
        guard end > populated else { return }
        let upTo = Swift.min(capacity, Swift.max(end, populated + (1 << 20)))
        FreshPages.populate(buffer + populated, byteCount: upTo - populated)
        populated = upTo
    }

    /// Maps in what appending `count` values to `array` will write, when its capacity holds them.
    @inline(__always)
    package mutating func prepare<T>(_ array: inout ContiguousArray<T>, adding count: Int) {
        let stride = MemoryLayout<T>.stride
        guard array.count + count <= array.capacity, let start = array.withUnsafeMutableBufferPointer({ $0.baseAddress }) else { return }
        prepare(UnsafeMutableRawPointer(start), written: array.count * stride, upTo: (array.count + count) * stride, capacity: array.capacity * stride)
    }
}
