import Foundation
import Testing
@testable import XOFusionCore

@Suite struct CSVReaderParallelTests {
    /// Text whose quoted fields hold line breaks, so split guesses often land inside them.
    static func awkwardText(seed: UInt64, rows: Int) -> String {
        var g = SeededGenerator(seed: seed)
        var text = "id,comment,score,region\n"
        for i in 0..<rows {
            var comment = RandomValues.string(&g)
            if Int.random(in: 0..<4, using: &g) == 0 { comment = "line\nbreak \"q\"\n" + comment }
            let quoted = "\"" + comment.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            let score = Int.random(in: 0..<15, using: &g) == 0 ? "bad" : String(Int.random(in: 0...10, using: &g))
            let region = ["EU", "NA", "APAC"].randomElement(using: &g)!
            let broken = Int.random(in: 0..<40, using: &g) == 0 ? ",extra" : ""
            text += "\(i),\(quoted),\(score),\(region)\(broken)\n"
        }
        return text
    }

    @Test func theAnswerIsTheSameForOneAndManyThreads() throws {
        let schema = CSVSchema([ColumnSpec("score", .int64, allowedRange: 0...10)])
        for seed in 0..<40 {
            let text = CSVReaderParallelTests.awkwardText(seed: UInt64(seed), rows: 300)
            try CSVReaderParallelTests.expectSameOnManyThreads(text, schema: schema, threads: [2, 3, 7], seed: seed)
        }
    }

    /// Reads `text` (collecting rejects) on one thread and on each of `threads`, split into
    /// ranges of any size, and expects the same table, rejects and counts.
    static func expectSameOnManyThreads(_ text: String, schema: CSVSchema, threads: [Int], seed: Int) throws {
        var one = CSVReadOptions(policy: .collect(), schema: schema, threads: 1)
        one.minimumBytesPerThread = 1
        let single = try readCSV(text, one)
        for threads in threads {
            var many = one
            many.threads = threads
            let parallel = try readCSV(text, many)
            #expect(parallel.report.threads > 1, "seed \(seed): the split must happen")
            #expect(parallel.table == single.table, "seed \(seed), \(threads) threads")
            #expect(parallel.rejects == single.rejects, "seed \(seed), \(threads) threads")
            #expect(parallel.report.records == single.report.records && parallel.report.blankLines == single.report.blankLines)
            #expect(parallel.table.columns.map { $0.stringLayout } == single.table.columns.map { $0.stringLayout })
        }
    }

    /// Fixed-width columns of a read in several ranges go straight into one buffer, a block
    /// per range (`PlacedColumn`): whatever the line ends (LF, CRLF, CR, mixed), blank lines,
    /// nulls, rejects and quoted line breaks across range boundaries, every kind reads as on
    /// one thread.
    @Test func placedColumnsReadAsOnOneThread() throws {
        let schema = CSVSchema([
            ColumnSpec("i", .int64), ColumnSpec("d", .double), ColumnSpec("b", .bool), ColumnSpec("day", .date),
            ColumnSpec("at", .timestamp), ColumnSpec("amount", .decimal(scale: 2)), ColumnSpec("note", .string),
        ])
        for seed in 0..<60 {
            var g = SeededGenerator(seed: UInt64(seed))
            let ends = [["\n"], ["\r\n"], ["\r"], ["\n", "\r\n", "\r"]].randomElement(using: &g)!
            var text = "i,d,b,day,at,amount,note\n"
            for row in 0..<Int.random(in: 50...400, using: &g) {
                func maybe(_ value: String) -> String { Int.random(in: 0..<8, using: &g) == 0 ? "" : value }
                let bad = Int.random(in: 0..<30, using: &g) == 0
                let note = Int.random(in: 0..<6, using: &g) == 0 ? "\"two\nlines\"" : "n\(row)"
                let fields = [
                    maybe(String(row)), maybe(bad ? "x" : String(Double(row) / 4)), maybe(row % 3 == 0 ? "true" : "false"),
                    maybe("2024-01-\(10 + row % 19)"), maybe("2024-02-03T04:05:\(10 + row % 49)Z"), maybe("\(row).25"), note,
                ]
                text += fields.joined(separator: ",") + ends.randomElement(using: &g)!
                if Int.random(in: 0..<20, using: &g) == 0 { text += "\n" }  // a blank line
            }
            try CSVReaderParallelTests.expectSameOnManyThreads(text, schema: schema, threads: [2, 3, 5], seed: seed)
        }
    }

