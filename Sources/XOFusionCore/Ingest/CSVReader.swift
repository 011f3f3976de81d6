import Dispatch

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Reads CSV files into typed tables, accounting for every record.
///
/// ```swift
/// var options = CSVReadOptions()
/// options.policy = .collect()
/// let result = try CSVReader.read(file: "answers.csv", options: options)
/// print(result.table)
/// for reject in result.rejects { print(reject) }   // file:line (byte): kind in column …
/// ```
///
/// The reader works on bytes (the file is mapped, not copied), builds typed
/// columns directly, and splits the work across threads at record
/// boundaries; the result is the same for any thread count. See
/// `DESIGN.md` ("Reading CSV") for the rules on nulls, header rows and inference.
public enum CSVReader {
    /// Reads a CSV file.
    ///
    /// - Throws: ``IngestError``: `.unreadable` when the file cannot be read,
    ///   `.badRecord` at the first bad record in strict mode, `.tooManyRejects`
    ///   past a collect limit, `.badHeader`, `.schemaColumnNotFound`, `.badOptions`.
    /// - Complexity: O(file size), one pass (two when kinds are inferred).
    public static func read(file path: String, options: CSVReadOptions = CSVReadOptions()) throws(IngestError) -> CSVReadResult {
        let file = try MappedFile(path: path)
        defer { file.unmap() }
        return try read(bytes: file.bytes, name: path, options: options, releasable: true)
    }

    /// Reads several files at once, each with its own options, and returns each
    /// file's result (or the error that stopped its read) in the order given.
    ///
    /// The files are read concurrently, each on a share of `threads` in proportion
    /// to its size (at least one thread, more for a large file), so that small files
    /// are read while a large one is, no core waits for the last file, and a file
    /// small enough for one thread is never split and stitched. A file's table is
    /// exactly what ``read(file:options:)`` returns for it; each file's own
    /// `options.threads` is replaced by its share. Every file gets a thread of its
    /// own (the machine is oversubscribed while the small ones run): meant for the
    /// handful of files of one analysis, not for hundreds at once.
    ///
    /// ```swift
    /// let results = CSVReader.read(files: [("customers.csv", customerOptions), ("orders.csv", orderOptions)])
    /// let customers = try results[0].get().table
    /// ```
    ///
    /// - Parameters:
    ///   - files: each file's path and read options.
    ///   - threads: the threads all reads share (`nil`: all cores).
    /// - Complexity: O(total size); the reads overlap.
    public static func read(files: [(path: String, options: CSVReadOptions)], threads: Int? = nil) -> [Result<CSVReadResult, IngestError>] {
        read(files: files, threads: threads, whenRead: { _, _ in })
    }

    /// ``read(files:threads:)``, calling `whenRead(k, result)` on the thread that read file `k` as
    /// soon as its read ends (while the others may still be read), before returning every result.
    /// The calls may overlap each other; a caller that wants to start work on the files read first
    /// does so in them.
    package static func read(
        files: [(path: String, options: CSVReadOptions)], threads: Int?, whenRead: (Int, Result<CSVReadResult, IngestError>) -> Void
    ) -> [Result<CSVReadResult, IngestError>] {
        let budget = max(1, threads ?? ProcessInfoLite.activeProcessorCount)
        var mapped: [Result<MappedFile, IngestError>] = files.map { file in
            do throws(IngestError) { return .success(try MappedFile(path: file.path)) } catch { return .failure(error) }
        }
        let total = mapped.reduce(0) { sum, file in sum + ((try? file.get().count) ?? 0) }
        // One slot per file, each written by its own thread only.
        let results = UnsafeMutableBufferPointer<Result<CSVReadResult, IngestError>?>.allocate(capacity: files.count)
        results.initialize(repeating: nil)
        defer { results.deallocate() }
        let shared = Box((files, mapped, results))
        Concurrently.each(files.count, threads: budget) { k in
            let (files, mapped, results) = shared.value
            let result = mapped[k].flatMap { (file) -> Result<CSVReadResult, IngestError> in
                defer { file.unmap() }
                var options = files[k].options
                let share = total == 0 ? 1 : (Double(budget) * Double(file.count) / Double(total)).rounded(.up)
                options.threads = max(1, min(budget, Int(share)))
                do throws(IngestError) {
                    return .success(try read(bytes: file.bytes, name: files[k].path, options: options, releasable: true))
                } catch { return .failure(error) }
            }
            whenRead(k, result)
            results[k] = result
        }
        mapped.removeAll()
        return (0..<files.count).map { (results.baseAddress! + $0).move()! }
    }

