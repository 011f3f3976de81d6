import Dispatch

#if canImport(Glibc)
    import Glibc
#endif

/// Parses the records that start in one byte range into column builders,
/// a batch at a time: the tokenizer fills a column-major batch of field
/// spans, then each column's builder runs one typed loop over its spans.
final class ChunkParser {
    /// A reject before line numbers are made global.
    let reading: _CSVReading
    let plans: [ColumnPlan]
    let fieldCount: Int
    let builders: [ColumnBuilder]
    let stopAtFirstReject: Bool
    /// Records per batch handed to the column builders.
    static let batchCapacity = 2048
    let batchCapacity = ChunkParser.batchCapacity

    var records = 0
    var blankLines = 0
    var lineBreaks = 0
    var rowCount = 0
    var rejects: [Reject] = []
    var widenings: [Int] = []

    /// The batch, column-major (`plans.count × batchCapacity` spans), and each
    /// record's start, content end and chunk-local line. Raw buffers: the hot
    /// loop stores into them without copy-on-write or exclusivity checks.
    private let spans: UnsafeMutablePointer<FieldSpan>
    private let recordStarts: UnsafeMutablePointer<Int>
    private let recordEnds: UnsafeMutablePointer<Int>
    private let recordLines: UnsafeMutablePointer<Int>

    init(reading: _CSVReading, plans: [ColumnPlan], fieldCount: Int, byteCount: Int) {
        self.reading = reading
        self.plans = plans
        self.fieldCount = fieldCount
        stopAtFirstReject = reading.options.policy == .strict
        // Room for the most records the range can hold, so columns never grow by copying.
        // Untouched capacity costs address space only.
        let capacity = byteCount / max(1, fieldCount) + 1
        let nulls = NullTokens(reading.options.nullTokens)
        let keepTabs = reading.options.delimiter == 0x09
        builders = plans.map { ColumnBuilder(plan: $0, nulls: nulls, keepTabs: keepTabs, capacity: capacity, byteCapacity: byteCount) }
        spans = .allocate(capacity: max(1, plans.count) * batchCapacity)
        recordStarts = .allocate(capacity: batchCapacity)
        recordEnds = .allocate(capacity: batchCapacity)
        recordLines = .allocate(capacity: batchCapacity)
    }

    deinit {
        spans.deallocate()
        recordStarts.deallocate()
        recordEnds.deallocate()
        recordLines.deallocate()
    }

    /// Parses every record that starts in `begin..<limit`; returns where the next record starts.
    func run(from begin: Int, limit: Int) -> Int {
        let tokenizer = reading.tokenizer
        let fieldCount = self.fieldCount, batchCapacity = self.batchCapacity
        let sources = plans.map(\.sourceIndex)
        let spans = self.spans, recordStarts = self.recordStarts, recordEnds = self.recordEnds, recordLines = self.recordLines
        // One more slot than needed: a record with too many fields is told apart by its count.
        let fieldCapacity = fieldCount + 1
        let fields = UnsafeMutablePointer<FieldSpan>.allocate(capacity: fieldCapacity)
        defer { fields.deallocate() }
        // Counters live in locals during the loop and are written back at the end.
        var lineBreaks = self.lineBreaks, records = self.records, blankLines = self.blankLines
        var batchCount = 0
        var position = begin
        released = begin
        // Where each source field goes in the batch (-1: not read), for plain records.
        let slots = UnsafeMutablePointer<Int>.allocate(capacity: max(1, fieldCount))
        defer { slots.deallocate() }
        slots.initialize(repeating: -1, count: max(1, fieldCount))
        for (p, source) in sources.enumerated() { slots[source] = p &* batchCapacity }
        while position < limit {
            // Most records hold no quote: their spans go straight to the batch.
            if let plain = tokenizer.scanPlainRecord(at: position, fieldCount: fieldCount, slots: slots, spans: spans + batchCount) {
                records &+= 1
                recordStarts[batchCount] = position
                recordEnds[batchCount] = plain.contentEnd
                recordLines[batchCount] = lineBreaks
                lineBreaks &+= 1
                batchCount &+= 1
                if batchCount == batchCapacity {
                    flush(batchCount)
                    batchCount = 0
                }
                position = plain.next
                if stopAtFirstReject && !rejects.isEmpty { break }
                continue
            }
            let scan = tokenizer.scanRecord(at: position, into: fields, capacity: fieldCapacity)
            let line = lineBreaks
            lineBreaks &+= scan.lineBreaks
            var status = scan.status
            // In a one-column file an empty line is a null value: a CSV writer
            // cannot write that null any other way.
            if status == .blank && fieldCount == 1 { status = .record }
            switch status {
            case .record where scan.fieldCount == fieldCount:
                records &+= 1
                for p in 0..<sources.count { spans[p &* batchCapacity &+ batchCount] = fields[sources[p]] }
                recordStarts[batchCount] = position
                recordEnds[batchCount] = scan.contentEnd
                recordLines[batchCount] = line
                batchCount &+= 1
                if batchCount == batchCapacity {
                    flush(batchCount)
                    batchCount = 0
                }
            case .record:
                records &+= 1
                reject(start: position, end: scan.contentEnd, line: line, planIndex: nil, kind: .fieldCount, message: "expected \(fieldCount) field\(fieldCount == 1 ? "" : "s"), found \(scan.fieldCount)")
            case .blank:
                blankLines &+= 1
            case .unterminatedQuote:
                records &+= 1
                reject(start: position, end: scan.contentEnd, line: line, planIndex: nil, kind: .unterminatedQuote, message: "a quoted field is not closed before the end of the file")
            case .strayQuote(let at):
                records &+= 1
                reject(start: position, end: scan.contentEnd, line: line, planIndex: nil, kind: .unterminatedQuote, message: "a closing quote is followed by '\(fieldText(reading.base + at, 1))' (byte \(at)) instead of a delimiter or a line end; is a quote inside the field not doubled?")
            }
            position = scan.next
            if stopAtFirstReject && !rejects.isEmpty { break }
        }
        flush(batchCount)
        self.lineBreaks = lineBreaks
        self.records = records
        self.blankLines = blankLines
        return position
    }