    /// The numbers of numbered string columns of a read in several ranges go into one buffer
    /// too (`PlacedRows`): with nulls, ranges of nulls only, rejected rows, quoted line breaks
    /// across range boundaries and, in some seeds, a value of another shape that turns the
    /// column into a dictionary in any one range, every column reads as on one thread.
    @Test func placedNumbersReadAsOnOneThread() throws {
        let schema = CSVSchema([ColumnSpec("score", .int64)])
        for seed in 0..<60 {
            var g = SeededGenerator(seed: UInt64(seed))
            let rows = Int.random(in: 50...400, using: &g)
            let foreignRow = Int.random(in: 0..<3, using: &g) == 0 ? Int.random(in: 0..<rows, using: &g) : -1
            let nullsFirst = seed % 5 == 0 ? rows / 2 : 0  // early ranges hold no customer ID at all
            var text = "order,customer,score,note\n"
            for row in 0..<rows {
                let customer = row == foreignRow ? "guest" : row < nullsFirst || Int.random(in: 0..<6, using: &g) == 0
                    ? "" : "C" + String(100_000_000 + Int.random(in: 0..<5_000, using: &g))
                let score = Int.random(in: 0..<25, using: &g) == 0 && row != foreignRow ? "x" : String(row % 11)
                let note = Int.random(in: 0..<7, using: &g) == 0 ? "\"two\nlines\"" : "n"
                text += "O\(String(1_000_000 + row)),\(customer),\(score),\(note)\n"
            }
            try CSVReaderParallelTests.expectSameOnManyThreads(text, schema: schema, threads: [2, 3, 5], seed: seed)
            var options = CSVReadOptions(policy: .collect(), schema: schema, threads: 3)
            options.minimumBytesPerThread = 1
            let table = try readCSV(text, options).table
            #expect(table.column(at: 0).stringLayout == .numbered, "seed \(seed)")
            // The foreign value (never in a rejected row) ends the numbered layout for the whole column.
            #expect((table.column(at: 1).stringLayout == .numbered) == (foreignRow < 0), "seed \(seed)")
        }
    }

    /// A range's record bound is its line breaks (CRLF once) plus one: counted word by word,
    /// it equals a byte-by-byte count for any range of any mix of line ends.
    @Test func recordBoundCountsLineBreaks() {
        var g = SeededGenerator(seed: 11)
        for trial in 0..<240 {
            // Long runs of line breaks too: a word's lanes are summed before they could overflow.
            let alphabet: [UInt8] = trial % 4 == 0 ? [10, 10, 13] : [UInt8(ascii: "a"), UInt8(ascii: ","), 10, 13, 13, 10, 0x8A, 0x0D ^ 0x80]
            let long = trial % 3 == 0
            let bytes: [UInt8] = (0..<Int.random(in: long ? 9_000...20_000 : 0...300, using: &g)).map { _ in alphabet.randomElement(using: &g)! }
            bytes.withUnsafeBufferPointer { b in
                let tokenizer = CSVTokenizer(base: b.baseAddress ?? UnsafePointer(bitPattern: 1)!, end: b.count, delimiter: UInt8(ascii: ","))
                let from = Int.random(in: 0...(long ? 40 : b.count), using: &g)
                let to = long ? b.count - Int.random(in: 0...40, using: &g) : Int.random(in: from...b.count, using: &g)
                var breaks = 0
                for j in from..<to where b[j] == 10 || (b[j] == 13 && !(j + 1 < to && b[j + 1] == 10)) { breaks += 1 }
                #expect(tokenizer.recordBound(from: from, to: to) == breaks + 1, "\(Array(b[from..<to]))")
            }
        }
    }

