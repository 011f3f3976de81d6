#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A file's bytes mapped read-only into memory: no copy, and the pages go back
/// to the system as soon as the mapping is closed.
final class MappedFile {
    let path: String
    private(set) var base: UnsafeRawPointer?
    let count: Int

    init(path: String) throws(IngestError) {
        self.path = path
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw .unreadable(file: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .unreadable(file: path, reason: String(cString: strerror(errno))) }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw .unreadable(file: path, reason: "not a regular file") }
        count = Int(info.st_size)
        if count == 0 {
            base = nil
            return
        }
        guard let mapped = mmap(nil, count, PROT_READ, MAP_PRIVATE, fd, 0), mapped != MAP_FAILED else {
            throw .unreadable(file: path, reason: String(cString: strerror(errno)))
        }
        #if canImport(Glibc)
            _ = madvise(mapped, count, MADV_SEQUENTIAL)
        #endif
        base = UnsafeRawPointer(mapped)
    }

    /// The bytes (empty for an empty file). Valid until ``unmap()``.
    var bytes: UnsafeBufferPointer<UInt8> {
        guard let base else { return UnsafeBufferPointer(start: nil, count: 0) }
        return UnsafeBufferPointer(start: base.assumingMemoryBound(to: UInt8.self), count: count)
    }

    /// Releases the mapping.
    func unmap() {
        if let base { munmap(UnsafeMutableRawPointer(mutating: base), count) }
        base = nil
    }

    deinit { unmap() }
}
