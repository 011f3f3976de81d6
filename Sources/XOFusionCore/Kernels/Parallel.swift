import Dispatch

/// How a kernel may use the machine. The answer never depends on it: work is
/// split into a fixed number of partitions decided by the input size alone,
/// and partial results are combined in partition order.
public struct KernelOptions: Hashable, Sendable {
    /// Threads to use (`nil`: all cores).
    public var threads: Int?

    /// Options with the given thread count.
    public init(threads: Int? = nil) { self.threads = threads }

    /// All cores.
    public static let `default` = KernelOptions()

    package var threadCount: Int { max(1, threads ?? ProcessInfoLite.activeProcessorCount) }
}

package enum Partitions {
    /// Rows below which one partition is used.
    package static let minimumRows = 1 << 16
    /// Partitions for large inputs: fixed, so results do not depend on the thread count.
    package static let count = 4

    /// Row ranges for `rows` rows: one range for small inputs, ``count`` equal ranges otherwise.
    package static func ranges(_ rows: Int) -> [Range<Int>] {
        let n = rows < minimumRows ? 1 : count
        return (0..<n).map { k in (rows * k / n)..<(rows * (k + 1) / n) }
    }

    /// Runs `body` for each partition on up to `threads` threads and returns the results in partition order.
    package static func map<T>(_ ranges: [Range<Int>], threads: Int, _ body: (Range<Int>) -> T) -> [T] {
        if ranges.count == 1 || threads == 1 { return ranges.map(body) }
        let results = UnsafeMutableBufferPointer<T?>.allocate(capacity: ranges.count)
        results.initialize(repeating: nil)
        defer { results.deallocate() }
        withoutActuallyEscaping(body) { body in
            let shared = Box((results, ranges, body))
            // concurrentPerform uses the machine's cores; limit to `threads` by striding.
            let workers = min(threads, ranges.count)
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                let (results, ranges, body) = shared.value
                var k = w
                while k < ranges.count {
                    results[k] = body(ranges[k])
                    k += workers
                }
            }
        }
        // Move the results out, so that the buffer's deallocation leaves nothing behind (a copy here
        // would keep every result's storage referenced forever).
        return (0..<ranges.count).map { (results.baseAddress! + $0).move()! }
    }
}
