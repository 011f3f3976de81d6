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

    /// `placements`: per plan, where a placed column's rows go (see ``PlacedColumn``); empty
    /// when every builder keeps its own values.
    init(reading: _CSVReading, plans: [ColumnPlan], fieldCount: Int, byteCount: Int, placements: [PlacedBlock?] = []) {
        self.reading = reading
        self.plans = plans
        self.fieldCount = fieldCount
        stopAtFirstReject = reading.options.policy == .strict
        // Room for the most records the range can hold, so columns never grow by copying.
        // Untouched capacity costs address space only.
        let capacity = ChunkParser.mostRecords(byteCount: byteCount, fieldCount: fieldCount)
        let nulls = NullTokens(reading.options.nullTokens)
        let keepTabs = reading.options.delimiter == 0x09
        builders = plans.indices.map { p in
            ColumnBuilder(
                plan: plans[p], nulls: nulls, keepTabs: keepTabs, capacity: capacity, byteCapacity: byteCount,
                placement: placements.isEmpty ? nil : placements[p])
        }
        spans = .allocate(capacity: max(1, plans.count) * batchCapacity)
        recordStarts = .allocate(capacity: batchCapacity)
        recordEnds = .allocate(capacity: batchCapacity)
        recordLines = .allocate(capacity: batchCapacity)
    }

    /// The most records `byteCount` bytes can hold: each has a byte per field at least
    /// (a delimiter or its line break), the last one perhaps without its line break.
    static func mostRecords(byteCount: Int, fieldCount: Int) -> Int { byteCount / max(1, fieldCount) + 1 }

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
        ChunkParser.releasePages(of: reading, from: released, to: position)
        released = position
    }

    /// Drops the mapped pages of `reading` wholly inside `from ..< to` (see ``release(upTo:)``).
    static func releasePages(of reading: _CSVReading, from: Int, to: Int) {
        #if canImport(Glibc)
            let page = Int(sysconf(Int32(_SC_PAGESIZE)))
            let first = (Int(bitPattern: reading.base + from) + page - 1) / page * page
            let last = Int(bitPattern: reading.base + to) / page * page
            if last > first { _ = madvise(UnsafeMutableRawPointer(bitPattern: first), last - first, MADV_DONTNEED) }
        #endif
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
///
/// With several ranges, each fixed-width column is written straight into one buffer, a
/// block per range sized by the range's line breaks (see ``PlacedColumn``): stitching then
/// copies none of those values, and touches no fresh memory for them.
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
        // Several ranges: each fixed-width column is one buffer, a block per range (see PlacedColumn).
        var placed: [PlacedStorage?] = []
        var blocks: [(start: Int, capacity: Int)] = []
        if begins.count > 1 {
            let bounds = recordBounds(begins, limits)
            for k in begins.indices { blocks.append(((blocks.last.map { $0.start + $0.capacity } ?? 0), bounds[k])) }
            placed = plans.map { ColumnBuilder.placedColumn(for: $0, capacity: blocks.last!.start + blocks.last!.capacity) }
        }
        return Self.withBases(placed[...], []) { bases in
            func placements(_ k: Int) -> [PlacedBlock?] {
                bases.indices.map { p in
                    guard let column = placed[p], let base = bases[p] else { return nil }
                    return PlacedBlock(column: column, base: base, start: blocks[k].start, capacity: blocks[k].capacity)
                }
            }
            return parse(begins: begins, limits: limits, placements: placements)
        }
    }

    /// Calls `body` with the base address of each placed column (`nil` for the others), all
    /// valid for the whole call.
    private static func withBases<R>(
        _ columns: ArraySlice<PlacedStorage?>, _ bases: [UnsafeMutableRawPointer?], _ body: ([UnsafeMutableRawPointer?]) -> R
    ) -> R {
        guard let first = columns.first else { return body(bases) }
        guard let column = first else { return withBases(columns.dropFirst(), bases + [nil], body) }
        var result: R?
        column.withBase { base in result = withBases(columns.dropFirst(), bases + [base], body) }
        return result!
    }

    /// The most records each range but the last can hold, counted in parallel: its line breaks
    /// (at most what its bytes allow). Such a range ends just after a line break, and each
    /// record that starts in it owns a line break in it: its own end, or, for a record that
    /// runs past the range (a quoted line break), the one the range ends with. The last
    /// range's bound comes from its bytes. Counting maps the file's pages, so those of a
    /// releasable mapping are dropped behind it. (A bound that is exact keeps the blocks of
    /// ``PlacedColumn`` where they are when the ranges are joined; one row more in each block
    /// made every later block move down by a row, 200 MB of copying at SF1.)
    private func recordBounds(_ begins: [Int], _ limits: [Int]) -> [Int] {
        let counted = UnsafeMutableBufferPointer<Int>.allocate(capacity: begins.count)
        defer { counted.deallocate() }
        let shared = Box((reading, counted))
        Concurrently.each(begins.count - 1, threads: begins.count - 1) { k in
            let (reading, counted) = shared.value
            var released = begins[k]
            counted[k] = reading.tokenizer.recordBound(from: begins[k], to: limits[k]) { position in
                guard reading.releasable else { return }
                ChunkParser.releasePages(of: reading, from: released, to: position)
                released = position
            }
        }
        return begins.indices.map { k in
            let most = ChunkParser.mostRecords(byteCount: limits[k] - begins[k], fieldCount: fieldCount)
            return k == begins.count - 1 ? most : min(most, max(0, counted[k] - 1))
        }
    }

    private func parse(begins: [Int], limits: [Int], placements: (Int) -> [PlacedBlock?]) -> Outcome {
        let parsers = Box(begins.indices.map { k in
            ChunkParser(reading: reading, plans: plans, fieldCount: fieldCount, byteCount: limits[k] - begins[k], placements: placements(k))
        })
        let ends = Box([Int](repeating: 0, count: begins.count))
        if begins.count == 1 {
            ends.value[0] = parsers.value[0].run(from: begins[0], limit: limits[0])
        } else {
            let results = UnsafeMutableBufferPointer<Int>.allocate(capacity: begins.count)
            defer { results.deallocate() }
            let shared = Box((parsers.value, results, begins, limits))
            Concurrently.each(begins.count, threads: begins.count) { k in
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
                chunks[k] = ChunkParser(
                    reading: reading, plans: plans, fieldCount: fieldCount, byteCount: max(0, limits[k] - trueStart), placements: placements(k))
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
