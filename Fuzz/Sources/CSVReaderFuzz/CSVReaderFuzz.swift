import XOFusion

/// Reads arbitrary bytes as CSV under several option sets and checks what
/// must hold for any input: no trap, every record accounted for, the same
/// answer on one and several threads, strict mode agreeing with collect
/// mode, and a clean read surviving a write and a second read.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    // The first byte picks the dialect, so the fuzzer explores all of them.
    let selector = bytes.first ?? 0
    let delimiters: [Character] = [",", ";", "\t", "|"]
    var options = CSVReadOptions(delimiter: delimiters[Int(selector & 3)], headerRows: Int(selector >> 2 & 3), nameRow: 1, policy: .collect())
    if options.headerRows == 0 { options.nameRow = 1 }
    if selector & 0x10 != 0 { options.nullTokens = ["NA"] }
    if selector & 0x20 != 0 { options.inferenceSampleRecords = 3 }
    options.minimumBytesPerThread = 16
    let input = Array(bytes.dropFirst())

    let single: CSVReadResult
    do {
        options.threads = 1
        single = try CSVReader.read(bytes: input, name: "fuzz", options: options)
    } catch {
        // Only header problems may stop a collect read.
        guard case .badHeader = error else { fatalError("collect mode threw \(error)") }
        return 0
    }
    let report = single.report
    precondition(report.records == report.rows + report.rejected, "records ≠ rows + rejects")
    precondition(single.table.rowCount == report.rows)

    options.threads = 3
    let parallel = try! CSVReader.read(bytes: input, name: "fuzz", options: options)
    precondition(parallel.table == single.table, "threads changed the table")
    precondition(parallel.rejects == single.rejects, "threads changed the rejects")

    var strict = options
    strict.policy = .strict
    do {
        let result = try CSVReader.read(bytes: input, name: "fuzz", options: strict)
        precondition(single.rejects.isEmpty && result.table == single.table, "strict passed where collect rejected")
    } catch let error {
        guard case .badRecord(let reject) = error, reject == single.rejects.first else {
            fatalError("strict threw \(error), collect's first reject: \(String(describing: single.rejects.first))")
        }
    }

    if single.rejects.isEmpty && single.table.columnCount > 0 && options.headerRows == 1 && options.nullTokens.isEmpty {
        let written = CSVWriter.bytes(from: single.table, delimiter: options.delimiter == 9 ? "\t" : Character(UnicodeScalar(options.delimiter)))
        var again = CSVReadOptions(delimiter: ",", policy: .strict)
        again.delimiter = options.delimiter
        again.schema = CSVSchema(single.table.schema.map { ColumnSpec($0.name, $0.kind) })
        let back = try! CSVReader.read(bytes: written, name: "fuzz-again", options: again)
        precondition(back.table == single.table, "write and read changed the table")
    }
    return 0
}
