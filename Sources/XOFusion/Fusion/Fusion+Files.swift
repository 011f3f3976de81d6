import Foundation

/// The CSV files of one fusion, one per role (`xofusion report` takes them as options).
public struct FusionFiles: Hashable, Sendable {
    public var answers: String, customers: String
    public var orders: String?, returns: String?, carts: String?, tickets: String?

    public init(answers: String, customers: String, orders: String? = nil, returns: String? = nil, carts: String? = nil, tickets: String? = nil) {
        self.answers = answers
        self.customers = customers
        self.orders = orders
        self.returns = returns
        self.carts = carts
        self.tickets = tickets
    }

    /// The roles given, in ``FusionRole`` order, with their paths.
    public var roles: [(role: FusionRole, path: String)] {
        let paths: [FusionRole: String?] = [.answers: answers, .customers: customers, .orders: orders, .returns: returns, .carts: carts, .tickets: tickets]
        return FusionRole.allCases.compactMap { role in paths[role]!.map { (role, $0) } }
    }
}

/// A fusion read from files, with what each read loaded and rejected.
public struct LoadedFusion: Sendable {
    public let fusion: Fusion
    /// Each file's read: its table, its rejected records with their reasons, and its report.
    public let reads: [FusionRole: CSVReadResult]
    /// Files read a second time with a column's kind or range made explicit, to find the records that broke it.
    public let rereads: [(role: FusionRole, columns: [String])]
    /// Whether the fusion was built while the files were read (see `FusionPipeline`), not after.
    let pipelined: Bool
}

/// Files that could not become a fusion: a bad record (strict reads), an unreadable file, or a bad mapping.
public enum FusionLoadError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A read failed; the error names the file, line, column and reason.
    case ingest(role: FusionRole, IngestError)
    /// The tables do not fit the mapping (a missing column, a wrong kind, duplicate customers, …).
    case fusion(FusionError)

    public var description: String {
        switch self {
        case .ingest(_, let error): error.description
        case .fusion(let error): error.description
        }
    }
}

extension Fusion {
    /// Reads the files (all at once, see ``CSVReader/read(files:threads:)``) with the map's CSV options and fuses them with its mapping.
    ///
    /// The fusion begins on each file as soon as it is read, while the others still are (the customers
    /// encoded, then each role looked up and grouped by customer on the thread that read it); the result
    /// is the fusion ``Fusion/init(customers:answers:orders:returns:carts:tickets:mapping:options:)`` builds
    /// from the same tables. Should a file need a second read (below), or a step fail, the tables are
    /// fused after the reads instead, so errors come in the same order either way.
    ///
    /// Columns the analyses rely on are checked at ingest: a score column is read as whole numbers inside
    /// its scale, a time column as a time, an amount as a number. When the first read infers another kind,
    /// or finds a score outside its scale, the file is read again with that column's kind and range made
    /// explicit, so that the offending records surface with their line, column and reason: strict reads
    /// throw the first one; `policy: .collect()` keeps every one of them in ``LoadedFusion/reads`` and
    /// fuses the rows that are left (each read's `records = rows + rejected`).
    ///
    /// - Throws: ``FusionLoadError``.
    /// - Complexity: O(total bytes), plus one more read of a file whose columns needed a second look.
    public static func load(
        _ files: FusionFiles, map: FusionMapFile = FusionMapFile(), policy: RejectPolicy = .strict, options: KernelOptions = .default
    ) throws(FusionLoadError) -> LoadedFusion {
        try load(files, map: map, policy: policy, options: options, whenReadsEnd: {})
    }

    /// ``load(_:map:policy:options:)``, calling `whenReadsEnd` as soon as the last file is read, on
    /// the thread that read it (the bench times the reading apart from the rest).
    package static func load(
        _ files: FusionFiles, map: FusionMapFile, policy: RejectPolicy, options: KernelOptions, whenReadsEnd: () -> Void
    ) throws(FusionLoadError) -> LoadedFusion {
        func readOptions(_ role: FusionRole) -> CSVReadOptions {
            var read = map.csv[role] ?? CSVReadOptions()
            read.policy = policy
            read.threads = options.threads
            return read
        }
        // Every file at once, the fusion begun on each as soon as it is read (see FusionPipeline);
        // the first failure in role order is the one reported.
        var reads: [FusionRole: CSVReadResult] = [:]
        let roles = files.roles
        var pipeline: FusionPipeline? = FusionPipeline(mapping: map.mapping, options: options, given: Set(roles.map(\.role)))
        let unread = Countdown(roles.count)
        let results = CSVReader.read(files: roles.map { ($0.path, readOptions($0.role)) }, threads: options.threads) { k, result in
            if unread.next() { whenReadsEnd() }
            pipeline!.read(roles[k].role, result)
        }
        for ((role, _), result) in zip(roles, results) {
            do { reads[role] = try result.get() } catch { throw .ingest(role: role, error) }
        }
        if let fusion = pipeline!.finish(reads) { return LoadedFusion(fusion: fusion, reads: reads, rereads: [], pipelined: true) }
        pipeline = nil  // what it built is not needed: fused the sequential way below
        // Names first, kinds later: a mistyped column is read again below, then the fusion checks kinds.
        let columns: FusionColumns
        do {
            columns = try Fusion.resolve(
                customers: reads[.customers]!.table, answers: reads[.answers]!.table, orders: reads[.orders]?.table, returns: reads[.returns]?.table,
                carts: reads[.carts]?.table, tickets: reads[.tickets]?.table, mapping: map.mapping, checkKinds: false)
        } catch { throw .fusion(error) }

        var rereads: [(role: FusionRole, columns: [String])] = []
        for (role, _) in ColumnExpectation.all(columns, mapping: map.mapping) {
            guard let read = reads[role] else { continue }
            let specs = ColumnExpectation.secondReadSpecs(role, read, columns: columns, mapping: map.mapping)
            guard !specs.isEmpty else { continue }
            var again = readOptions(role)
            var merged = again.schema?.columns ?? []
            for spec in specs {
                if let i = merged.firstIndex(where: { $0.name == spec.name }) { merged[i].allowedRange = spec.allowedRange ?? merged[i].allowedRange } else { merged.append(spec) }
            }
            again.schema = CSVSchema(merged, ignoreUnlisted: again.schema?.ignoreUnlisted ?? false)
            do { reads[role] = try CSVReader.read(file: reads[role]!.report.file, options: again) } catch { throw .ingest(role: role, error) }
            rereads.append((role, specs.map(\.name)))
        }

        do {
            let fusion = try Fusion(
                customers: reads[.customers]!.table, answers: reads[.answers]!.table, orders: reads[.orders]?.table, returns: reads[.returns]?.table,
                carts: reads[.carts]?.table, tickets: reads[.tickets]?.table, mapping: map.mapping, options: options)
            return LoadedFusion(fusion: fusion, reads: reads, rereads: rereads, pipelined: false)
        } catch {
            throw .fusion(error)
        }
    }
}