    @Test func strictModeReportsTheSameFirstRecordOnAnyThreadCount() throws {
        let text = CSVReaderParallelTests.awkwardText(seed: 99, rows: 400)
        let schema = CSVSchema([ColumnSpec("score", .int64)])
        var options = CSVReadOptions(schema: schema, threads: 1)
        options.minimumBytesPerThread = 1
        let first = #expect(throws: IngestError.self) { try CSVReader.read(string: text, options: options) }
        options.threads = 4
        let second = #expect(throws: IngestError.self) { try CSVReader.read(string: text, options: options) }
        #expect(first != nil && first == second)
    }
}

/// Dictionary columns find repeated values among the recent ones; the result must be that of a plain read.
@Suite struct DictionaryRepeatTests {
    /// Differential over seeds: low-cardinality values (short and longer than the remembered
    /// length, quoted with escapes, invalid UTF-8, outside the allowed set, empty) read as a
    /// dictionary give the same values and rejects as the same file read plain; every fifth seed
    /// spans several batches (the codes of repeated values are appended a run at a time).
    @Test func dictionaryReadsAsPlain() throws {
        let pool: [[UInt8]] = [
            Array("completed".utf8), Array("cancelled".utf8), Array("web".utf8), Array("a".utf8), Array("exactly15bytes!".utf8),
            Array("sixteen-bytes-xy".utf8), Array("é-accent".utf8), [0x61, 0xFF, 0x62], Array("\"q\"\"uote\"".utf8), Array("other".utf8), [],
        ]
        let allowedPool: Set<String> = ["completed", "cancelled", "web", "a", "exactly15bytes!", "sixteen-bytes-xy", "é-accent", "q\"uote"]
        for seed in 0..<60 {
            var g = SeededGenerator(seed: UInt64(seed))
            var bytes = Array("id,v\n".utf8)
            for row in 0..<(seed % 5 == 0 ? Int.random(in: 2_049...5_000, using: &g) : Int.random(in: 20...400, using: &g)) {
                bytes += Array("\(row),".utf8) + pool.randomElement(using: &g)! + [0x0A]
            }
            bytes += Array("last,".utf8) + pool[7] + [0x0A]
            let allowed: Set<String>? = Bool.random(using: &g) ? allowedPool : nil
            func read(_ layout: StringLayout) throws -> CSVReadResult {
                let options = CSVReadOptions(policy: .collect(), schema: CSVSchema([ColumnSpec("v", .string, allowedValues: allowed, layout: layout)]), threads: 1)
                return try CSVReader.read(bytes: bytes, name: "t.csv", options: options)
            }
            let dictionary = try read(.dictionary), plain = try read(.plain)
            #expect(dictionary.table["v"]?.stringLayout == .dictionary || dictionary.table.rowCount == 0, "seed \(seed)")
            #expect(Array(try dictionary.table.string("v")) == Array(try plain.table.string("v")), "seed \(seed)")
            #expect(dictionary.rejects == plain.rejects, "seed \(seed)")
            #expect(dictionary.rejects.count > 0, "seed \(seed): some values are rejected (invalid UTF-8 at least)")
        }
    }
}