    /// Reads CSV text held in memory; `name` stands for the file in rejects and errors.
    ///
    /// - Throws: as ``read(file:options:)``.
    /// - Complexity: O(text size).
    public static func read(string: String, name: String = "<string>", options: CSVReadOptions = CSVReadOptions()) throws(IngestError) -> CSVReadResult {
        try read(bytes: Array(string.utf8), name: name, options: options)
    }

    /// Reads CSV bytes held in memory; `name` stands for the file in rejects and errors.
    ///
    /// - Throws: as ``read(file:options:)``.
    /// - Complexity: O(byte count).
    public static func read(bytes: [UInt8], name: String, options: CSVReadOptions = CSVReadOptions()) throws(IngestError) -> CSVReadResult {
        let result: Result<CSVReadResult, IngestError> = bytes.withUnsafeBufferPointer { buffer in
            do throws(IngestError) { return .success(try read(bytes: buffer, name: name, options: options)) } catch { return .failure(error) }
        }
        return try result.get()
    }

    /// `releasable`: the bytes are a read-only file mapping whose parsed pages may
    /// be dropped as the parse moves on (they fault back in from the file if read again).
    static func read(bytes: UnsafeBufferPointer<UInt8>, name: String, options: CSVReadOptions, releasable: Bool = false) throws(IngestError) -> CSVReadResult {
        try options.validate()
        // An empty buffer may have no base address; parse a one-byte dummy of length 0.
        let empty: [UInt8] = [0]
        return try empty.withUnsafeBufferPointer { (dummy) throws(IngestError) -> CSVReadResult in
            let base = bytes.baseAddress ?? dummy.baseAddress!
            var reading = _CSVReading(base: base, count: bytes.count, name: name, options: options, releasable: releasable && bytes.count > 0)
            return try reading.run()
        }
    }
}

/// One read, from header to table.
struct _CSVReading {
    let base: UnsafePointer<UInt8>
    let count: Int
    let name: String
    let options: CSVReadOptions
    let tokenizer: CSVTokenizer
    /// Whether parsed pages may be released (a read-only file mapping).
    let releasable: Bool

    init(base: UnsafePointer<UInt8>, count: Int, name: String, options: CSVReadOptions, releasable: Bool) {
        self.base = base
        self.count = count
        self.name = name
        self.options = options
        self.releasable = releasable
        tokenizer = CSVTokenizer(base: base, end: count, delimiter: options.delimiter)
    }