    /// Where this parser last released mapped pages up to.
    private var released = 0
    /// Release parsed file pages every 8 MiB, so the file does not count in the
    /// process's memory once parsed.
    static let releaseStep = 8 << 20

    /// Drops the mapped pages wholly before `position` that this parser read.
    /// Should they be read again (a re-parse, a record that crosses into the
    /// next range) they fault back in from the page cache, unchanged: the
    /// mapping is private and read-only.
    private func release(upTo position: Int) {
        #if canImport(Glibc)
            let page = Int(sysconf(Int32(_SC_PAGESIZE)))
            let from = (Int(bitPattern: reading.base + released) + page - 1) / page * page
            let to = Int(bitPattern: reading.base + position) / page * page
            if to > from { _ = madvise(UnsafeMutableRawPointer(bitPattern: from), to - from, MADV_DONTNEED) }
        #endif
        released = position
    }

    /// Hands the batch to every column builder, then takes out the rows that failed.
    private func flush(_ batchCount: Int) {
        guard batchCount > 0 else { return }
        let failures = FailureLog()
        let firstRow = rowCount
        for p in builders.indices {
            let batch = BatchColumn(base: reading.base, spans: spans + p * batchCapacity, count: batchCount, firstRow: firstRow)
            builders[p].appendBatch(batch, planIndex: p, failures: failures)
        }
        rowCount += batchCount
        if !failures.byRow.isEmpty {
            let rows = failures.byRow.keys.sorted()
            for builder in builders { builder.removeRows(rows) }
            rowCount -= rows.count
            for row in rows {
                let failure = failures.byRow[row]!
                let r = row - firstRow
                reject(start: recordStarts[r], end: recordEnds[r], line: recordLines[r], planIndex: failure.planIndex, kind: failure.kind, message: failure.message)
            }
            rejects.sort { $0.byte < $1.byte }
        }
        widenings += failures.widenings
        let consumed = recordEnds[batchCount - 1]
        if reading.releasable && consumed - released >= ChunkParser.releaseStep { release(upTo: consumed) }
    }

    /// Records a reject; `line` is chunk-local (0-based) until the read makes it global.
    private func reject(start: Int, end: Int, line: Int, planIndex: Int?, kind: RejectKind, message: String) {
        let length = min(end - start, Reject.maximumTextLength)
        var text = String(decoding: UnsafeBufferPointer(start: reading.base + start, count: length), as: UTF8.self)
        if end - start > length { text += "…" }
        rejects.append(Reject(
            file: reading.name, line: line, byte: start, column: planIndex.map { plans[$0].sourceName },
            columnIndex: planIndex.map { plans[$0].sourceIndex }, kind: kind, message: message, text: text))
    }
}