/// Several files read at once give each file exactly its own read.
@Suite struct CSVReaderManyFilesTests {
    @Test func eachFileReadsAsItWouldAlone() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("xofusion-files-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let schema = CSVSchema([ColumnSpec("score", .int64, allowedRange: 0...10)])
        for seed in 0..<8 {
            // Files of very different sizes, one in strict mode (it fails), one missing.
            var files: [(path: String, options: CSVReadOptions)] = []
            for (k, rows) in [1_500, 20, 400, 0, 3_000].enumerated() {
                let path = folder.appendingPathComponent("f\(seed)-\(k).csv").path
                let text = rows == 0 ? "" : CSVReaderParallelTests.awkwardText(seed: UInt64(seed * 10 + k), rows: rows)
                try text.write(toFile: path, atomically: true, encoding: .utf8)
                var options = CSVReadOptions(policy: k == 2 ? .strict : .collect(), schema: schema)
                options.minimumBytesPerThread = 1
                files.append((path, options))
            }
            files.insert((folder.appendingPathComponent("missing.csv").path, CSVReadOptions()), at: 2)
            let alone: [Result<CSVReadResult, IngestError>] = files.map { file in
                var options = file.options
                options.threads = 1
                do throws(IngestError) { return .success(try CSVReader.read(file: file.path, options: options)) } catch { return .failure(error) }
            }
            for threads in [1, 2, 5] {
                let together = CSVReader.read(files: files, threads: threads)
                #expect(together.count == files.count)
                for (k, (a, b)) in zip(alone, together).enumerated() {
                    switch (a, b) {
                    case (.success(let a), .success(let b)):
                        #expect(a.table == b.table, "seed \(seed), file \(k), \(threads) threads")
                        #expect(a.rejects == b.rejects, "seed \(seed), file \(k), \(threads) threads")
                        #expect(a.report.records == b.report.records && a.report.file == b.report.file)
                    case (.failure(let a), .failure(let b)):
                        #expect(a == b, "seed \(seed), file \(k), \(threads) threads")
                    default:
                        Issue.record("seed \(seed), file \(k), \(threads) threads: \(a) against \(b)")
                    }
                }
                // The missing file and the strict file with a bad score fail; the others load every record.
                guard case .failure(.unreadable) = together[2] else { Issue.record("the missing file must be unreadable"); continue }
                guard case .failure(.badRecord) = together[3] else { Issue.record("the strict file must stop at its first bad record"); continue }
                #expect(try together[0].get().report.records == 1_500 && together[5].get().report.records == 3_000)
            }
        }
    }
}

/// Inputs the fuzzer found, kept as regression tests.
@Suite struct FuzzFindingTests {
    /// No header row and a first record that never ends (an open quote): the read has no
    /// columns. The word-at-a-time scan of that record walked past its field slots at the
    /// second delimiter (a crash on 3 threads); such a record now goes to the general scan,
    /// which rejects it.
    @Test func aRecordReadWithNoColumnsIsRejectedNotScanned() throws {
        let text = "\u{0}\u{0}\u{0}nocOpn1,9,x,\u{4}ib,,a ,\"open"
        for threads in [1, 3] {
            var options = CSVReadOptions(delimiter: ",", headerRows: 0, nameRow: 1, policy: .collect(), threads: threads)
            options.minimumBytesPerThread = 16
            let result = try readCSV(text, options)
            #expect(result.table.columnCount == 0 && result.table.rowCount == 0)
            #expect(result.rejects.map(\.kind) == [.unterminatedQuote], "\(threads) threads")
        }
    }

    /// Several values broke a sampled guess in one pass; the second one used to
    /// rule out the kind the first had just widened to, so 1 and 3 threads disagreed.
    @Test func manyWideningsInOnePassAgreeAcrossThreadCounts() throws {
        let text = "\n1\n\n.23333333333333333333333333333333333333333333333\n.21\n1\n\n.2"
        var options = CSVReadOptions(delimiter: "\t", headerRows: 0, nullTokens: ["NA"], policy: .collect(), threads: 1)
        options.inferenceSampleRecords = 3
        options.minimumBytesPerThread = 16
        let one = try readCSV(text, options)
        options.threads = 3
        let three = try readCSV(text, options)
        #expect(one.table == three.table)
        #expect(one.table.schema[0].kind == .double)
        #expect(Array(try one.table.double("column_0")) == [nil, 1, nil, 0.23333333333333333, 0.21, 1, nil, 0.2])
    }
}