    mutating func run() throws(IngestError) -> CSVReadResult {
        var position = 0
        if count >= 3 && base[0] == 0xEF && base[1] == 0xBB && base[2] == 0xBF { position = 3 }
        var lineBreaks = 0
        var blankLines = 0
        var fields: [FieldSpan] = []

        // Header rows: records, so a quoted newline inside a question text is still one row.
        var names: [String] = []
        for row in 1...max(1, options.headerRows) where options.headerRows > 0 {
            while position < count {
                let scan = tokenizer.scanRecord(at: position, into: &fields)
                if scan.status != .blank { break }
                blankLines += 1
                lineBreaks += scan.lineBreaks
                position = scan.next
            }
            guard position < count else {
                throw .badHeader(file: name, reason: position == 0 || row == 1 ? "the file is empty; expected \(options.headerRows) header row(s)" : "the file ends after \(row - 1) of \(options.headerRows) header rows")
            }
            let scan = tokenizer.scanRecord(at: position, into: &fields)
            guard scan.status == .record else {
                throw .badHeader(file: name, reason: "header row \(row) (line \(lineBreaks + 1)) has an unterminated or stray quote")
            }
            if row == options.nameRow {
                for (index, field) in fields.enumerated() {
                    guard FieldParsers.isValidUTF8(base + field.start, field.count) else {
                        throw .badHeader(file: name, reason: "the name of column \(index) is not valid UTF-8")
                    }
                    names.append(tokenizer.string(of: field))
                }
            }
            lineBreaks += scan.lineBreaks
            position = scan.next
        }
        if options.headerRows == 0 {
            // No header: the first record gives the column count.
            var probe = position
            while probe < count {
                let scan = tokenizer.scanRecord(at: probe, into: &fields)
                if scan.status == .record {
                    names = Array(repeating: "", count: fields.count)
                    break
                }
                probe = scan.next
            }
        }
        let (columnNames, renames) = _CSVReading.usableNames(names)
        var plans = try makePlans(columnNames)
        let ignored = columnNames.enumerated().filter { i, _ in !plans.contains { $0.sourceIndex == i } }.map(\.element)

        // Inference for the columns the schema leaves open.
        var inferrers = [KindInferrer](repeating: KindInferrer(), count: plans.count)
        if plans.contains(where: \.inferred) {
            infer(from: position, columns: columnNames.count, plans: plans, into: &inferrers, sample: options.inferenceSampleRecords)
            for p in plans.indices where plans[p].inferred { plans[p].kind = inferrers[p].kind }
        }

        // Parse; when a value breaks an inferred kind, widen and restart. A sampled
        // guess that breaks is replaced by inference over the whole file; a kind that
        // breaks even then (a decimal whose units overflow at the common scale) is
        // ruled out. The outcome never depends on which failing values a pass saw
        // first, so strict and collect mode and any thread count agree.
        let threads = max(1, options.threads ?? ProcessInfoLite.activeProcessorCount)
        var restarts = 0
        var wholeFileInferred = options.inferenceSampleRecords == nil
        var outcome: _ChunkedParse.Outcome
        while true {
            outcome = try _ChunkedParse(reading: self, plans: plans, fieldCount: columnNames.count, dataStart: position, threads: threads).run()
            if outcome.widenings.isEmpty { break }
            if !wholeFileInferred {
                inferrers = [KindInferrer](repeating: KindInferrer(), count: plans.count)
                infer(from: position, columns: columnNames.count, plans: plans, into: &inferrers, sample: nil)
                wholeFileInferred = true
            } else {
                for p in Set(outcome.widenings) { inferrers[p].exclude(plans[p].kind) }
            }
            for p in plans.indices where plans[p].inferred { plans[p].kind = inferrers[p].kind }
            restarts += 1
        }

        // Lines: chunk-local line numbers start after the header.
        var rejects = outcome.rejects
        for i in rejects.indices { rejects[i].line += lineBreaks + 1 }
        if case .collect(let limit?) = options.policy, rejects.count > limit {
            throw .tooManyRejects(limit: limit, last: rejects[limit])
        }
        if options.policy == .strict, let first = rejects.first { throw .badRecord(first) }

        for (plan, builder) in zip(plans, outcome.builders) where builder.overflowed {
            throw .capacityExceeded(file: name, column: plan.sourceName, reason: "more than 4 GiB of text; a string column holds at most 4 GiB")
        }
        let columns = outcome.builders.map { $0.finish() }
        let schema: Schema
        do { schema = try Schema(plans.map { Schema.Field($0.outputName, $0.kind) }) } catch {
            throw .badOptions("the resulting column names clash: \(error)")
        }
        let rowCount = outcome.rowCount
        let table = Table(uncheckedSchema: schema, columns: columns, rowCount: rowCount)
        let report = IngestReport(
            file: name, records: outcome.records, rows: rowCount, rejected: rejects.count,
            blankLines: blankLines + outcome.blankLines, bytes: count,
            columns: zip(plans, columns).map { plan, column in
                IngestReport.ColumnReport(name: plan.outputName, sourceName: plan.sourceName, sourceIndex: plan.sourceIndex, kind: column.kind, inferred: plan.inferred, nulls: column.nullCount, layout: column.stringLayout)
            },
            renamedHeaders: renames, ignoredColumns: ignored, restarts: restarts, threads: outcome.threadsUsed)
        return CSVReadResult(table: table, rejects: rejects, report: report)
    }