/// Splits the data into one range per thread at line starts, parses the
/// ranges in parallel, and stitches them together in order.
///
/// A range's start is a guess: the line break before it may sit inside a
/// quoted field. The previous range, parsed exactly, says where its last
/// record really ends; when that differs from the guess, the range is parsed
/// again from the true position. The result never depends on the guess.
struct _ChunkedParse {
    struct Outcome {
        var builders: [ColumnBuilder]
        var rowCount: Int
        var records: Int
        var blankLines: Int
        var rejects: [Reject]
        var widenings: [Int]
        var threadsUsed: Int
    }

    let reading: _CSVReading
    let plans: [ColumnPlan]
    let fieldCount: Int
    let dataStart: Int
    let threads: Int

    func run() throws(IngestError) -> Outcome {
        let end = reading.count
        let size = end - dataStart
        let n = max(1, min(threads, size / max(1, reading.options.minimumBytesPerThread)))
        var begins = [dataStart]
        for k in 1..<max(n, 1) {
            let guess = reading.tokenizer.startOfNextLine(after: dataStart + size / n * k)
            if guess > begins.last! && guess < end { begins.append(guess) }
        }
        let limits = Array(begins.dropFirst()) + [end]
        let parsers = Box(begins.indices.map { k in
            ChunkParser(reading: reading, plans: plans, fieldCount: fieldCount, byteCount: limits[k] - begins[k])
        })
        let ends = Box([Int](repeating: 0, count: begins.count))
        if begins.count == 1 {
            ends.value[0] = parsers.value[0].run(from: begins[0], limit: limits[0])
        } else {
            let results = UnsafeMutableBufferPointer<Int>.allocate(capacity: begins.count)
            defer { results.deallocate() }
            let shared = Box((parsers.value, results, begins, limits))
            DispatchQueue.concurrentPerform(iterations: begins.count) { k in
                let (parsers, results, begins, limits) = shared.value
                results[k] = parsers[k].run(from: begins[k], limit: limits[k])
            }
            ends.value = Array(results)
        }
        // Stitch: re-parse any range whose guessed start was not a record start.
        var chunks = parsers.value
        for k in 1..<chunks.count {
            if reading.options.policy == .strict && !chunks[k - 1].rejects.isEmpty { break }
            let trueStart = ends.value[k - 1]
            if trueStart != begins[k] {
                chunks[k] = ChunkParser(reading: reading, plans: plans, fieldCount: fieldCount, byteCount: max(0, limits[k] - trueStart))
                ends.value[k] = chunks[k].run(from: trueStart, limit: limits[k])
                if trueStart > limits[k] { ends.value[k] = trueStart }
            }
        }
        // Merge in order; chunk-local line numbers become read-local.
        let first = chunks[0]
        var outcome = Outcome(
            builders: first.builders, rowCount: first.rowCount, records: first.records, blankLines: first.blankLines,
            rejects: first.rejects, widenings: first.widenings, threadsUsed: begins.count)
        var lineBase = first.lineBreaks
        for chunk in chunks.dropFirst() {
            if reading.options.policy == .strict && !outcome.rejects.isEmpty { break }
            Self.merge(chunk.builders, into: outcome.builders, threads: threads)
            outcome.rowCount += chunk.rowCount
            outcome.records += chunk.records
            outcome.blankLines += chunk.blankLines
            outcome.rejects += chunk.rejects.map { var r = $0; r.line += lineBase; return r }
            outcome.widenings += chunk.widenings
            lineBase += chunk.lineBreaks
        }
        return outcome
    }

    /// Appends each column of a later range to the same column of the result, the
    /// columns spread over `threads` threads (each builder is touched by one thread only).
    static func merge(_ others: [ColumnBuilder], into builders: [ColumnBuilder], threads: Int) {
        _ = Partitions.map(builders.indices.map { $0..<$0 + 1 }, threads: threads) { columns in
            for p in columns { builders[p].append(contentsOf: others[p]) }
        }
    }
}

/// Carries non-Sendable parse state into the parallel loop. Each iteration
/// touches only its own parser and result slot, and the loop joins before
/// anything reads them.
final class Box<T>: @unchecked Sendable {
    var value: T
    init(_ value: T) { self.value = value }
}