/// What a loader expects of one resolved column, and the spec that makes a second read enforce it.
struct ColumnExpectation {
    enum Expect { case id, time, wholeScore(ClosedRange<Int64>), numericScore(ClosedRange<Double>), amount }
    let column: String
    let expect: Expect

    /// The roles' expectations, from the resolved columns.
    static func all(_ c: FusionColumns, mapping m: FusionMapping) -> [(FusionRole, [ColumnExpectation])] {
        func make(_ pairs: [(String?, Expect)]) -> [ColumnExpectation] { pairs.compactMap { name, expect in name.map { ColumnExpectation(column: $0, expect: expect) } } }
        let a = m.answers
        return [
            (.customers, make([(c.customerID, .id)])),
            (.answers, make([
                (c.answerCustomer, .id), (c.answerOrderID, .id), (c.responseID, .id), (c.answerTime, .time),
                (c.nps, .wholeScore(a.npsScale.range)), (c.csat, .wholeScore(a.csatScale.range)), (c.ces, .wholeScore(a.cesScale.range)),
                (c.sentiment, .numericScore(a.sentimentScale.range)),
            ])),
            (.orders, make([(c.orderCustomer, .id), (c.orderID, .id), (c.orderTime, .time), (c.orderAmount, .amount)])),
            (.returns, make([(c.returnCustomer, .id), (c.returnOrderID, .id), (c.returnTime, .time), (c.returnAmount, .amount)])),
            (.carts, make([(c.cartCustomer, .id), (c.cartTime, .time), (c.cartValue, .amount)])),
            (.tickets, make([(c.ticketCustomer, .id), (c.ticketTime, .time)])),
        ]
    }

    /// The specs of a second read of `role`'s file: empty when its resolved columns already hold what
    /// the analyses need (`columns` need only hold the role's own).
    static func secondReadSpecs(_ role: FusionRole, _ read: CSVReadResult, columns: FusionColumns, mapping: FusionMapping) -> [ColumnSpec] {
        let expectations = all(columns, mapping: mapping).first { $0.0 == role }?.1 ?? []
        return expectations.compactMap { $0.spec(in: read.table, given: read.report, role: role) }
    }

    /// The spec for a second read, or `nil` when the column already holds what the analyses need.
    /// A kind the user fixed in the map's `kinds` is kept (the fusion then names a wrong one).
    func spec(in table: Table, given report: IngestReport, role: FusionRole) -> ColumnSpec? {
        guard let values = table[column] else { return nil }
        let inferred = report.columns.first { $0.name == column }?.inferred ?? true
        switch expect {
        case .id:
            return values.kind == .string || values.kind == .int64 || !inferred ? nil : ColumnSpec(column, .string)
        case .time:
            if values.kind == .timestamp || values.kind == .date || !inferred { return nil }
            // Mostly dates (10 characters) or mostly date-times: the first value decides which to enforce.
            let first = (0..<values.count).first { !values.isNull($0) }.map { values[$0].description }
            return ColumnSpec(column, first?.count == 10 ? .date : .timestamp)
        case .amount:
            return values.kind.isNumeric || !inferred ? nil : ColumnSpec(column, .double)
        case .wholeScore(let range):
            if let small = values.smallInt64Values {
                if small.firstRow(where: { !range.contains(Int64($0)) }) == nil { return nil }
            } else if let ints = values.int64Values {
                if ints.firstRow(where: { !range.contains($0) }) == nil { return nil }
            } else if !inferred {
                return nil
            }
            return ColumnSpec(column, .int64, allowedRange: Double(range.lowerBound)...Double(range.upperBound))
        case .numericScore(let range):
            if values.kind.isNumeric, let numbers = try? ScoreColumn.numbers(table, column, role: role) {
                if numbers.firstRow(outside: range) == nil { return nil }
                return ColumnSpec(column, values.kind, allowedRange: range)
            }
            return inferred ? ColumnSpec(column, .double, allowedRange: range) : nil
        }
    }
}

/// Counts down from a number, from any thread.
private final class Countdown: @unchecked Sendable {
    private let lock = NSLock()
    private var left: Int

    init(_ count: Int) { left = count }

    /// Counts one; returns whether that was the last.
    func next() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        left -= 1
        return left == 0
    }
}