    /// Empty names become `column_<index>`; repeats get `_2`, `_3`, ….
    static func usableNames(_ names: [String]) -> ([String], [(from: String, to: String)]) {
        var used = Set<String>()
        var result: [String] = []
        var renames: [(from: String, to: String)] = []
        for (index, original) in names.enumerated() {
            var name = original.isEmpty ? "column_\(index)" : original
            if used.contains(name) {
                var n = 2
                while used.contains("\(name)_\(n)") { n += 1 }
                name = "\(name)_\(n)"
            }
            if name != original { renames.append((original, name)) }
            used.insert(name)
            result.append(name)
        }
        return (result, renames)
    }

    /// One plan per column of the result: schema columns with their rules, the rest inferred or left out.
    func makePlans(_ names: [String]) throws(IngestError) -> [ColumnPlan] {
        let schema = options.schema
        var specByName: [String: ColumnSpec] = [:]
        for spec in schema?.columns ?? [] {
            guard names.contains(spec.name) else {
                throw .schemaColumnNotFound(file: name, column: spec.name, suggestions: NameSuggestions.nearest(to: spec.name, in: names))
            }
            specByName[spec.name] = spec
        }
        var plans: [ColumnPlan] = []
        for (index, columnName) in names.enumerated() {
            if let spec = specByName[columnName] {
                plans.append(ColumnPlan(
                    sourceIndex: index, sourceName: columnName, outputName: spec.rename ?? columnName, kind: spec.kind,
                    inferred: false, required: spec.required, allowedRange: spec.allowedRange, allowedValues: spec.allowedValues,
                    timeZone: spec.timeZone ?? options.defaultTimeZone, layout: spec.layout))
            } else if !(schema?.ignoreUnlisted ?? false) {
                plans.append(ColumnPlan(sourceIndex: index, sourceName: columnName, outputName: columnName, kind: .string, inferred: true, timeZone: options.defaultTimeZone))
            }
        }
        var outputs = Set<String>()
        for plan in plans where !outputs.insert(plan.outputName).inserted {
            throw .badOptions("two columns would be named '\(plan.outputName)' (check the schema's renames)")
        }
        return plans
    }

    /// Observes the values of inferred columns in the first records (or all).
    func infer(from start: Int, columns: Int, plans: [ColumnPlan], into inferrers: inout [KindInferrer], sample: Int?) {
        let nulls = NullTokens(options.nullTokens)
        let keepTabs = options.delimiter == 0x09
        let inferred = plans.indices.filter { plans[$0].inferred }
        var fields: [FieldSpan] = []
        var position = start
        var seen = 0
        let limit = sample ?? Int.max
        while position < count && seen < limit {
            let scan = tokenizer.scanRecord(at: position, into: &fields)
            position = scan.next
            guard scan.status == .record || (scan.status == .blank && columns == 1), fields.count == columns else { continue }
            seen += 1
            for p in inferred {
                let span = fields[plans[p].sourceIndex]
                if nulls.isNull(span, base) || inferrers[p].isSettledOnString { continue }
                inferrers[p].observe(base + span.start, span.count, keepTabs: keepTabs)
            }
        }
    }
}

/// The processor count, without importing all of Foundation into the hot path.
enum ProcessInfoLite {
    static var activeProcessorCount: Int {
        #if canImport(Glibc) || canImport(Musl)
            return max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        #else
            return 1
        #endif
    }
}
