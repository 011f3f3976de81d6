#if canImport(Glibc)
    import Glibc
#endif

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
            // `threads` workers, each a thread of its own, striding over the partitions. Not Dispatch's
            // pool: it holds one thread per core for every caller of the process, and a fusion runs
            // several loops at once beside a read's ranges (measured at SF1 over 24 loads each: Q0's
            // median 1.262 s with the pool, 1.246 s with threads of their own; Q1-Q4 unchanged).
            let workers = min(threads, ranges.count)
            Concurrently.each(workers, threads: workers) { w in
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

/// Independent pieces of work at the same time, each on a thread of its own.
package enum Concurrently {
    /// Runs `first` on the calling thread while `second` runs on a thread of its own
    /// (one after the other when `threads` is 1), and returns what each returned or
    /// threw, so that the caller decides which failure to report first, whatever
    /// finished first.
    ///
    /// Each may itself use up to `threads` threads (its parallel loops start threads of
    /// their own, see ``Partitions/map(_:threads:_:)``): while both run the machine is
    /// oversubscribed, and when one finishes the other's loops have the cores to themselves. The two must not touch the same mutable state.
    package static func run<A, B, E: Error>(
        threads: Int, _ first: () throws(E) -> A, _ second: () throws(E) -> B
    ) -> (Result<A, E>, Result<B, E>) {
        guard threads > 1 else { return (capture(first), capture(second)) }
        var b: Result<B, E>?
        let a = withUnsafeMutablePointer(to: &b) { b in
            withoutActuallyEscaping({ b.pointee = capture(second) }) { work in
                guard let thread = SpawnedThread(work) else {
                    work()  // no thread to be had: one after the other
                    return capture(first)
                }
                let a = capture(first)
                thread.join()
                return a
            }
        }
        return (a, b!)
    }

    /// Runs `body(0) … body(count - 1)` each on a thread of its own (the last on the calling
    /// thread), or one after the other when `threads` is 1; returns when all have finished.
    /// Each call must touch only its own state.
    package static func each(_ count: Int, threads: Int, _ body: (Int) -> Void) {
        guard threads > 1 && count > 1 else {
            for k in 0..<count { body(k) }
            return
        }
        withoutActuallyEscaping(body) { body in
            let spawned = (0..<(count - 1)).map { k in (k, SpawnedThread { body(k) }) }
            for (k, thread) in spawned where thread == nil { body(k) }  // no thread to be had
            body(count - 1)
            for (_, thread) in spawned { thread?.join() }
        }
    }

    private static func capture<T, E: Error>(_ body: () throws(E) -> T) -> Result<T, E> {
        do throws(E) { return .success(try body()) } catch { return .failure(error) }
    }
}

/// A POSIX thread running one closure, joined before the closure's captures go away.
private struct SpawnedThread {
    #if canImport(Glibc)
        private let thread: pthread_t

        init?(_ work: @escaping () -> Void) {
            let context = Unmanaged.passRetained(Box(work)).toOpaque()
            var thread = pthread_t()
            let status = pthread_create(&thread, nil, { context in
                Unmanaged<Box<() -> Void>>.fromOpaque(context!).takeRetainedValue().value()
                return nil
            }, context)
            guard status == 0 else {
                Unmanaged<Box<() -> Void>>.fromOpaque(context).release()
                return nil
            }
            self.thread = thread
        }

        func join() { pthread_join(thread, nil) }
    #else
        init?(_ work: @escaping () -> Void) { return nil }
        func join() {}
    #endif
}