extension FuzzFindingTests {
    /// A first column name starting with U+FEFF was written unquoted and read back as a byte-order mark.
    @Test func aColumnNameStartingWithFEFFSurvivesTheRoundTrip() throws {
        for name in ["\u{FEFF}a", "\u{FEFF}a\"b\",c"] {
            let table = try Table([name: .int64([1])])
            let back = try readCSV(CSVWriter.string(from: table)).table
            #expect(back.schema.names == [name])
            #expect(back == table)
        }
    }
}

extension FuzzFindingTests {
    /// Strict mode saw fewer failing values per pass than collect mode, so a sampled
    /// guess widened differently. A broken sample now falls back to whole-file inference.
    @Test func sampledGuessesEndWhereWholeFileInferenceWould() throws {
        let text = ".21111112\n2.12\n2.2\n2\n\n10533333\n.2333333333\n.333333333333333333\n333333333\n.3333332333333333\n.3333333\n2\n\r02021\r\r\r\r\r"
        var options = CSVReadOptions(delimiter: "\t", headerRows: 0, nullTokens: ["NA"], policy: .collect(), threads: 1)
        options.inferenceSampleRecords = 3
        options.minimumBytesPerThread = 16
        let one = try readCSV(text, options)
        options.threads = 3
        let three = try readCSV(text, options)
        options.inferenceSampleRecords = nil
        let whole = try readCSV(text, options)
        #expect(one.table.schema[0].kind == whole.table.schema[0].kind)
        #expect(three.table.schema[0].kind == whole.table.schema[0].kind)
        #expect(one.table == three.table)
        #expect(whole.table.schema[0].kind == .string)  // 02021 is an identifier
        options.inferenceSampleRecords = 3
        options.policy = .strict
        let strict = try readCSV(text, options)  // strict mode widens the same way
        #expect(strict.table == one.table)
    }
}

/// The reader's fast path for records without quotes against its general path.
@Suite struct PlainRecordPathTests {
    /// Differential over seeds: a file of unquoted records (random line ends,
    /// blank lines, records with a field too many or too few, tabs and other control
    /// bytes inside fields) reads exactly as
    /// the same file with every non-empty field quoted, which only the general
    /// path reads.
    @Test func unquotedRecordsReadAsTheirQuotedTwins() throws {
        for seed in 0..<100 {
            var g = SeededGenerator(seed: UInt64(seed))
            let columns = Int.random(in: 1...5, using: &g)
            var plain = "", quoted = ""
            func add(_ fields: [String], _ end: String) {
                plain += fields.joined(separator: ",") + end
                quoted += fields.map { $0.isEmpty ? "" : "\"\($0)\"" }.joined(separator: ",") + end
            }
            add((0..<columns).map { "c\($0)" }, "\n")
            for _ in 0..<Int.random(in: 0...60, using: &g) {
                let roll = Int.random(in: 0..<20, using: &g)
                let count = roll == 0 ? columns + 1 : (roll == 1 ? max(0, columns - 1) : columns)
                let fields = (0..<count).map { _ in
                    String((0..<Int.random(in: 0...12, using: &g)).map { _ in "ab9 xé-.:\t\u{01}\u{1F}".randomElement(using: &g)! })
                }
                add(fields, ["\n", "\r\n", "\r"].randomElement(using: &g)!)
                if Int.random(in: 0..<15, using: &g) == 0 { add([], "\n") }
            }
            // Sometimes the last record has no line break.
            if Bool.random(using: &g) {
                add((0..<columns).map { _ in "z" }, "")
            }
            let options = CSVReadOptions(policy: .collect(), schema: CSVSchema((0..<columns).map { ColumnSpec("c\($0)", .string) }), threads: 1)
            let a = try readCSV(plain, options), b = try readCSV(quoted, options)
            #expect(a.table == b.table, "seed \(seed)")
            #expect(a.rejects.map(\.line) == b.rejects.map(\.line), "seed \(seed)")
            #expect(a.rejects.map(\.kind) == b.rejects.map(\.kind), "seed \(seed)")
            #expect(a.report.records == b.report.records && a.report.blankLines == b.report.blankLines, "seed \(seed)")
        }
    }
}
