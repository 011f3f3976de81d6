/// A stable sort of 64-bit values by their high 32 bits (least significant digit
/// first: three passes of 11 bits, a pass skipped when every value has the same digit;
/// nothing done when the values are in order already).
enum RadixSort {
    /// Sorts `values` by their high halves; values with equal high halves keep their order.
    ///
    /// - Complexity: O(n) when in order; else O(n + 2¹¹) per pass, at most three passes.
    static func sortByHighHalf(_ values: inout [UInt64]) {
        let n = values.count
        guard n > 1 else { return }
        // Input often arrives in order already (IDs of a master table, first rows of groups).
        let ordered = values.withUnsafeBufferPointer { v in
            var i = 1
            while i < n && v[i - 1] >> 32 <= v[i] >> 32 { i += 1 }
            return i == n
        }
        if ordered { return }
        var other = [UInt64](unsafeUninitializedCapacity: n) { _, initialized in initialized = n }
        var counts = [Int](repeating: 0, count: (1 << 11) + 1)
        for pass in 0..<3 {
            let shift = UInt64(32 + 11 * pass)
            @inline(__always) func digit(_ v: UInt64) -> Int { Int(truncatingIfNeeded: (v >> shift) & 0x7FF) }
            for i in counts.indices { counts[i] = 0 }
            values.withUnsafeBufferPointer { v in
                for value in v { counts[digit(value) + 1] += 1 }
            }
            if counts[digit(values[0]) + 1] == n { continue }  // one digit throughout: already in order
            for d in 0..<(1 << 11) { counts[d + 1] += counts[d] }
            values.withUnsafeBufferPointer { v in
                other.withUnsafeMutableBufferPointer { out in
                    counts.withUnsafeMutableBufferPointer { next in
                        for value in v {
                            let d = digit(value)
                            out[next[d]] = value
                            next[d] += 1
                        }
                    }
                }
            }
            swap(&values, &other)
        }
    }
}
